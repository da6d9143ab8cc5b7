// Replays: what real clients send, byte for byte as far as we know it, POSTed with plain fetch
// (no SDK) to the Worker under `wrangler dev`. Each step is its own POST and nothing is carried
// from one to the next: no session id is ever sent back. `initialize` may offer one (sessions are
// on by default); clients that ignore it, as ChatGPT does, must be served all the same.
//
//   (a) ChatGPT on the 2026-07-28 path: server/discover, tools/list, tools/call.
//   (b) ChatGPT's fallback observed in ../shared/spec/CLIENTS.md C2: initialize at 2025-11-25,
//       notifications/initialized, tools/list, tools/call.
//   (c) A 2025-03-26 client: no MCP-Protocol-Version header at all.
//   (d) Modern requests the server must refuse, each with a JSON-RPC error carrying the id.
//   (e) subscriptions/listen: the stream opens with its acknowledgement.

import { describe, expect, inject, test } from 'vitest'
import { messagesIn, post, type Message, type Reply } from './helpers.ts'

const MODERN = '2026-07-28'
const LEGACY = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']
const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const
const T = { timeout: 20_000 }

const endpoint = () => `${inject('mcpUrl')}/mcp`

/** What every client here sends on every POST. */
const BASE = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }

/** ChatGPT's headers (C2): its user agent and opaque session / subject ids. */
const CHATGPT = {
  ...BASE,
  'user-agent': 'openai-mcp/1.0.0',
  'x-openai-session': 'replay-session-7f3a',
  'x-openai-subject': 'replay-subject-91c2',
}

/** A 2026-07-28 POST's headers: the version, and the method (and name) mirrored from the body. */
const modernHeaders = (method: string, name?: string): Record<string, string> => ({
  ...CHATGPT,
  'mcp-protocol-version': MODERN,
  'mcp-method': method,
  ...(name === undefined ? {} : { 'mcp-name': name }),
})

/** A 2026-07-28 request's `_meta` envelope. */
const modernMeta = (extra: Record<string, unknown> = {}) => ({
  [META.protocolVersion]: MODERN,
  [META.clientCapabilities]: {},
  [META.clientInfo]: { name: 'openai-mcp', version: '1.0.0' },
  ...extra,
})

const request = (id: number | string, method: string, params?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params === undefined ? {} : { params }),
})

const toolNames = (names: string[]) => names.map((name) => expect.objectContaining({ name }))
const ALL_TOOLS = ['echo', 'add', 'count', 'greet', 'search', 'fetch']
/** Fields only a 2026-07-28 result has; a legacy result must carry none of them. */
const MODERN_ONLY = ['resultType', 'ttlMs', 'cacheScope', '_meta']

interface Step {
  label: string
  headers: Record<string, string>
  body: ReturnType<typeof request> | { jsonrpc: string; method: string; params?: unknown }
  status: number
  /** A pattern the result must match (toMatchObject); absent for a 202. */
  result?: Record<string, unknown>
  /** Result members that must not be there. */
  without?: string[]
  /** Methods of the notifications streamed before the response (SSE). */
  notifications?: string[]
  /** Anything else to check on the result. */
  check?: (result: Record<string, unknown>) => void
}

interface Sequence {
  name: string
  steps: Step[]
}

/** The response to `step`: the last message, after only the expected notifications. */
const checkStep = (step: Step, reply: Reply) => {
  const where = `${step.label}: ${reply.status} ${reply.text.slice(0, 500)}`
  expect(reply.status, where).toBe(step.status)
  // Only `initialize` may offer a session; nothing else ever mints one.
  if (!step.label.includes('initialize')) {
    expect(reply.headers.has('mcp-session-id'), where).toBe(false)
  }
  if (step.result === undefined) {
    expect(reply.text, where).toBe('')
    return
  }
  expect(reply.contentType, where).toMatch(/^(application\/json|text\/event-stream)/)
  const response = reply.messages.at(-1)
  const before = reply.messages.slice(0, -1)
  expect(
    before.map((message) => message.method),
    where,
  ).toEqual(step.notifications ?? [])
  expect(response, where).toMatchObject({ jsonrpc: '2.0', id: (step.body as Message).id })
  expect(response?.error, where).toBeUndefined()
  const result = response?.result ?? {}
  expect(result, where).toMatchObject(step.result)
  for (const key of step.without ?? []) expect(result, `${where} (${key})`).not.toHaveProperty(key)
  step.check?.(result)
}

