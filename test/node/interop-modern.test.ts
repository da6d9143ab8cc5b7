// Interoperability, 2026-07-28: the official v2 client (@modelcontextprotocol/client) against the
// Worker under `wrangler dev`. The client is pinned to 2026-07-28, so it probes with
// `server/discover` and then sends every request stateless, with the per-request `_meta` envelope
// and the `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers. A wiretap fetch records each
// exchange, so the tests check what really crossed the wire, not only what the client returned.
//
// The v2 client does all of it itself: discover, listing, calls, progress, the MRTR round trip
// (it runs the `elicitation/create` handler on `input_required` and retries with
// `inputResponses` and the echoed `requestState`), and `subscriptions/listen`.

import {
  Client,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  StreamableHTTPClientTransport,
  type ClientCapabilities,
  type ElicitResult,
  type Progress,
} from '@modelcontextprotocol/client'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { messagesIn, wiretap, type Message, type Wiretap, type WireExchange } from './helpers.ts'

const MODERN = '2026-07-28'
const LEGACY = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']
const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
} as const

/** Per client request: fail fast instead of waiting for the client's 60 s default. */
const REQUEST = { timeout: 10_000 }
/** Per test. */
const TEST_TIMEOUT_MS = 15_000
const T = { timeout: TEST_TIMEOUT_MS }

const endpoint = () => new URL(`${inject('mcpUrl')}/mcp`)

