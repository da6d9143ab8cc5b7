// The 2026-07-28 era on the wire: era detection, per-request validation in order, result shapes,
// MRTR, subscriptions/listen, logging and cancellation.

import { describe, expect, test } from 'vitest'
import { SERVER_INFO } from '../../src/protocol/server-info.ts'
import { SUPPORTED_REVISIONS } from '../../src/protocol/revisions.ts'
import { greet } from '../../src/tools/greet.ts'
import { TOOLS } from '../../src/tools/index.ts'
import {
  has,
  legacyRequest,
  MODERN,
  MODERN_META,
  modernRequest,
  requestIn,
  REVISIONS,
  rpcError,
  SERVER_META,
} from '../helpers/eras.ts'
import {
  initializeRequest,
  messages,
  parseSse,
  post,
  reply,
  send,
  serverWith,
  toolCall,
  wireTable,
  type Target,
  type WireCase,
} from '../helpers/wire.ts'
import { route, TEST_TOOLS, watched } from '../helpers/tools.ts'

const TEST_SERVER = serverWith([...TEST_TOOLS, greet], { MRTR_SECRET: 'x'.repeat(32) })
const ELICITING = {
  ...MODERN_META,
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
}

describe('era detection (digest section 4, one case per branch)', () => {
  wireTable([
    {
      rule: 'R-JR-17',
      name: '1. a batch with a 2026-07-28 member is refused whole',
      request: post(`[${modernRequest('tools/list').body}]`),
      expect: {
        status: 400,
        json: rpcError(
          -32600,
          'A 2026-07-28 request must be a single message, not a batch',
          undefined,
          null,
        ),
      },
    },
    {
      rule: 'R-JR-17',
      name: '1. a batch under a 2026-07-28 header is refused whole, not called an unsupported version',
      request: post('[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]', {
        'mcp-protocol-version': MODERN,
      }),
      expect: {
        status: 400,
        json: rpcError(
          -32600,
          'A 2026-07-28 request must be a single message, not a batch',
          undefined,
          null,
        ),
      },
    },
    {
      rule: 'R-LC-29',
      name: '2. a body with the _meta claim is served as 2026-07-28',
      request: modernRequest('tools/list'),
      expect: { status: 200 },
    },
    {
      rule: 'R-LC-29',
      name: '3. initialize without the claim is the legacy handshake, even with a 2026-07-28 header',
      request: post(initializeRequest(MODERN), { 'mcp-protocol-version': MODERN }),
      expect: { status: 200 },
    },
    {
      rule: 'R-LC-21',
      name: '4. a 2026-07-28 header without the _meta claim is 400 -32602 naming the keys',
      request: {
        ...modernRequest('tools/list'),
        body: '{"jsonrpc":"2.0","id":4,"method":"tools/list"}',
      },
      expect: {
        status: 400,
        json: rpcError(
          -32602,
          'Missing _meta keys for 2026-07-28: io.modelcontextprotocol/protocolVersion, io.modelcontextprotocol/clientCapabilities',
          undefined,
          4,
        ),
      },
    },
    {
      rule: 'R-LC-29',
      name: '5. no claim and a legacy header is legacy: no resultType',
      request: legacyRequest('ping'),
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":1,"result":{}}' },
    },
  ])
})

