// Resources on the wire: the capability, listing resources and templates per revision and page by
// page, reading text and blobs, template matching, not-found per era, URI validation, caching
// hints and MRTR in 2026-07-28.

import { describe, expect, test } from 'vitest'
import { DEMO_CORPUS } from '../../src/kb/demo.ts'
import { LOGO_ICON } from '../../src/resources/logo.ts'
import { README } from '../../src/resources/readme.ts'
import { LEGACY_REVISIONS } from '../../src/protocol/revisions.ts'
import {
  legacyRequest,
  MODERN,
  MODERN_META,
  modernRequest,
  result,
  rpcError,
  SERVER_META,
} from '../helpers/eras.ts'
import { PNG, TEST_RESOURCES, TEST_TEMPLATES } from '../helpers/features.ts'
import {
  initializeRequest,
  rpc,
  send,
  serverWith,
  wireTable,
  type Target,
  type WireCase,
} from '../helpers/wire.ts'

const TEST_SERVER = serverWith(
  [],
  { MRTR_SECRET: 'r'.repeat(32) },
  { resources: TEST_RESOURCES, templates: TEST_TEMPLATES },
)

const body = async (request: ReturnType<typeof legacyRequest>, target?: Target) =>
  (await (await send(request, target)).json()) as { result: Record<string, unknown> }

const README_SIZE = new TextEncoder().encode(README).length
const README_BASE = {
  uri: 'bare-mcp://readme',
  name: 'readme',
  description: 'What this server is and what it offers, in Markdown.',
  mimeType: 'text/markdown',
  size: README_SIZE,
  annotations: { audience: ['user', 'assistant'], priority: 0.8 },
}
const README_TITLED = { ...README_BASE, title: 'About bare-mcp' }

/** The readme as each revision lists it: `title` from 2025-06-18, `icons` from 2025-11-25. */
const README_BY_REVISION: Record<string, unknown> = {
  '2024-11-05': README_BASE,
  '2025-03-26': README_BASE,
  '2025-06-18': README_TITLED,
  '2025-11-25': { ...README_TITLED, icons: [LOGO_ICON] },
}

/** After the fixed resources, the demo lists the knowledge base's documents (BM-KB-13). */
const KB_DOCS = DEMO_CORPUS.map((doc) => doc.id)
  .sort()
  .map((id) => expect.objectContaining({ uri: `kb://docs/${id}` }))
const KB_TEMPLATE = expect.objectContaining({ uriTemplate: 'kb://docs/{id}' })

const GREETING_BASE = {
  uriTemplate: 'bare-mcp://greeting/{name}',
  name: 'greeting',
  description: 'A one-line greeting for the name in the URI (1 to 100 characters).',
  mimeType: 'text/plain',
}
const GREETING_BY_REVISION: Record<string, unknown> = {
  '2024-11-05': GREETING_BASE,
  '2025-03-26': GREETING_BASE,
  '2025-06-18': { ...GREETING_BASE, title: 'A greeting' },
  '2025-11-25': { ...GREETING_BASE, title: 'A greeting' },
}

describe('the resources capability', () => {
  const capabilities = async (target?: Target) => {
    const res = await rpc(initializeRequest('2025-11-25'), {}, target)
    const { result } = (await res.json()) as { result: { capabilities: Record<string, unknown> } }
    return result.capabilities
  }

  test('R-SF-20 initialize declares resources with subscribe (sessions on), and listChanged only with a resource source (R-SF-25)', async () => {
    expect((await capabilities(TEST_SERVER)).resources).toEqual({ subscribe: true })
    expect((await capabilities()).resources).toEqual({ subscribe: true, listChanged: true })
  })

  test('R-SF-24 with SESSIONS=false nothing could carry an update: no subscribe', async () => {
    const stateless = serverWith([], { SESSIONS: 'false' }, { resources: TEST_RESOURCES })
    expect((await capabilities(stateless)).resources).toEqual({})
  })

  test('R-SF-20 server/discover declares resources with subscribe (resourceSubscriptions)', async () => {
    const { result } = await body(modernRequest('server/discover'), TEST_SERVER)
    expect((result.capabilities as Record<string, unknown>).resources).toEqual({ subscribe: true })
  })
})