/** A v2 client pinned to 2026-07-28 (no fallback: anything else fails loudly). */
const pinnedClient = (name: string, capabilities: ClientCapabilities) =>
  new Client(
    { name, version: '0.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } }, capabilities },
  )

const connect = async (client: Client, tap: Wiretap) => {
  await client.connect(new StreamableHTTPClientTransport(endpoint(), { fetch: tap.fetch }), REQUEST)
}

/** The messages of an exchange's response body. */
const answered = async (exchange: WireExchange | undefined): Promise<Message[]> => {
  const text = await exchange?.responseText
  return messagesIn(exchange?.responseHeaders.get('content-type') ?? null, text ?? '')
}

/** The exchanges that sent `method` (and, for tools/call, named `tool`). */
const sending = (tap: Wiretap, method: string, tool?: string) =>
  tap.exchanges.filter(
    (exchange) =>
      exchange.sent?.method === method &&
      (tool === undefined || exchange.sent.params?.name === tool),
  )

describe('official v2 client pinned to 2026-07-28', () => {
  const tap = wiretap()
  const elicited: unknown[] = []
  let answer: ElicitResult = { action: 'accept', content: { name: 'Ada' } }
  let client: Client

  beforeAll(async () => {
    client = pinnedClient('bare-mcp-interop-modern', { elicitation: {} })
    client.setRequestHandler('elicitation/create', async (request) => {
      elicited.push(request.params)
      return answer
    })
    await connect(client, tap)
  })

  afterAll(async () => {
    await client?.close()
  })

  test('connect probes with server/discover and settles on 2026-07-28', T, async () => {
    expect(client.getProtocolEra()).toBe('modern')
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN)
    expect(client.getServerVersion()).toMatchObject({ name: 'bare-mcp' })
    const [probe] = tap.exchanges
    expect(probe?.sent).toMatchObject({
      method: 'server/discover',
      params: { _meta: { [META.protocolVersion]: MODERN, [META.clientCapabilities]: {} } },
    })
    expect(probe?.status).toBe(200)
  })

  test('server/discover lists 2026-07-28 and the four legacy versions', T, async () => {
    const discovered = await client.discover(REQUEST)
    expect(discovered.supportedVersions).toEqual(expect.arrayContaining([MODERN, ...LEGACY]))
    expect(discovered.capabilities).toHaveProperty('tools')
    const [reply] = await answered(sending(tap, 'server/discover').at(-1))
    expect(reply?.result).toMatchObject({
      resultType: 'complete',
      supportedVersions: [MODERN, ...LEGACY],
      ttlMs: expect.any(Number),
      cacheScope: 'public',
      _meta: { [META.serverInfo]: { name: 'bare-mcp' } },
    })
  })

  test('tools/list returns echo, add, count and greet', T, async () => {
    const { tools, nextCursor } = await client.listTools(undefined, {
      ...REQUEST,
      cacheMode: 'refresh',
    })
    expect(nextCursor).toBeUndefined()
    expect(tools.map((tool) => tool.name)).toEqual([
      'echo',
      'add',
      'count',
      'greet',
      'search',
      'fetch',
    ])
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object')
    expect(tools.find((tool) => tool.name === 'add')?.outputSchema?.type).toBe('object')
    const [reply] = await answered(sending(tap, 'tools/list').at(-1))
    expect(reply?.result).toMatchObject({
      resultType: 'complete',
      ttlMs: expect.any(Number),
      cacheScope: 'public',
    })
  })

  test.each([
    { name: 'echo', args: { text: 'hi' }, text: 'hi', structured: undefined },
    { name: 'add', args: { a: 2, b: 3 }, text: '{"sum":5}', structured: { sum: 5 } },
  ])('tools/call $name', T, async ({ name, args, text, structured }) => {
    const result = await client.callTool({ name, arguments: args }, REQUEST)
    expect(result.isError ?? false).toBe(false)
    expect(result.content).toEqual([{ type: 'text', text }])
    if (structured === undefined) expect(result).not.toHaveProperty('structuredContent')
    else expect(result.structuredContent).toEqual(structured)
    const [reply] = await answered(sending(tap, 'tools/call', name).at(-1))
    expect(reply?.result).toMatchObject({
      resultType: 'complete',
      _meta: { [META.serverInfo]: { name: 'bare-mcp' } },
    })
    // A call result is not cacheable: no cache hints.
    expect(reply?.result).not.toHaveProperty('ttlMs')
  })

  test('tools/call count reports progress 1, 2, 3 of 3 on an SSE stream', T, async () => {
    const progress: Progress[] = []
    const result = await client.callTool(
      { name: 'count', arguments: { to: 3, delayMs: 10 } },
      { ...REQUEST, onprogress: (update) => void progress.push(update) },
    )
    expect(progress.map(({ progress, total }) => ({ progress, total }))).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ])
    expect(result.content).toEqual([{ type: 'text', text: 'Counted to 3.' }])
    const call = sending(tap, 'tools/call', 'count').at(-1)
    expect(call?.responseHeaders.get('content-type')).toMatch(/^text\/event-stream/)
    expect(call?.sent?.params?._meta).toHaveProperty('progressToken')
  })

  test('tools/call greet: input_required, the elicitation handler, the retry', T, async () => {
    elicited.length = 0
    answer = { action: 'accept', content: { name: 'Ada' } }
    const before = sending(tap, 'tools/call', 'greet').length
    const result = await client.callTool({ name: 'greet', arguments: {} }, REQUEST)
    expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }])

    // The handler saw the server's form request, once.
    expect(elicited).toEqual([
      expect.objectContaining({
        mode: 'form',
        message: 'What is your name?',
        requestedSchema: expect.objectContaining({ required: ['name'] }),
      }),
    ])
    // Two POSTs: the first answered input_required, the retry carried the answer and the state.
    const [first, retry, ...more] = sending(tap, 'tools/call', 'greet').slice(before)
    expect(more).toEqual([])
    const [asked] = await answered(first)
    expect(asked?.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { q0: { method: 'elicitation/create' } },
      requestState: expect.any(String),
    })
    expect(first?.sent?.params).not.toHaveProperty('requestState')
    expect(retry?.sent?.params).toMatchObject({
      name: 'greet',
      inputResponses: { q0: { action: 'accept', content: { name: 'Ada' } } },
      requestState: asked?.result?.requestState,
    })
    expect(retry?.sent?.id).not.toBe(first?.sent?.id)
    const [done] = await answered(retry)
    expect(done?.result).toMatchObject({ resultType: 'complete' })
  })

  test('tools/call greet: a declined form greets a stranger', T, async () => {
    answer = { action: 'decline' }
    const result = await client.callTool({ name: 'greet', arguments: {} }, REQUEST)
    expect(result.content).toEqual([{ type: 'text', text: 'Hello, stranger.' }])
  })

  test('tools/call of an unknown tool is a -32602 protocol error', T, async () => {
    const call = client.callTool({ name: 'no-such-tool', arguments: {} }, REQUEST)
    await expect(call).rejects.toBeInstanceOf(ProtocolError)
    await expect(call).rejects.toMatchObject({ code: -32602 })
    // 2026-07-28: the HTTP status mirrors the error.
    expect(sending(tap, 'tools/call', 'no-such-tool').at(-1)?.status).toBe(400)
  })

  test('subscriptions/listen is acknowledged on an SSE stream', T, async () => {
    const subscription = await client.listen({ toolsListChanged: true }, REQUEST)
    // Our tool list never changes (tools.listChanged: false), so nothing is honoured.
    expect(subscription.honoredFilter).toEqual({})
    const listen = sending(tap, 'subscriptions/listen').at(-1)
    expect(listen?.status).toBe(200)
    expect(listen?.responseHeaders.get('content-type')).toMatch(/^text\/event-stream/)
    await subscription.close()
  })

  test('every request spoke 2026-07-28: no initialize, no session, no GET', T, async () => {
    expect(tap.exchanges.length).toBeGreaterThan(10)
    for (const exchange of tap.exchanges) {
      const { sent } = exchange
      const where = `${exchange.httpMethod} ${sent?.method ?? '(no body)'}`
      expect(exchange.httpMethod, where).toBe('POST')
      expect(sent?.method, where).not.toBe('initialize')
      expect(exchange.requestHeaders.get('mcp-protocol-version'), where).toBe(MODERN)
      expect(sent?.params?._meta, where).toMatchObject({ [META.protocolVersion]: MODERN })
      expect(exchange.requestHeaders.has('mcp-session-id'), where).toBe(false)
      expect(exchange.responseHeaders.has('mcp-session-id'), where).toBe(false)
      if (sent?.id === undefined) continue // notifications (the listen's cancel) carry no Mcp-Method
      expect(exchange.requestHeaders.get('mcp-method'), where).toBe(sent.method)
      if (sent.method === 'tools/call') {
        expect(exchange.requestHeaders.get('mcp-name'), where).toBe(sent.params?.name)
      }
    }
  })
})