describe('per-request validation, in order', () => {
  const MISSING_CAPS = { 'io.modelcontextprotocol/protocolVersion': MODERN }
  wireTable([
    {
      rule: 'R-HT-34',
      name: 'missing MCP-Protocol-Version is -32020',
      request: modernRequest(
        'tools/list',
        {},
        { id: 'a', headers: { 'mcp-protocol-version': undefined } },
      ),
      expect: {
        status: 400,
        json: rpcError(-32020, 'Missing MCP-Protocol-Version header', undefined, 'a'),
      },
    },
    {
      rule: 'R-LC-21',
      name: 'missing clientCapabilities is -32602',
      request: modernRequest('tools/list', {}, { id: 'b', meta: MISSING_CAPS }),
      expect: {
        status: 400,
        json: rpcError(
          -32602,
          '_meta: "io.modelcontextprotocol/clientCapabilities" is required',
          undefined,
          'b',
        ),
      },
    },
    {
      rule: 'R-LC-20',
      name: 'a clientInfo without a version is -32602',
      request: modernRequest(
        'tools/list',
        {},
        { meta: { ...MODERN_META, 'io.modelcontextprotocol/clientInfo': { name: 'x' } } },
      ),
      expect: {
        status: 400,
        json: rpcError(-32602, '_meta: "io.modelcontextprotocol/clientInfo.version" is required'),
      },
    },
    {
      rule: 'R-SF-32',
      name: 'an unknown logLevel is -32602',
      request: modernRequest(
        'tools/list',
        {},
        { meta: { ...MODERN_META, 'io.modelcontextprotocol/logLevel': 'loud' } },
      ),
      expect: { status: 400 },
    },
    {
      rule: 'R-HT-34',
      name: 'a header that differs from _meta is -32020',
      request: modernRequest(
        'tools/list',
        {},
        { headers: { 'mcp-protocol-version': '2025-11-25' } },
      ),
      expect: {
        status: 400,
        json: rpcError(
          -32020,
          "Header mismatch: MCP-Protocol-Version '2025-11-25' does not match _meta '2026-07-28'",
        ),
      },
    },
    {
      rule: 'R-LC-22',
      name: 'a version we do not serve is -32022 listing every version we serve',
      request: modernRequest(
        'tools/list',
        {},
        {
          meta: { ...MODERN_META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
          headers: { 'mcp-protocol-version': '2099-01-01' },
        },
      ),
      expect: {
        status: 400,
        json: rpcError(-32022, 'Unsupported protocol version: 2099-01-01', {
          supported: SUPPORTED_REVISIONS,
          requested: '2099-01-01',
        }),
      },
    },
    {
      rule: 'R-HT-36',
      name: 'missing Mcp-Method is -32020',
      request: modernRequest('tools/list', {}, { headers: { 'mcp-method': undefined } }),
      expect: { status: 400, json: rpcError(-32020, 'Missing Mcp-Method header') },
    },
    {
      rule: 'R-HT-36',
      name: 'Mcp-Method values are case-sensitive',
      request: modernRequest('tools/list', {}, { headers: { 'mcp-method': 'Tools/List' } }),
      expect: {
        status: 400,
        json: rpcError(
          -32020,
          "Header mismatch: Mcp-Method 'Tools/List' does not match body 'tools/list'",
        ),
      },
    },
    {
      rule: 'R-HT-36',
      name: 'Mcp-Method is never Base64-decoded (the sentinel is for Mcp-Name and Mcp-Param-*): a wrapped value is -32020',
      request: modernRequest(
        'tools/list',
        {},
        { headers: { 'mcp-method': `=?base64?${btoa('tools/list')}?=` } },
      ),
      expect: {
        status: 400,
        json: rpcError(
          -32020,
          "Header mismatch: Mcp-Method '=?base64?dG9vbHMvbGlzdA==?=' does not match body 'tools/list'",
        ),
      },
    },
    {
      rule: 'R-HT-36',
      name: 'tools/call without Mcp-Name is -32020',
      request: modernRequest(
        'tools/call',
        { name: 'echo', arguments: { text: 'x' } },
        { headers: { 'mcp-name': undefined } },
      ),
      expect: { status: 400, json: rpcError(-32020, 'Missing Mcp-Name header') },
    },
    {
      rule: 'R-HT-37',
      name: 'an Mcp-Name that differs from the body is -32020',
      request: modernRequest(
        'tools/call',
        { name: 'echo', arguments: { text: 'x' } },
        { headers: { 'mcp-name': 'add' } },
      ),
      expect: {
        status: 400,
        json: rpcError(-32020, "Header mismatch: Mcp-Name 'add' does not match body name 'echo'"),
      },
    },
    {
      rule: 'R-HT-36',
      name: 'a Base64-wrapped Mcp-Name is decoded before comparing',
      request: modernRequest(
        'tools/call',
        { name: 'echo', arguments: { text: 'x' } },
        { headers: { 'mcp-name': `=?base64?${btoa('echo')}?=` } },
      ),
      expect: { status: 200 },
    },
    {
      rule: 'R-HT-36',
      name: 'a Base64-wrapped Mcp-Name of resources/read (a URI outside the plain set) is decoded',
      request: modernRequest(
        'resources/read',
        { uri: 'bare-mcp://greeting/Adä' },
        // "=?base64?" + Base64 of the URI's UTF-8 bytes (ä is C3 A4)
        { headers: { 'mcp-name': '=?base64?YmFyZS1tY3A6Ly9ncmVldGluZy9BZMOk?=' } },
      ),
      expect: { status: 200 },
    },
    {
      rule: 'R-HT-37',
      name: 'an Mcp-Name with broken Base64 is -32020',
      request: modernRequest(
        'tools/call',
        { name: 'echo', arguments: { text: 'x' } },
        { headers: { 'mcp-name': '=?base64?!!!?=' } },
      ),
      expect: { status: 400, json: rpcError(-32020, 'Mcp-Name header has invalid characters') },
    },
    {
      rule: 'R-HT-37',
      name: 'Base64 without its padding is broken Base64: -32020 (SEP-2243)',
      request: modernRequest(
        'tools/call',
        { name: 'echo', arguments: { text: 'x' } },
        // btoa('echo!') is "ZWNobyE="; the same without its "=" must not be decoded.
        { headers: { 'mcp-name': '=?base64?ZWNobyE?=' } },
      ),
      expect: { status: 400, json: rpcError(-32020, 'Mcp-Name header has invalid characters') },
    },
    {
      rule: 'R-HT-35',
      name: 'an unknown method is 404 -32601',
      request: modernRequest('tools/lsit'),
      expect: { status: 404, json: rpcError(-32601, 'Method not found: tools/lsit') },
    },
    ...[
      'initialize',
      'ping',
      'logging/setLevel',
      'resources/subscribe',
      'resources/unsubscribe',
    ].map((method): WireCase => ({
      rule: 'R-LC-27',
      name: `the legacy-only method ${method} is 404 -32601`,
      request: modernRequest(method, {}, { id: 'x' }),
      expect: {
        status: 404,
        json: rpcError(-32601, `Method not found: ${method}`, undefined, 'x'),
      },
    })),
    {
      rule: 'R-HT-31',
      name: 'a 2026-07-28 notification gets 202',
      request: {
        ...modernRequest('notifications/cancelled'),
        body: JSON.stringify({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: 1, _meta: MODERN_META },
        }),
      },
      expect: { status: 202, body: '' },
    },
  ])
})