const SEQUENCES: Sequence[] = [
  {
    name: '(a) ChatGPT, 2026-07-28: server/discover, tools/list, tools/call',
    steps: [
      {
        label: 'server/discover',
        headers: modernHeaders('server/discover'),
        body: request(0, 'server/discover', { _meta: modernMeta() }),
        status: 200,
        result: {
          resultType: 'complete',
          supportedVersions: [MODERN, ...LEGACY],
          capabilities: { tools: {} },
          ttlMs: expect.any(Number),
          cacheScope: 'public',
          _meta: { [META.serverInfo]: { name: 'bare-mcp', version: expect.any(String) } },
        },
      },
      {
        label: 'tools/list',
        headers: modernHeaders('tools/list'),
        body: request(1, 'tools/list', { _meta: modernMeta() }),
        status: 200,
        result: {
          resultType: 'complete',
          tools: toolNames(ALL_TOOLS),
          ttlMs: expect.any(Number),
          cacheScope: 'public',
        },
        without: ['nextCursor'],
      },
      {
        label: 'tools/call echo',
        headers: modernHeaders('tools/call', 'echo'),
        body: request(2, 'tools/call', {
          name: 'echo',
          arguments: { text: 'hello from ChatGPT' },
          // C2: ChatGPT adds its own keys to tools/call `_meta`.
          _meta: modernMeta({
            'openai/locale': 'en-US',
            'openai/userAgent': 'Mozilla/5.0',
            'openai/userLocation': { country: 'US' },
            'openai/session': 'replay-session-7f3a',
            'openai/subject': 'replay-subject-91c2',
          }),
        }),
        status: 200,
        result: {
          resultType: 'complete',
          content: [{ type: 'text', text: 'hello from ChatGPT' }],
          _meta: { [META.serverInfo]: { name: 'bare-mcp' } },
        },
        without: ['isError', 'structuredContent', 'ttlMs'],
      },
      {
        label: 'tools/call count with a progressToken (streams)',
        headers: modernHeaders('tools/call', 'count'),
        body: request(3, 'tools/call', {
          name: 'count',
          arguments: { to: 2, delayMs: 10 },
          _meta: modernMeta({ progressToken: 'p-3' }),
        }),
        status: 200,
        notifications: ['notifications/progress', 'notifications/progress'],
        result: { resultType: 'complete', content: [{ type: 'text', text: 'Counted to 2.' }] },
      },
    ],
  },
  {
    name: '(b) ChatGPT fallback (C2): initialize 2025-11-25, initialized, tools/list, tools/call',
    steps: [
      {
        label: 'initialize',
        headers: { ...CHATGPT, 'mcp-protocol-version': '2025-11-25' },
        body: request(0, 'initialize', {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'openai-mcp', version: '1.0.0' },
        }),
        status: 200,
        result: {
          protocolVersion: '2025-11-25',
          capabilities: { tools: {} },
          serverInfo: { name: 'bare-mcp' },
        },
        without: MODERN_ONLY,
      },
      {
        label: 'notifications/initialized',
        headers: { ...CHATGPT, 'mcp-protocol-version': '2025-11-25' },
        body: { jsonrpc: '2.0', method: 'notifications/initialized' },
        status: 202,
      },
      {
        label: 'tools/list',
        headers: { ...CHATGPT, 'mcp-protocol-version': '2025-11-25' },
        body: request(1, 'tools/list'),
        status: 200,
        result: { tools: toolNames(ALL_TOOLS) },
        without: MODERN_ONLY,
      },
      {
        label: 'tools/call echo',
        headers: { ...CHATGPT, 'mcp-protocol-version': '2025-11-25' },
        body: request(2, 'tools/call', {
          name: 'echo',
          arguments: { text: 'hello again' },
          _meta: { 'openai/locale': 'en-US', 'openai/session': 'replay-session-7f3a' },
        }),
        status: 200,
        result: { content: [{ type: 'text', text: 'hello again' }] },
        without: [...MODERN_ONLY, 'isError'],
      },
    ],
  },
  {
    name: '(c) a 2025-03-26 client without the version header: initialize, tools/list, add',
    steps: [
      {
        label: 'initialize',
        headers: BASE,
        body: request(1, 'initialize', {
          protocolVersion: '2025-03-26',
          capabilities: {},
          clientInfo: { name: 'replay-2025-03-26', version: '1.0.0' },
        }),
        status: 200,
        result: { protocolVersion: '2025-03-26', serverInfo: { name: 'bare-mcp' } },
        without: MODERN_ONLY,
      },
      {
        label: 'notifications/initialized',
        headers: BASE,
        body: { jsonrpc: '2.0', method: 'notifications/initialized' },
        status: 202,
      },
      {
        label: 'tools/list',
        headers: BASE,
        body: request(2, 'tools/list'),
        status: 200,
        result: { tools: toolNames(ALL_TOOLS) },
        without: MODERN_ONLY,
        check: (result) => {
          // Titles and output schemas arrived in 2025-06-18.
          const add = (result.tools as Record<string, unknown>[]).find((t) => t.name === 'add')
          expect(add).not.toHaveProperty('outputSchema')
          expect(add).not.toHaveProperty('title')
        },
      },
      {
        label: 'tools/call add',
        headers: BASE,
        body: request(3, 'tools/call', { name: 'add', arguments: { a: 2, b: 3 } }),
        status: 200,
        result: { content: [{ type: 'text', text: '{"sum":5}' }] },
        without: [...MODERN_ONLY, 'structuredContent', 'isError'],
      },
    ],
  },
]

describe.each(SEQUENCES)('$name', ({ steps }) => {
  test('each step is its own POST, no session id is sent back, and all are served', T, async () => {
    for (const step of steps) {
      expect(Object.keys(step.headers).map((name) => name.toLowerCase())).not.toContain(
        'mcp-session-id',
      )
      checkStep(step, await post(endpoint(), step.headers, step.body))
    }
  })
})

