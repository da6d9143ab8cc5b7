// URL-mode elicitation on the wire (R-SF-42, R-JR-14, R-SF-46): a tool or prompt that throws
// `UrlElicitationRequired` gets -32042 in a 2025-11-25 session whose client declared
// `elicitation.url`, an MRTR round in 2026-07-28 and words for anyone else; completion is
// announced with `notifications/elicitation/complete`, on the call's stream or the session's GET
// stream, and only to the client that was sent the elicitation.
//
// Sessions run in the shards, which serve the catalog FIXTURES names: this file registers its
// own small pack under "conformance" (it does not import the real one), so only it sees it.

import { env } from 'cloudflare:workers'
import * as v from 'valibot'
import { describe, expect, test } from 'vitest'
import { registerFixtures } from '../../src/catalog/catalog.ts'
import type { Env } from '../../src/settings/env.ts'
import { UrlElicitationRequired } from '../../src/protocol/elicitation.ts'
import { definePrompt } from '../../src/prompts/define.ts'
import { promptSet } from '../../src/prompts/prompt-set.ts'
import { resourceSet } from '../../src/resources/resource-set.ts'
import { completeElicitation } from '../../src/pipeline/sessions.ts'
import { defineTool } from '../../src/tools/define.ts'
import { toolSet } from '../../src/tools/toolset.ts'
import { legacyRequest, MODERN_META, modernRequest } from '../helpers/eras.ts'
import {
  initializeRequest,
  inSession,
  readEvents,
  request,
  rpc,
  send,
  serverWith,
  toolCall,
  wireTable,
  type ParsedEvent,
} from '../helpers/wire.ts'

const CONNECT = {
  elicitationId: 'e-17',
  url: 'https://example.com/connect?e=e-17',
  message: 'Connect your Example account.',
}

/** Ends the call at once: the user must connect an account first. */
const needsUrl = defineTool({
  name: 'needs_url',
  description: 'Needs a connected account.',
  annotations: { readOnlyHint: true },
  run: () => {
    throw new UrlElicitationRequired([CONNECT])
  },
})

/** Asks a URL elicitation mid-call, then announces its completion on the call's stream. */
const asksUrl = defineTool({
  name: 'asks_url',
  description: 'Sends the user to a page, then says it is done.',
  annotations: { readOnlyHint: true },
  input: v.strictObject({ complete: v.optional(v.string()) }),
  run: async ({ complete }, ctx) => {
    const answer = await ctx.ask({
      method: 'elicitation/create',
      params: {
        mode: 'url',
        message: 'Set your API key.',
        url: 'https://example.com/key?e=e-18',
        elicitationId: 'e-18',
      },
    })
    const sent = ctx.elicitationComplete(complete ?? 'e-18')
    return `${String(answer.action)}; completion sent: ${sent}; session: ${ctx.sessionId !== null}`
  },
})

const connectPrompt = definePrompt({
  name: 'needs_url_prompt',
  description: 'Needs a connected account.',
  get: () => {
    throw new UrlElicitationRequired([CONNECT])
  },
})

registerFixtures('conformance', {
  tools: toolSet([needsUrl, asksUrl]),
  resources: resourceSet([], []),
  prompts: promptSet([connectPrompt]),
})
;(env as unknown as Record<string, string>).FIXTURES = 'conformance'

/** The same `env`, typed as the Worker reads it. */
const workerEnv = env as unknown as Env

const STATELESS = serverWith([needsUrl, asksUrl], {}, { prompts: [connectPrompt] })

const URL_PARAMS = {
  mode: 'url',
  message: 'Connect your Example account.',
  elicitationId: 'e-17',
  url: 'https://example.com/connect?e=e-17',
}

const REQUIRED = `{"jsonrpc":"2.0","id":2,"error":{"code":-32042,"message":"This request requires more information: the user must visit a URL first","data":{"elicitations":[${JSON.stringify(URL_PARAMS)}]}}}`

const IN_WORDS =
  'Connect your Example account. Open https://example.com/connect?e=e-17 to continue, then try again.'

/** Initializes a session at `version` with `capabilities`; its id. */
const open = async (version: string, capabilities: Record<string, unknown>) => {
  const res = await rpc({
    ...initializeRequest(version),
    params: { ...initializeRequest(version).params, capabilities },
  })
  const id = res.headers.get('mcp-session-id')
  await res.text()
  expect(id).not.toBeNull()
  return id!
}