describe('results', () => {
  test('R-LC-23 server/discover names every version, capabilities, instructions and cache hints', async () => {
    const res = await send(modernRequest('server/discover', {}, { id: 'd1' }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 'd1',
      result: {
        resultType: 'complete',
        supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
        capabilities: {
          logging: {},
          completions: {},
          prompts: {},
          resources: { subscribe: true, listChanged: true },
          tools: { listChanged: false },
        },
        instructions: SERVER_INFO.instructions,
        ttlMs: 3_600_000,
        cacheScope: 'public',
        _meta: SERVER_META,
      },
    })
  })

  test('R-SF-35 tools/list carries resultType, ttlMs, cacheScope and serverInfo', async () => {
    const body = (await (await send(modernRequest('tools/list'))).json()) as {
      result: Record<string, unknown>
    }
    const { tools, ...rest } = body.result
    expect(rest).toEqual({
      resultType: 'complete',
      ttlMs: 300_000,
      cacheScope: 'public',
      _meta: SERVER_META,
    })
    expect((tools as { name: string }[]).map((tool) => tool.name)).toEqual([
      'echo',
      'add',
      'count',
      'greet',
      'search',
      'fetch',
    ])
  })

  test('R-JR-11 a tools/call result carries resultType and serverInfo but no cache hints', async () => {
    const res = await send(modernRequest('tools/call', { name: 'add', arguments: { a: 1, b: 2 } }))
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        resultType: 'complete',
        content: [{ type: 'text', text: '{"sum":3}' }],
        structuredContent: { sum: 3 },
        _meta: SERVER_META,
      },
    })
  })

  wireTable([
    {
      rule: 'R-SF-7',
      name: '2026-07-28: an unknown tool is -32602 with HTTP 400',
      request: modernRequest('tools/call', { name: 'nope', arguments: {} }),
      expect: { status: 400, json: rpcError(-32602, 'Unknown tool: nope') },
    },
    {
      rule: 'R-SF-7',
      name: '2026-07-28: invalid arguments are a tool error result',
      request: modernRequest('tools/call', { name: 'add', arguments: { a: 1 } }),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          result: {
            resultType: 'complete',
            content: [
              { type: 'text', text: 'Invalid arguments for tool add: "arguments.b" is required' },
            ],
            isError: true,
            _meta: SERVER_META,
          },
        },
      },
    },
  ])
})