interface Refusal {
  name: string
  headers: Record<string, string>
  body: ReturnType<typeof request>
  status: number
  code: number
}

const callEcho = (id: string, meta = modernMeta()) =>
  request(id, 'tools/call', { name: 'echo', arguments: { text: 'x' }, _meta: meta })

const REFUSALS: Refusal[] = [
  {
    name: 'Mcp-Name that does not match the tool in the body',
    headers: modernHeaders('tools/call', 'add'),
    body: callEcho('bad-name'),
    status: 400,
    code: -32020,
  },
  {
    name: 'tools/call without Mcp-Name',
    headers: modernHeaders('tools/call'),
    body: callEcho('no-name'),
    status: 400,
    code: -32020,
  },
  {
    name: 'Mcp-Method that does not match the body',
    headers: modernHeaders('tools/list', 'echo'),
    body: callEcho('bad-method'),
    status: 400,
    code: -32020,
  },
  {
    name: 'a _meta claim without MCP-Protocol-Version',
    headers: { ...CHATGPT, 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
    body: callEcho('no-version'),
    status: 400,
    code: -32020,
  },
  {
    name: 'MCP-Protocol-Version that differs from the _meta claim',
    headers: { ...modernHeaders('tools/call', 'echo'), 'mcp-protocol-version': '2025-11-25' },
    body: callEcho('version-mismatch'),
    status: 400,
    code: -32020,
  },
  {
    name: 'a modern header without the _meta keys',
    headers: modernHeaders('tools/list'),
    body: request('no-meta', 'tools/list'),
    status: 400,
    code: -32602,
  },
  {
    name: 'a version we do not serve',
    headers: { ...modernHeaders('tools/list'), 'mcp-protocol-version': '2027-01-01' },
    body: request('future', 'tools/list', {
      _meta: modernMeta({ [META.protocolVersion]: '2027-01-01' }),
    }),
    status: 400,
    code: -32022,
  },
  {
    name: 'an unknown modern method',
    headers: modernHeaders('tools/lsit'),
    body: request('unknown', 'tools/lsit', { _meta: modernMeta() }),
    status: 404,
    code: -32601,
  },
  {
    name: 'ping, which 2026-07-28 removed',
    headers: modernHeaders('ping'),
    body: request('ping', 'ping', { _meta: modernMeta() }),
    status: 404,
    code: -32601,
  },
  {
    name: 'initialize with a 2026-07-28 _meta claim',
    headers: modernHeaders('initialize'),
    body: request('init-modern', 'initialize', {
      protocolVersion: MODERN,
      capabilities: {},
      clientInfo: { name: 'openai-mcp', version: '1.0.0' },
      _meta: modernMeta(),
    }),
    status: 404,
    code: -32601,
  },
]

describe('(d) refused modern requests', () => {
  test.each(REFUSALS)('$name: $status, $code', T, async ({ headers, body, status, code }) => {
    const reply = await post(endpoint(), headers, body)
    const where = `${reply.status} ${reply.text.slice(0, 500)}`
    expect(reply.status, where).toBe(status)
    expect(reply.contentType, where).toMatch(/^application\/json/)
    expect(reply.headers.has('mcp-session-id'), where).toBe(false)
    expect(reply.messages, where).toEqual([
      {
        jsonrpc: '2.0',
        id: body.id,
        error: expect.objectContaining({ code, message: expect.any(String) }),
      },
    ])
    if (code === -32022) {
      expect(reply.messages[0]?.error?.data).toMatchObject({
        supported: [MODERN, ...LEGACY],
        requested: '2027-01-01',
      })
    }
  })
})

describe('(e) subscriptions/listen', () => {
  test('the stream opens with notifications/subscriptions/acknowledged', T, async () => {
    const stop = new AbortController()
    const timer = setTimeout(() => stop.abort(new Error('no acknowledgement within 5 s')), 5_000)
    try {
      const response = await fetch(endpoint(), {
        method: 'POST',
        headers: modernHeaders('subscriptions/listen'),
        body: JSON.stringify(
          request('listen-1', 'subscriptions/listen', {
            notifications: { toolsListChanged: true },
            _meta: modernMeta(),
          }),
        ),
        signal: stop.signal,
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
      expect(response.headers.has('mcp-session-id')).toBe(false)
      // Read only up to the first complete event with data: the stream itself stays open.
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
      let text = ''
      let events: Message[] = []
      while (events.length === 0) {
        const { value, done } = await reader.read()
        if (done) break
        text += value
        const end = text.search(/\r?\n\r?\n(?![\s\S]*\r?\n\r?\n)/)
        if (end >= 0) events = messagesIn('text/event-stream', text.slice(0, end))
      }
      expect(events[0]).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: { _meta: { [META.subscriptionId]: 'listen-1' }, notifications: {} },
      })
      await reader.cancel()
    } finally {
      clearTimeout(timer)
      stop.abort()
    }
  })
})