const has = (events: ParsedEvent[], fragment: string) =>
  events.some((event) => event.data.includes(fragment))

const URL_CAPABLE = { elicitation: { form: {}, url: {} } }

describe('R-JR-14 UrlElicitationRequired in a 2025-11-25 session', () => {
  test('R-JR-14 a client that declared elicitation.url gets -32042 with data.elicitations (HTTP 200)', async () => {
    const session = await open('2025-11-25', URL_CAPABLE)
    const res = await inSession(session, request(2, 'tools/call', toolCall('needs_url', {})))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(REQUIRED)
  })

  test('R-JR-14 prompts/get may fail with -32042 too', async () => {
    const session = await open('2025-11-25', URL_CAPABLE)
    const res = await inSession(session, {
      jsonrpc: '2.0',
      id: 2,
      method: 'prompts/get',
      params: { name: 'needs_url_prompt' },
    })
    expect(await res.text()).toBe(REQUIRED)
  })

  test('R-JR-14 a client that declared form elicitation only gets a tool error in words, never -32042', async () => {
    const session = await open('2025-11-25', { elicitation: {} })
    const res = await inSession(session, request(2, 'tools/call', toolCall('needs_url', {})))
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { content: [{ type: 'text', text: IN_WORDS }], isError: true },
    })
  })

  test('R-JR-14 a 2025-06-18 session never gets -32042 (the code is 2025-11-25 only)', async () => {
    const session = await open('2025-06-18', URL_CAPABLE)
    const res = await inSession(session, request(2, 'tools/call', toolCall('needs_url', {})))
    expect(await res.json()).toMatchObject({ id: 2, result: { isError: true } })
  })
})

wireTable([
  {
    rule: 'R-JR-14',
    name: 'without a session the capabilities are unknown: a tool error in words',
    request: legacyRequest('tools/call', toolCall('needs_url', {}), '2025-11-25', 2),
    expect: {
      status: 200,
      json: {
        jsonrpc: '2.0',
        id: 2,
        result: { content: [{ type: 'text', text: IN_WORDS }], isError: true },
      },
    },
    target: STATELESS,
    why: 'Only a client that declared elicitation.url may get -32042; a stateless one declared nothing we can see.',
  },
  {
    rule: 'R-JR-14',
    name: 'a stateless prompts/get is -32603 in words',
    request: legacyRequest('prompts/get', { name: 'needs_url_prompt' }, '2025-11-25', 3),
    expect: {
      status: 200,
      json: {
        jsonrpc: '2.0',
        id: 3,
        error: {
          code: -32603,
          message: `prompts/get needs the user to visit a URL, and this client did not declare URL elicitation: ${IN_WORDS}`,
        },
      },
    },
    target: STATELESS,
  },
  {
    rule: 'R-JR-14',
    name: '2026-07-28 without elicitation.url is -32021 naming it (HTTP 400)',
    request: modernRequest(
      'tools/call',
      { name: 'needs_url', arguments: {} },
      {
        meta: {
          ...MODERN_META,
          'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
        },
        headers: { 'mcp-name': 'needs_url' },
      },
    ),
    expect: {
      status: 400,
      json: {
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32021,
          message: 'This request needs the client capability for elicitation/create',
          data: { requiredCapabilities: { elicitation: { url: {} } } },
        },
      },
    },
    target: STATELESS,
  },
])

describe('R-SF-46 URL elicitation in 2026-07-28', () => {
  const modernCall = (name: string) =>
    send(
      modernRequest(
        'tools/call',
        { name, arguments: {} },
        {
          meta: { ...MODERN_META, 'io.modelcontextprotocol/clientCapabilities': URL_CAPABLE },
          headers: { 'mcp-name': name },
        },
      ),
      STATELESS,
    ).then((res) => res.json() as Promise<{ result: Record<string, unknown> }>)

  test('R-SF-46 UrlElicitationRequired asks the URL as one MRTR round, with no elicitationId', async () => {
    const { result } = await modernCall('needs_url')
    expect(result).toMatchObject({ resultType: 'input_required', requestState: expect.any(String) })
    expect(result.inputRequests).toEqual({
      url0: {
        method: 'elicitation/create',
        params: {
          mode: 'url',
          message: 'Connect your Example account.',
          url: 'https://example.com/connect?e=e-17',
        },
      },
    })
  })

  test('R-SF-46 ctx.ask with a URL elicitation written for both eras loses its elicitationId', async () => {
    const { result } = await modernCall('asks_url')
    expect(result.inputRequests).toEqual({
      q0: {
        method: 'elicitation/create',
        params: {
          mode: 'url',
          message: 'Set your API key.',
          url: 'https://example.com/key?e=e-18',
        },
      },
    })
  })
})