describe('logging and progress (per request)', () => {
  const count = (meta: Record<string, unknown>) =>
    modernRequest('tools/call', { name: 'count', arguments: { to: 1, delayMs: 0 } }, { meta })

  test('R-SF-32 without a logLevel the request gets no log messages at all', async () => {
    const res = await send(count(MODERN_META))
    expect(res.headers.get('content-type')).toBe('application/json')
  })

  test('R-SF-32 with a logLevel, messages at or above it arrive on the response stream', async () => {
    const sent = await messages(
      await send(count({ ...MODERN_META, 'io.modelcontextprotocol/logLevel': 'debug' })),
    )
    expect(sent.map((m) => (m as { params?: { level?: string } }).params?.level)).toEqual([
      'debug',
      'info',
      undefined,
    ])
  })

  test("R-HT-32 the SSE reply carries this request's notifications, then its response, and ends; never a request", async () => {
    const res = await send(
      count({ ...MODERN_META, progressToken: 'p', 'io.modelcontextprotocol/logLevel': 'info' }),
    )
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    // messages() reads the body to its end: the stream ends after the response.
    const sent = (await messages(res)) as Record<string, unknown>[]
    const last = sent.pop()
    expect(last).toMatchObject({ jsonrpc: '2.0', id: 1, result: { resultType: 'complete' } })
    expect(sent.map((m) => m.method)).toEqual(['notifications/progress', 'notifications/message'])
    for (const message of sent) expect(message).not.toHaveProperty('id')
  })

  test('R-HT-33 the SSE reply is marked unbuffered (X-Accel-Buffering: no) and uncached', async () => {
    const res = await send(count({ ...MODERN_META, progressToken: 'p' }))
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    await res.text()
  })

  test('R-JR-19 progress with a token streams before the result', async () => {
    const sent = await messages(await send(count({ ...MODERN_META, progressToken: 'p' })))
    expect(sent[0]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'p', progress: 1, total: 1, message: 'Counted to 1' },
    })
  })
})

/** A 2026-07-28 reply: a result (complete or input_required) or an error. */
type Reply = {
  result: {
    resultType: string
    inputRequests?: Record<string, unknown>
    requestState?: string
    content?: unknown
  }
  error?: { code: number; message: string; data?: unknown }
}

