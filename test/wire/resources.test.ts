// Resources on the wire: the capability, listing resources and templates per revision and page by
// page, reading text and blobs, template matching, not-found per era, URI validation, caching
// hints and MRTR in 2026-07-28.

import { describe, expect, test } from 'vitest'
import { DEMO_CORPUS } from '../../src/kb/demo.ts'
import { LOGO_ICON } from '../../src/resources/logo.ts'
import { README } from '../../src/resources/readme.ts'
import { rules, type Revision } from '../../src/protocol/revisions.ts'
import {
  cacheHintsIn,
  has,
  legacyRequest,
  MODERN,
  MODERN_META,
  modernRequest,
  requestIn,
  result,
  resultIn,
  REVISIONS,
  rpcError,
  SERVER_META,
  statusIn,
} from '../helpers/eras.ts'
import { PNG, TEST_RESOURCES, TEST_TEMPLATES } from '../helpers/features.ts'
import {
  initializeRequest,
  rpc,
  reply,
  send,
  serverWith,
  wireTable,
  type RawRequest,
  type Target,
  type WireCase,
} from '../helpers/wire.ts'

const TEST_SERVER = serverWith(
  [],
  { MRTR_SECRET: 'r'.repeat(32) },
  { resources: TEST_RESOURCES, templates: TEST_TEMPLATES },
)

/** The JSON reply to `request`. */
const body = async (request: RawRequest, target?: Target) =>
  (await reply<{ result: Record<string, unknown> }>(request, target)).body

const README_SIZE = new TextEncoder().encode(README).length
const README_BASE = {
  uri: 'bare-mcp://readme',
  name: 'readme',
  description: 'What this server is and what it offers, in Markdown.',
  mimeType: 'text/markdown',
  size: README_SIZE,
  annotations: { audience: ['user', 'assistant'], priority: 0.8 },
}
/** The readme as `revision` lists it: `title` and `icons` where the revision has them. */
const readmeListed = (revision: Revision) => ({
  ...README_BASE,
  ...(has(revision, 'titles') ? { title: 'About bare-mcp' } : {}),
  ...(has(revision, 'icons') ? { icons: [LOGO_ICON] } : {}),
})

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
/** The greeting template as `revision` lists it: `title` where the revision has titles. */
const greetingListed = (revision: Revision) =>
  has(revision, 'titles') ? { ...GREETING_BASE, title: 'A greeting' } : GREETING_BASE

const ICON = { src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'] }

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
  describe.each(REVISIONS)('%s', (revision) => {
    test('R-SF-21 R-SF-35 lists the Resource object of its revision, with cache hints where it has them', async () => {
      const { body } = await reply(requestIn(revision, 'resources/list'))
      expect(body).toEqual(
        resultIn(revision, {
          resources: [
            readmeListed(revision),
            expect.objectContaining({ uri: 'bare-mcp://logo.png', mimeType: 'image/png' }),
            ...KB_DOCS,
          ],
          ...cacheHintsIn(revision, 300_000),
        }),
      )
    })

    test('R-SF-21 every field a resource declares that the revision has: annotations keep audience and priority, lastModified, title and icons where the revision has them', async () => {
      const { body } = await reply<{ result: { resources: unknown[] } }>(
        requestIn(revision, 'resources/list'),
        TEST_SERVER,
      )
      expect(body.result.resources[0]).toEqual({
        uri: 'test://static-text',
        name: 'static-text',
        ...(has(revision, 'titles') ? { title: 'Static text' } : {}),
        description: 'A text resource.',
        mimeType: 'text/plain',
        size: 26,
        annotations: {
          audience: ['assistant'],
          priority: 0.5,
          ...(has(revision, 'lastModified') ? { lastModified: '2025-01-12T15:00:58Z' } : {}),
        },
        ...(has(revision, 'icons') ? { icons: [ICON] } : {}),
      })
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
  describe.each(REVISIONS)('%s', (revision) => {
    test('R-SF-22 R-SF-35 lists the ResourceTemplate object of its revision, with cache hints where it has them', async () => {
      const { body } = await reply(requestIn(revision, 'resources/templates/list'))
      expect(body).toEqual(
        resultIn(revision, {
          resourceTemplates: [greetingListed(revision), KB_TEMPLATE],
          ...cacheHintsIn(revision, 300_000),
        }),
      )
    })

    test('R-SF-22 annotations (lastModified where the revision has it), title and icons of a template', async () => {
      const { body } = await reply<{ result: { resourceTemplates: unknown[] } }>(
        requestIn(revision, 'resources/templates/list'),
        TEST_SERVER,
      )
      expect(body.result.resourceTemplates[0]).toEqual({
        uriTemplate: 'test://template/{id}/data',
        name: 'data',
        ...(has(revision, 'titles') ? { title: 'Data by id' } : {}),
        description: 'JSON data for an id.',
        mimeType: 'application/json',
        annotations: {
          priority: 1,
          ...(has(revision, 'lastModified') ? { lastModified: '2025-01-12T15:00:58Z' } : {}),
        },
        ...(has(revision, 'icons') ? { icons: [ICON] } : {}),
      })
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

  describe.each(REVISIONS)('%s', (revision) => {
    test("R-JR-13 a missing resource is the revision's not-found code (-32002, or -32602 in 2026-07-28, never -32002 there) with its status and the URI in data", async () => {
      const code = rules(revision).resourceNotFound
      const { status, body } = await reply(
        requestIn(revision, 'resources/read', { uri: 'bare-mcp://nope' }),
      )
      expect({ status, body }).toEqual({
        status: statusIn(revision, code),
        body: rpcError(code, 'Resource not found', { uri: 'bare-mcp://nope' }),
      })
      expect(code).toBe(revision === MODERN ? -32602 : -32002)
    })
  })

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