describe('official v2 client at 2026-07-28 without the elicitation capability', () => {
  const tap = wiretap()
  let client: Client

  beforeAll(async () => {
    client = pinnedClient('bare-mcp-interop-no-elicitation', {})
    await connect(client, tap)
  })

  afterAll(async () => {
    await client?.close()
  })

  test('tools/call greet fails with -32021 naming the capability', T, async () => {
    const call = client.callTool({ name: 'greet', arguments: {} }, REQUEST)
    await expect(call).rejects.toBeInstanceOf(MissingRequiredClientCapabilityError)
    await expect(call).rejects.toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { elicitation: {} } },
    })
    const calls = sending(tap, 'tools/call', 'greet')
    expect(calls.map((exchange) => exchange.status)).toEqual([400])
    expect(calls[0]?.sent?.params?._meta).toMatchObject({ [META.clientCapabilities]: {} })
  })

  test('other tools still work', T, async () => {
    const result = await client.callTool(
      { name: 'echo', arguments: { text: 'still here' } },
      REQUEST,
    )
    expect(result.content).toEqual([{ type: 'text', text: 'still here' }])
  })
})

describe.each([
  { mode: 'auto' as const, era: 'modern', version: MODERN, handshake: 'server/discover' },
  { mode: 'legacy' as const, era: 'legacy', version: LEGACY[0], handshake: 'initialize' },
])('official v2 client with versionNegotiation $mode', ({ mode, era, version, handshake }) => {
  const tap = wiretap()
  let client: Client

  beforeAll(async () => {
    client = new Client(
      { name: `bare-mcp-interop-${mode}`, version: '0.0.0' },
      { versionNegotiation: { mode } },
    )
    await connect(client, tap)
  })

  afterAll(async () => {
    await client?.close()
  })

  test(`settles on ${era} ${version} after ${handshake}`, T, async () => {
    expect(client.getProtocolEra()).toBe(era)
    expect(client.getNegotiatedProtocolVersion()).toBe(version)
    expect(tap.exchanges[0]?.sent?.method).toBe(handshake)
    const methods = tap.exchanges.map((exchange) => exchange.sent?.method)
    if (era === 'modern') expect(methods).not.toContain('initialize')
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }, REQUEST)
    expect(result.structuredContent).toEqual({ sum: 5 })
    expect(
      sending(tap, 'tools/call', 'add').at(-1)?.requestHeaders.get('mcp-protocol-version'),
    ).toBe(version)
  })
})