describe('MRTR: input_required and retry', () => {
  const greet = (params: Record<string, unknown> = {}, meta: Record<string, unknown> = ELICITING) =>
    modernRequest('tools/call', { name: 'greet', arguments: {}, ...params }, { meta })

  test('R-SF-43 a tool that needs input answers input_required with the question and a signed state', async () => {
    const { status, body } = await reply<Reply>(greet(), TEST_SERVER)
    expect(status).toBe(200)
    expect(body.result).toEqual({
      resultType: 'input_required',
      inputRequests: {
        q0: {
          method: 'elicitation/create',
          params: {
            mode: 'form',
            message: 'What is your name?',
            requestedSchema: {
              type: 'object',
              properties: {
                name: { type: 'string', title: 'Your name', minLength: 1, maxLength: 100 },
              },
              required: ['name'],
            },
          },
        },
      },
      requestState: expect.stringMatching(/^v1\.[\w-]+\.[\w-]+$/),
      _meta: SERVER_META,
    })
  })

  test('R-SF-45 the retry with inputResponses and the state completes the call', async () => {
    const first = await reply<Reply>(greet(), WORKER_WITH_GREET)
    const answer = { action: 'accept', content: { name: 'Ada' } }
    const { body } = await reply<Reply>(
      greet({ inputResponses: { q0: answer }, requestState: first.body.result.requestState }),
      WORKER_WITH_GREET,
    )
    expect(body.result).toEqual({
      resultType: 'complete',
      content: [{ type: 'text', text: 'Hello, Ada!' }],
      _meta: SERVER_META,
    })
  })

  test('R-SF-45 a declined question is handled by the tool', async () => {
    const first = await reply<Reply>(greet(), TEST_SERVER)
    const { body } = await reply<Reply>(
      greet({
        inputResponses: { q0: { action: 'decline' } },
        requestState: first.body.result.requestState,
      }),
      TEST_SERVER,
    )
    expect(body.result.content).toEqual([{ type: 'text', text: 'Hello, stranger.' }])
  })

  test('R-SF-45 answers are kept in the state across rounds; unknown answers are ignored', async () => {
    const request = (params: Record<string, unknown>) =>
      modernRequest(
        'tools/call',
        { name: 'confirm', arguments: { item: 'cake' }, ...params },
        {
          meta: {
            ...MODERN_META,
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {}, sampling: {} },
          },
        },
      )
    const one = await reply<Reply>(request({}), TEST_SERVER)
    expect(Object.keys(one.body.result.inputRequests ?? {})).toEqual(['q0'])
    const two = await reply<Reply>(
      request({
        inputResponses: { q0: { action: 'accept' }, q9: { x: 1 } },
        requestState: one.body.result.requestState,
      }),
      TEST_SERVER,
    )
    expect(Object.keys(two.body.result.inputRequests ?? {})).toEqual(['q1'])
    const three = await reply<Reply>(
      request({
        inputResponses: { q1: { model: 'm1', role: 'assistant' } },
        requestState: two.body.result.requestState,
      }),
      TEST_SERVER,
    )
    expect(three.body.result.content).toEqual([{ type: 'text', text: 'cake: accept, m1' }])
  })

  test('R-LC-25 a client that did not declare elicitation gets -32021 naming it (HTTP 400)', async () => {
    const { status, body } = await reply<Reply>(greet({}, MODERN_META), TEST_SERVER)
    expect(status).toBe(400)
    expect(body.error).toEqual({
      code: -32021,
      message: 'This request needs the client capability for elicitation/create',
      data: { requiredCapabilities: { elicitation: {} } },
    })
  })

  test('R-SF-44 elicitation declared for URL mode only does not allow a form', async () => {
    const meta = {
      ...MODERN_META,
      'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } },
    }
    const { body } = await reply<Reply>(greet({}, meta), TEST_SERVER)
    expect(body.error?.code).toBe(-32021)
  })

  test('R-SF-45 a tampered requestState is refused', async () => {
    const first = await reply<Reply>(greet(), TEST_SERVER)
    const state = first.body.result.requestState ?? ''
    const tampered = state.replace(/\.([\w-])/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`)
    const { status, body } = await reply<Reply>(
      greet({ inputResponses: { q0: { action: 'accept' } }, requestState: tampered }),
      TEST_SERVER,
    )
    expect(status).toBe(400)
    expect(body.error).toEqual({ code: -32602, message: 'requestState failed verification' })
  })

  test('R-SF-45 a state from another call (other arguments) is refused', async () => {
    const request = (item: string, params: Record<string, unknown> = {}) =>
      modernRequest(
        'tools/call',
        { name: 'confirm', arguments: { item }, ...params },
        { meta: ELICITING },
      )
    const first = await reply<Reply>(request('cake'), TEST_SERVER)
    const { body } = await reply<Reply>(
      request('pie', { requestState: first.body.result.requestState }),
      TEST_SERVER,
    )
    expect(body.error).toEqual({
      code: -32602,
      message: 'requestState belongs to a different request',
    })
  })

  test('R-SF-45 an expired state is refused', async () => {
    const state = await forgeState({
      v: 1,
      c: null,
      m: 'tools/call',
      t: 'greet',
      h: await argsDigest({}),
      e: Date.now() - 1,
      a: {},
      p: ['q0'],
    })
    const { body } = await reply<Reply>(greet({ requestState: state }), TEST_SERVER)
    expect(body.error).toEqual({
      code: -32602,
      message: 'requestState has expired; call again without it',
    })
  })

  test('R-SF-45 a state we never issued is refused', async () => {
    const { body } = await reply<Reply>(greet({ requestState: 'v1.e30.AAAA' }), TEST_SERVER)
    expect(body.error?.message).toBe('requestState failed verification')
    const garbage = await reply<Reply>(greet({ requestState: 'hello' }), TEST_SERVER)
    expect(garbage.body.error?.message).toBe('requestState is not one we issued')
  })

  test('R-SF-45 malformed inputResponses are -32602', async () => {
    const { body } = await reply<Reply>(greet({ inputResponses: [1] }), TEST_SERVER)
    expect(body.error).toEqual({
      code: -32602,
      message: 'tools/call: inputResponses must map keys to result objects',
    })
  })

  test('R-SF-43 a legacy client without a session gets a tool error explaining why', async () => {
    const res = await send(legacyRequest('tools/call', toolCall('greet', {})))
    const body = (await res.json()) as { result: { isError: boolean; content: { text: string }[] } }
    expect(body.result.isError).toBe(true)
    expect(body.result.content[0]?.text).toMatch(
      /needs input from the client \(elicitation\/create\)/,
    )
  })
})

const WORKER_WITH_GREET: Target = serverWith(TOOLS)

const SECRET = 'x'.repeat(32)
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const argsDigest = async (args: unknown) =>
  b64url(
    new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(args))),
    ),
  )
/** Signs a state with the test server's secret, as the server would (to test expiry). */
const forgeState = async (state: unknown) => {
  const body = b64url(new TextEncoder().encode(JSON.stringify(state)))
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return `v1.${body}.${b64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body))))}`
}

describe('subscriptions/listen', () => {
  test('R-SF-47 the stream opens with the acknowledgement, carrying the subscription id', async () => {
    const res = await send(
      modernRequest(
        'subscriptions/listen',
        { notifications: { toolsListChanged: true } },
        { id: 'sub-1' },
      ),
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    const reader = res.body!.getReader()
    const { value } = await reader.read()
    const [first] = parseSse(new TextDecoder().decode(value))
    expect(JSON.parse(first!.data)).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' }, notifications: {} },
    })
    await reader.cancel()
  })

  wireTable([
    {
      rule: 'R-SF-47',
      name: 'a malformed filter is -32602',
      request: modernRequest('subscriptions/listen', {
        notifications: { toolsListChanged: 'yes' },
      }),
      expect: {
        status: 400,
        json: rpcError(
          -32602,
          'subscriptions/listen: "params.notifications.toolsListChanged" must be a boolean',
        ),
      },
    },
    {
      rule: 'R-SF-47',
      name: 'a client that cannot take SSE cannot listen',
      request: modernRequest(
        'subscriptions/listen',
        {},
        { headers: { accept: 'application/json' } },
      ),
      expect: { status: 406 },
    },
  ])
})

describe('cancellation', () => {
  const watch = (ms: number, version: 'modern' | 'legacy') =>
    version === 'modern'
      ? modernRequest('tools/call', toolCall('watch', { ms }), {
          meta: { ...MODERN_META, progressToken: 1 },
        })
      : legacyRequest('tools/call', toolCall('watch', { ms }, { progressToken: 1 }))

  test('R-JR-21 R-HT-39 2026-07-28: closing the response stream cancels the call', async () => {
    const before = watched.aborted
    const res = await send(watch(5_000, 'modern'), TEST_SERVER)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    await res.body!.cancel()
    await scheduler.wait(200)
    expect(watched.aborted).toBe(before + 1)
  })

  test('R-HT-8 legacy: a closed stream is not a cancellation; the call runs to its end', async () => {
    const before = { ...watched }
    const res = await send(watch(150, 'legacy'), TEST_SERVER)
    await res.body!.cancel()
    await scheduler.wait(400)
    expect(watched.aborted).toBe(before.aborted)
    expect(watched.finished).toBe(before.finished + 1)
  })
})

describe('Mcp-Param-* headers (x-mcp-header)', () => {
  const ROUTER = serverWith([route])
  const routeCall = (
    args: Record<string, unknown>,
    headers: Record<string, string | undefined> = {},
  ) => modernRequest('tools/call', { name: 'route', arguments: args }, { headers })

  type Listing = {
    result: { tools: { inputSchema: { properties: Record<string, Record<string, unknown>> } }[] }
  }
  describe.each(REVISIONS)('%s', (revision) => {
    test('R-HT-38 mirrored arguments are marked x-mcp-header only in the revision with Mcp-Param-* headers', async () => {
      const { body } = await reply<Listing>(requestIn(revision, 'tools/list'), ROUTER)
      const { properties } = body.result.tools[0]!.inputSchema
      const marked = (header: string) =>
        has(revision, 'headerParams') ? { 'x-mcp-header': header } : {}
      expect(properties.region).toEqual({ type: 'string', ...marked('Region') })
      expect(properties.shard).toEqual({ type: 'integer', ...marked('Shard') })
    })
  })

  wireTable(
    [
      {
        rule: 'R-HT-38',
        name: 'headers that match the arguments are accepted',
        request: routeCall(
          { region: 'us-west1', shard: 42, dry: false },
          { 'mcp-param-region': 'us-west1', 'mcp-param-shard': '42', 'mcp-param-dry-run': 'false' },
        ),
        expect: { status: 200 },
      },
      {
        rule: 'R-HT-38',
        name: 'integers are compared as numbers (42.0 = 42)',
        request: routeCall({ shard: 42 }, { 'mcp-param-shard': '42.0' }),
        expect: { status: 200 },
      },
      {
        rule: 'R-HT-38',
        name: 'a Base64-wrapped value is decoded before comparing',
        request: routeCall(
          { region: 'Hello, 世界' },
          { 'mcp-param-region': '=?base64?SGVsbG8sIOS4lueVjA==?=' },
        ),
        expect: { status: 200 },
      },
      {
        rule: 'R-HT-38',
        name: 'an argument absent from the body needs no header',
        request: routeCall({}),
        expect: { status: 200 },
      },
      {
        rule: 'R-HT-38',
        name: 'an argument in the body without its header is -32020',
        request: routeCall({ region: 'eu' }),
        expect: { status: 400, json: rpcError(-32020, 'Missing Mcp-Param-Region header') },
      },
      {
        rule: 'R-HT-38',
        name: 'a header that disagrees with the body is -32020',
        request: routeCall({ region: 'eu' }, { 'mcp-param-region': 'us' }),
        expect: {
          status: 400,
          json: rpcError(
            -32020,
            "Header mismatch: Mcp-Param-Region 'us' does not match argument region",
          ),
        },
      },
      {
        rule: 'R-HT-38',
        name: 'a boolean header must be exactly true or false',
        request: routeCall({ dry: true }, { 'mcp-param-dry-run': 'TRUE' }),
        expect: { status: 400 },
      },
    ].map((c): WireCase => ({ ...c, target: ROUTER })),
  )
})

describe('statelessness and old-client traffic', () => {
  test('R-LC-24 capabilities are read from each request alone, never remembered', async () => {
    const greetWith = (meta: Record<string, unknown>, id: number) =>
      modernRequest('tools/call', { name: 'greet', arguments: {} }, { id, meta })
    expect((await reply<Reply>(greetWith(ELICITING, 1), TEST_SERVER)).body.result.resultType).toBe(
      'input_required',
    )
    expect((await reply<Reply>(greetWith(MODERN_META, 2), TEST_SERVER)).body.error?.code).toBe(
      -32021,
    )
  })

  test('R-JR-15 the 2026-07-28 codes: -32020, -32021 with data.requiredCapabilities, -32022 with data.supported and data.requested, all HTTP 400', async () => {
    const mismatch = await reply<Reply>(
      modernRequest('tools/list', {}, { headers: { 'mcp-method': 'x' } }),
      TEST_SERVER,
    )
    expect(mismatch.status).toBe(400)
    expect(mismatch.body.error).toMatchObject({ code: -32020 })
    const missing = await reply<Reply>(
      modernRequest('tools/call', { name: 'greet', arguments: {} }),
      TEST_SERVER,
    )
    expect(missing.status).toBe(400)
    expect(missing.body.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { elicitation: {} } },
    })
    const unsupported = await reply<Reply>(
      modernRequest(
        'tools/list',
        {},
        {
          headers: { 'mcp-protocol-version': '2099-01-01' },
          meta: { ...MODERN_META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
        },
      ),
      TEST_SERVER,
    )
    expect(unsupported.status).toBe(400)
    expect(unsupported.body.error).toEqual({
      code: -32022,
      message: 'Unsupported protocol version: 2099-01-01',
      data: { supported: SUPPORTED_REVISIONS, requested: '2099-01-01' },
    })
  })

  test('R-LC-31 server/discover declares only 2026-07-28 ServerCapabilities, shaped as the schema has them', async () => {
    const body = (await (await send(modernRequest('server/discover'))).json()) as {
      result: { capabilities: Record<string, Record<string, unknown>> }
    }
    const { capabilities } = body.result
    const SCHEMA: Record<string, string[]> = {
      experimental: [],
      logging: [],
      completions: [],
      prompts: ['listChanged'],
      resources: ['subscribe', 'listChanged'],
      tools: ['listChanged'],
      extensions: [],
    }
    expect(Object.keys(capabilities).length).toBeGreaterThan(0)
    for (const [name, value] of Object.entries(capabilities)) {
      expect(Object.keys(SCHEMA), name).toContain(name)
      for (const [flag, set] of Object.entries(value)) {
        expect(SCHEMA[name], `${name}.${flag}`).toContain(flag)
        expect(typeof set, `${name}.${flag}`).toBe('boolean')
      }
    }
  })

  test('R-SF-11 tools/list does not vary with other requests: same tools, same order, every page the same cacheScope', async () => {
    const PAGED = serverWith(TOOLS, { PAGE_SIZE: '2' })
    const listAll = async () => {
      const pages: { tools: { name: string }[]; ttlMs: number; cacheScope: string }[] = []
      let cursor: string | undefined
      do {
        const res = await send(
          modernRequest('tools/list', cursor === undefined ? {} : { cursor }),
          PAGED,
        )
        const page = (
          (await res.json()) as { result: (typeof pages)[number] & { nextCursor?: string } }
        ).result
        pages.push(page)
        cursor = page.nextCursor
      } while (cursor !== undefined)
      return pages
    }
    const first = await listAll()
    await send(modernRequest('tools/call', { name: 'add', arguments: { a: 1, b: 2 } }), PAGED)
    const second = await listAll()
    expect(first.length).toBeGreaterThan(1)
    expect(second).toEqual(first)
    const names = first.flatMap((page) => page.tools.map((tool) => tool.name))
    expect(names).toEqual(TOOLS.map((tool) => tool.name))
    expect(new Set(first.map((page) => page.cacheScope))).toEqual(new Set(['public']))
    for (const page of first) expect(Number.isInteger(page.ttlMs) && page.ttlMs >= 0).toBe(true)
  })

  test('R-LC-26 every 2026-07-28 result names the server in _meta', async () => {
    for (const method of ['server/discover', 'tools/list']) {
      const body = (await (await send(modernRequest(method))).json()) as {
        result: { _meta: unknown }
      }
      expect(body.result._meta).toEqual(SERVER_META)
    }
  })

  test('R-HT-30 R-HT-40 an Mcp-Session-Id from an old client is ignored, never echoed or minted: no sessions in 2026-07-28', async () => {
    const res = await send(
      modernRequest('tools/list', {}, { headers: { 'mcp-session-id': 'old-session' } }),
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('mcp-session-id')).toBeNull()
  })

  test('R-HT-41 every refusal of a 2026-07-28 request is a JSON-RPC error body with the request id', async () => {
    const refusals = [
      modernRequest('tools/list', {}, { id: 'r1', headers: { 'mcp-protocol-version': undefined } }),
      modernRequest(
        'tools/list',
        {},
        { id: 'r2', meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } },
      ),
      modernRequest('nope', {}, { id: 'r3' }),
      modernRequest(
        'tools/call',
        { name: 'echo', arguments: {} },
        { id: 'r4', headers: { 'mcp-name': 'x' } },
      ),
    ]
    for (const [index, request] of refusals.entries()) {
      const res = await send(request)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.headers.get('content-type')).toBe('application/json')
      const body = (await res.json()) as { id: unknown; error: { code: number } }
      expect(body.id).toBe(`r${index + 1}`)
      expect([-32020, -32021, -32022, -32601, -32602]).toContain(body.error.code)
    }
  })
})