describe('resources/list', () => {
  test.each(Object.entries(README_BY_REVISION))(
    'R-SF-21 %s lists the Resource object of its revision',
    async (version, readme) => {
      const { result } = await body(legacyRequest('resources/list', {}, version))
      expect(result).toEqual({
        resources: [
          readme,
          expect.objectContaining({ uri: 'bare-mcp://logo.png', mimeType: 'image/png' }),
          ...KB_DOCS,
        ],
      })
    },
  )

  test.each(LEGACY_REVISIONS.filter((version) => version < '2025-06-18'))(
    'R-SF-21 %s: annotations keep audience and priority, lose lastModified (2025-06-18+)',
    async (version) => {
      const { result } = await body(legacyRequest('resources/list', {}, version), TEST_SERVER)
      const [first] = result.resources as Record<string, unknown>[]
      expect(first!.annotations).toEqual({ audience: ['assistant'], priority: 0.5 })
      expect(first).not.toHaveProperty('title')
      expect(first).not.toHaveProperty('icons')
    },
  )

  test('R-SF-21 2025-11-25 lists every field a resource declares', async () => {
    const { result } = await body(legacyRequest('resources/list'), TEST_SERVER)
    expect((result.resources as unknown[])[0]).toEqual({
      uri: 'test://static-text',
      name: 'static-text',
      title: 'Static text',
      description: 'A text resource.',
      mimeType: 'text/plain',
      size: 26,
      annotations: { audience: ['assistant'], priority: 0.5, lastModified: '2025-01-12T15:00:58Z' },
      icons: [{ src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'] }],
    })
  })

  test('R-SF-35 2026-07-28: resources/list carries resultType, cache hints and serverInfo', async () => {
    const { result } = await body(modernRequest('resources/list'))
    expect(result).toEqual({
      resultType: 'complete',
      resources: [
        { ...README_TITLED, icons: [LOGO_ICON] },
        expect.objectContaining({ uri: 'bare-mcp://logo.png' }),
        ...KB_DOCS,
      ],
      ttlMs: 300_000,
      cacheScope: 'public',
      _meta: SERVER_META,
    })
  })

  test('R-JR-12 a server without resources does not offer resources/list: -32601', async () => {
    const res = await send(legacyRequest('resources/list'), serverWith([]))
    expect(await res.json()).toEqual(
      rpcError(-32601, 'Method not found: resources/list', {
        reason: 'This server does not declare the resources capability',
      }),
    )
  })
})

describe('resources/templates/list', () => {
  test.each(Object.entries(GREETING_BY_REVISION))(
    'R-SF-22 %s lists the ResourceTemplate object of its revision',
    async (version, greeting) => {
      const { result } = await body(legacyRequest('resources/templates/list', {}, version))
      expect(result).toEqual({ resourceTemplates: [greeting, KB_TEMPLATE] })
    },
  )

  test('R-SF-22 2025-11-25 lists annotations and icons of a template', async () => {
    const { result } = await body(legacyRequest('resources/templates/list'), TEST_SERVER)
    expect((result.resourceTemplates as unknown[])[0]).toEqual({
      uriTemplate: 'test://template/{id}/data',
      name: 'data',
      title: 'Data by id',
      description: 'JSON data for an id.',
      mimeType: 'application/json',
      annotations: { priority: 1, lastModified: '2025-01-12T15:00:58Z' },
      icons: [{ src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'] }],
    })
  })

  test('R-SF-35 2026-07-28: resources/templates/list carries cache hints', async () => {
    const { result } = await body(modernRequest('resources/templates/list'))
    expect(result).toEqual({
      resultType: 'complete',
      resourceTemplates: [GREETING_BY_REVISION['2025-11-25'], KB_TEMPLATE],
      ttlMs: 300_000,
      cacheScope: 'public',
      _meta: SERVER_META,
    })
  })
})

describe('R-SF-34 pagination of resources and templates', () => {
  const PAGED = serverWith(
    [],
    { PAGE_SIZE: '2' },
    { resources: TEST_RESOURCES, templates: TEST_TEMPLATES },
  )

  test.each([
    ['resources/list', 'resources', 'uri', TEST_RESOURCES.map((r) => r.uri)],
    [
      'resources/templates/list',
      'resourceTemplates',
      'uriTemplate',
      TEST_TEMPLATES.map((t) => t.uriTemplate),
    ],
  ] as const)('R-SF-34 %s pages follow nextCursor to the end', async (method, key, field, all) => {
    const seen: unknown[] = []
    let cursor: string | undefined
    for (let pages = 0; pages < 10; pages++) {
      const { result } = await body(
        legacyRequest(method, cursor === undefined ? {} : { cursor }),
        PAGED,
      )
      const items = result[key] as Record<string, unknown>[]
      expect(items.length).toBeLessThanOrEqual(2)
      seen.push(...items.map((item) => item[field]))
      cursor = result.nextCursor as string | undefined
      if (cursor === undefined) break
    }
    expect(seen).toEqual(all)
  })

  wireTable([
    {
      rule: 'R-SF-34',
      name: 'resources/list: a cursor we did not issue is -32602',
      request: legacyRequest('resources/list', { cursor: 'bm90LWEtY3Vyc29y' }),
      expect: { status: 200, json: rpcError(-32602, 'Invalid cursor') },
    },
    {
      rule: 'R-SF-34',
      name: 'resources/templates/list: a cursor that is not a string is -32602',
      request: legacyRequest('resources/templates/list', { cursor: 1 }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'resources/templates/list: "params.cursor" must be a string'),
      },
    },
    {
      rule: 'R-SF-34',
      name: '2026-07-28: a bad cursor is -32602 with HTTP 400',
      request: modernRequest('resources/list', { cursor: 'eyJvIjo5OX0' }),
      expect: { status: 400, json: rpcError(-32602, 'Invalid cursor') },
    },
  ])
})

const text = (uri: string, value: string, mimeType?: string) =>
  mimeType === undefined ? { uri, text: value } : { uri, mimeType, text: value }

describe('resources/read', () => {
  const LOGO_BASE64 = LOGO_ICON.src.replace('data:image/png;base64,', '')

  wireTable([
    {
      rule: 'R-SF-23',
      name: 'a text resource',
      request: legacyRequest('resources/read', { uri: 'bare-mcp://readme' }),
      expect: {
        status: 200,
        json: result({ contents: [text('bare-mcp://readme', README, 'text/markdown')] }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a binary resource is a base64 blob (bytes encoded by the server)',
      request: legacyRequest('resources/read', { uri: 'bare-mcp://logo.png' }),
      expect: {
        status: 200,
        json: result({
          contents: [{ uri: 'bare-mcp://logo.png', mimeType: 'image/png', blob: LOGO_BASE64 }],
        }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a blob given as base64 text is sent as is',
      request: legacyRequest('resources/read', { uri: 'test://static-binary' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: result({
          contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: PNG }],
        }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a read may return several contents, each with its own URI and type',
      request: legacyRequest('resources/read', { uri: 'test://several' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: result({
          contents: [
            { uri: 'test://several/a.json', mimeType: 'application/json', text: '{"a":1}' },
            { uri: 'test://several', blob: 'AAEC/f7/' },
          ],
        }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a template match: the variable is read back from the URI, percent-decoded',
      request: legacyRequest('resources/read', { uri: 'bare-mcp://greeting/Ada%20Lovelace' }),
      expect: {
        status: 200,
        json: result({
          contents: [
            text('bare-mcp://greeting/Ada%20Lovelace', 'Hello, Ada Lovelace!', 'text/plain'),
          ],
        }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'the conformance template test://template/{id}/data',
      request: legacyRequest('resources/read', { uri: 'test://template/123/data' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: result({
          contents: [
            text(
              'test://template/123/data',
              '{"id":"123","data":"Data for ID: 123"}',
              'application/json',
            ),
          ],
        }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a level 3 template: query variables, in any subset',
      request: legacyRequest('resources/read', { uri: 'test://search?lang=en' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: result({ contents: [text('test://search?lang=en', 'q=(none) lang=en')] }),
      },
    },
    ...LEGACY_REVISIONS.map((version): WireCase => ({
      rule: 'R-JR-13',
      name: `${version}: a missing resource is -32002 with the URI in data`,
      request: legacyRequest('resources/read', { uri: 'bare-mcp://nope' }, version),
      expect: {
        status: 200,
        json: rpcError(-32002, 'Resource not found', { uri: 'bare-mcp://nope' }),
      },
    })),
    {
      rule: 'R-JR-13',
      name: '2026-07-28: a missing resource is -32602 with HTTP 400 and the URI in data, never -32002',
      request: modernRequest('resources/read', { uri: 'bare-mcp://nope' }),
      expect: {
        status: 400,
        json: rpcError(-32602, 'Resource not found', { uri: 'bare-mcp://nope' }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a listed resource whose read returns null is not found',
      request: legacyRequest('resources/read', { uri: 'test://missing' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: rpcError(-32002, 'Resource not found', { uri: 'test://missing' }),
      },
    },
    {
      rule: 'R-SF-23',
      name: '2026-07-28: a read returning an empty list is not found, never empty contents',
      request: modernRequest('resources/read', { uri: 'test://empty' }),
      target: TEST_SERVER,
      expect: {
        status: 400,
        json: rpcError(-32602, 'Resource not found', { uri: 'test://empty' }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a template that declines the URI (read returns null) is not found',
      request: legacyRequest('resources/read', { uri: 'bare-mcp://greeting/' }),
      expect: {
        status: 200,
        json: rpcError(-32002, 'Resource not found', { uri: 'bare-mcp://greeting/' }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a URI that matches no template shape is not found',
      request: legacyRequest('resources/read', { uri: 'bare-mcp://greeting/a/b' }),
      expect: {
        status: 200,
        json: rpcError(-32002, 'Resource not found', { uri: 'bare-mcp://greeting/a/b' }),
      },
    },
    {
      rule: 'R-SF-23',
      name: 'a read that throws is -32603 with no details',
      request: legacyRequest('resources/read', { uri: 'test://broken' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error"}}',
      },
    },
    {
      rule: 'R-SF-26',
      name: 'binary data must be properly encoded: a blob that is not base64 is never sent',
      request: legacyRequest('resources/read', { uri: 'test://bad-blob' }),
      target: TEST_SERVER,
      expect: { status: 200, json: rpcError(-32603, 'Internal error') },
    },
    {
      rule: 'R-SF-26',
      name: 'a missing uri is -32602',
      request: legacyRequest('resources/read', {}),
      expect: { status: 200, json: rpcError(-32602, 'resources/read: "params.uri" is required') },
    },
    {
      rule: 'R-SF-26',
      name: 'a uri that is not a string is -32602',
      request: legacyRequest('resources/read', { uri: 5 }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'resources/read: "params.uri" must be a string'),
      },
    },
    ...['readme', 'bare-mcp://read me', 'bare-mcp://readme\n', '://x'].map((uri): WireCase => ({
      rule: 'R-SF-26',
      name: `the uri ${JSON.stringify(uri)} is not an absolute URI: -32602`,
      request: legacyRequest('resources/read', { uri }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'resources/read: "params.uri" must be an absolute URI'),
      },
    })),
    {
      rule: 'R-SF-26',
      name: 'a uri over 8192 characters is -32602 before any template sees it',
      request: legacyRequest('resources/read', { uri: `bare-mcp://greeting/${'a'.repeat(8192)}` }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'resources/read: "params.uri" must be at most 8192 characters'),
      },
    },
    {
      rule: 'R-HT-36',
      name: '2026-07-28: resources/read without Mcp-Name is -32020',
      request: modernRequest(
        'resources/read',
        { uri: 'bare-mcp://readme' },
        { headers: { 'mcp-name': undefined } },
      ),
      expect: { status: 400, json: rpcError(-32020, 'Missing Mcp-Name header') },
    },
    {
      rule: 'R-HT-37',
      name: '2026-07-28: an Mcp-Name that differs from params.uri is -32020',
      request: modernRequest(
        'resources/read',
        { uri: 'bare-mcp://readme' },
        { headers: { 'mcp-name': 'bare-mcp://logo.png' } },
      ),
      expect: {
        status: 400,
        json: rpcError(
          -32020,
          "Header mismatch: Mcp-Name 'bare-mcp://logo.png' does not match body uri 'bare-mcp://readme'",
        ),
      },
    },
  ])

  test('R-SF-35 2026-07-28: a read carries resultType, READ_TTL_MS and cacheScope', async () => {
    const { result } = await body(modernRequest('resources/read', { uri: 'bare-mcp://readme' }))
    expect(result).toEqual({
      resultType: 'complete',
      contents: [text('bare-mcp://readme', README, 'text/markdown')],
      ttlMs: 60_000,
      cacheScope: 'public',
      _meta: SERVER_META,
    })
  })

  test('R-SF-35 READ_TTL_MS sets the ttlMs of reads', async () => {
    const target = serverWith([], { READ_TTL_MS: '0' }, { resources: TEST_RESOURCES })
    const { result } = await body(
      modernRequest('resources/read', { uri: 'test://static-text' }),
      target,
    )
    expect(result.ttlMs).toBe(0)
  })

  test('R-LC-29 a legacy read carries no 2026-07-28 fields', async () => {
    const { result } = await body(legacyRequest('resources/read', { uri: 'bare-mcp://readme' }))
    expect(Object.keys(result)).toEqual(['contents'])
  })
})

describe('R-SF-43 resources/read may ask the client (MRTR in 2026-07-28)', () => {
  const ELICITING = {
    ...MODERN_META,
    'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  }
  const URI = 'test://secret/Ada'

  test('R-SF-43 the first round is input_required, without cache hints', async () => {
    const { result } = await body(
      modernRequest('resources/read', { uri: URI }, { meta: ELICITING }),
      TEST_SERVER,
    )
    expect(result).toEqual({
      resultType: 'input_required',
      inputRequests: {
        q0: {
          method: 'elicitation/create',
          params: {
            message: 'Reveal the secret of Ada?',
            requestedSchema: { type: 'object', properties: {} },
          },
        },
      },
      requestState: expect.stringMatching(/^v1\./),
      _meta: SERVER_META,
    })
  })

  test('R-SF-45 the retry with the answer and requestState completes, with cache hints', async () => {
    const first = await body(
      modernRequest('resources/read', { uri: URI }, { meta: ELICITING }),
      TEST_SERVER,
    )
    const retry = {
      uri: URI,
      inputResponses: { q0: { action: 'accept', content: {} } },
      requestState: first.result.requestState,
    }
    const { result } = await body(
      modernRequest('resources/read', retry, { id: 2, meta: ELICITING }),
      TEST_SERVER,
    )
    expect(result).toEqual({
      resultType: 'complete',
      contents: [text(URI, 'The secret of Ada', 'text/plain')],
      ttlMs: 60_000,
      cacheScope: 'public',
      _meta: SERVER_META,
    })
  })

  test('R-SF-45 requestState issued for one URI does not fit another', async () => {
    const first = await body(
      modernRequest('resources/read', { uri: URI }, { meta: ELICITING }),
      TEST_SERVER,
    )
    const res = await send(
      modernRequest(
        'resources/read',
        {
          uri: 'test://secret/Alan',
          inputResponses: { q0: { action: 'accept', content: {} } },
          requestState: first.result.requestState,
        },
        { meta: ELICITING },
      ),
      TEST_SERVER,
    )
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(
      rpcError(-32602, 'requestState belongs to a different request'),
    )
  })

  wireTable([
    {
      rule: 'R-LC-25',
      name: '2026-07-28: asking without the elicitation capability is -32021',
      request: modernRequest('resources/read', { uri: URI }),
      target: TEST_SERVER,
      expect: {
        status: 400,
        json: rpcError(-32021, 'This request needs the client capability for elicitation/create', {
          requiredCapabilities: { elicitation: {} },
        }),
      },
    },
    {
      rule: 'R-SF-43',
      name: 'legacy without a session: a read that asks fails with -32603 saying why',
      request: legacyRequest('resources/read', { uri: URI }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: rpcError(
          -32603,
          'resources/read needs input from the client (elicitation/create), which this connection cannot carry: use protocol 2026-07-28, or keep the session initialize offered',
        ),
      },
    },
  ])
})

test(`R-LC-27 ${MODERN}: resources/subscribe is still not a method`, async () => {
  const res = await send(modernRequest('resources/subscribe', { uri: 'bare-mcp://readme' }))
  expect(res.status).toBe(404)
})