describe('R-SF-42 notifications/elicitation/complete', () => {
  const COMPLETE_17 =
    '{"jsonrpc":"2.0","method":"notifications/elicitation/complete","params":{"elicitationId":"e-17"}}'
  const COMPLETE_18 =
    '{"jsonrpc":"2.0","method":"notifications/elicitation/complete","params":{"elicitationId":"e-18"}}'

  /** Runs asks_url in a new session, accepting the URL elicitation; the call stream's events. */
  const askAndAccept = async (args: Record<string, unknown> = {}) => {
    const session = await open('2025-11-25', URL_CAPABLE)
    const res = await inSession(session, request(5, 'tools/call', toolCall('asks_url', args)))
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const asked = await readEvents(res.body!, (seen) => has(seen, 'elicitation/create'))
    const asking = JSON.parse(
      asked.events.find((event) => event.data.includes('elicitation/create'))!.data,
    ) as { id: string; params: Record<string, unknown> }
    const answered = await inSession(session, {
      jsonrpc: '2.0',
      id: asking.id,
      result: { action: 'accept' },
    })
    expect(answered.status).toBe(202)
    asked.reader.releaseLock()
    const { events, reader } = await readEvents(res.body!, (seen) => has(seen, '"id":5'))
    await reader.cancel()
    return { request: asking, events: events.filter((event) => event.data !== '') }
  }

  test('R-SF-42 a URL elicitation asked mid-call carries its elicitationId (2025-11-25)', async () => {
    const { request } = await askAndAccept()
    expect(request.params).toEqual({
      mode: 'url',
      message: 'Set your API key.',
      url: 'https://example.com/key?e=e-18',
      elicitationId: 'e-18',
    })
  })

  test('R-SF-42 completion goes on the call stream, before the result', async () => {
    const { events } = await askAndAccept()
    const data = events.map((event) => event.data)
    const at = data.indexOf(COMPLETE_18)
    expect(at).toBeGreaterThan(-1)
    expect(data.slice(at + 1)).toEqual([
      '{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"accept; completion sent: true; session: true"}]}}',
    ])
  })

  test('R-SF-42 an id this client was never sent is not announced', async () => {
    const { events } = await askAndAccept({ complete: 'e-99' })
    expect(has(events, 'notifications/elicitation/complete')).toBe(false)
    expect(has(events, 'completion sent: false')).toBe(true)
  })

  test('R-SF-42 after -32042, completeElicitation announces it on the session GET stream, once', async () => {
    const session = await open('2025-11-25', URL_CAPABLE)
    const get = await send({
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': session },
    })
    expect(get.status).toBe(200)
    // Not yet sent to this client: refused.
    expect(await completeElicitation(workerEnv, session, 'e-17')).toBe(false)
    const failed = await inSession(session, request(2, 'tools/call', toolCall('needs_url', {})))
    expect(await failed.text()).toBe(REQUIRED)
    expect(await completeElicitation(workerEnv, session, 'e-17')).toBe(true)
    expect(await completeElicitation(workerEnv, session, 'e-17')).toBe(false)
    const { events, reader } = await readEvents(get.body!, (seen) =>
      has(seen, 'elicitation/complete'),
    )
    await reader.cancel()
    const sent = events.filter((event) => event.data.includes('elicitation/complete'))
    expect(sent).toEqual([{ event: 'message', id: expect.any(String), data: COMPLETE_17 }])
  })

  test('R-SF-42 completeElicitation for another session, or none, sends nothing', async () => {
    const asked = await open('2025-11-25', URL_CAPABLE)
    const other = await open('2025-11-25', URL_CAPABLE)
    const failed = await inSession(asked, request(2, 'tools/call', toolCall('needs_url', {})))
    expect(await failed.text()).toBe(REQUIRED)
    expect(await completeElicitation(workerEnv, other, 'e-17')).toBe(false)
    expect(
      await completeElicitation(workerEnv, 's1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'e-17'),
    ).toBe(false)
  })
})
