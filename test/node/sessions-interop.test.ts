// Interoperability with sessions: the official SDK v1 client (@modelcontextprotocol/sdk) against
// the Worker under `wrangler dev`, through both transports that carry a session.
//
//   (a) StreamableHTTPClientTransport at 2025-11-25 and 2025-03-26: `initialize` mints
//       Mcp-Session-Id, the client sends it on every later request, opens the standalone GET
//       stream after `notifications/initialized`, and `terminateSession()` ends the session.
//   (b) SSEClientTransport (2024-11-05 HTTP+SSE): GET /sse, the `endpoint` event, POST
//       /messages?sessionId=... answered 202, responses as `event: message` on the stream.
//   (c) `greet` asks the client for a name with `elicitation/create`; the SDK's handler answers
//       with a separate POST, which reaches the waiting call in the session's shard.
//
// A wiretap fetch records every exchange, so the tests check what crossed the wire, not only
// what the client returned.

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {
  ElicitRequestSchema,
  type ElicitRequest,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { messagesIn, post, wiretap, type Message, type WireExchange } from './helpers.ts'

/** Per SDK request: fail fast instead of waiting for the SDK's 60 s default. */
const REQUEST = { timeout: 10_000 }
const T = { timeout: 20_000 }

const SESSION_ID = /^s\d+\.[A-Za-z0-9_-]{32}$/
const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

const base = () => inject('mcpUrl')
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls `probe` every 50 ms until it returns a value, for at most `timeoutMs`. */
const eventually = async <T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/** The messages of an exchange's response body (waits for the body to end). */
const answered = async (exchange: WireExchange | undefined): Promise<Message[]> => {
  const text = await exchange?.responseText
  return messagesIn(exchange?.responseHeaders.get('content-type') ?? null, text ?? '')
}

/** The SSE events of a finished body, with their fields (for ids and priming events). */
const sseFields = (text: string) =>
  text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const fields: Record<string, string> = {}
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon)
        const value = line.slice(colon + 1).replace(/^ /, '')
        fields[name] =
          name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value
      }
      return fields
    })

const toolCalls = (exchanges: WireExchange[], tool: string) =>
  exchanges.filter(
    (exchange) => exchange.sent?.method === 'tools/call' && exchange.sent.params?.name === tool,
  )

/** A raw POST of `ping` in session `id` (as the SDK would, had it kept the id). */
const pingIn = (id: string, version: string) =>
  post(
    `${base()}/mcp`,
    { ...JSON_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': version },
    { jsonrpc: '2.0', id: 99, method: 'ping' },
  )

/** R-HT-14: the 404 of a session that is gone, naming the request's id (R-JR-8). */
const sessionNotFound = (id: number) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32600,
    message: 'Session not found: it expired or was terminated; initialize again',
  },
})

describe.each(['2025-11-25', '2025-03-26'] as const)(
  '(a) SDK v1 StreamableHTTPClientTransport with a session at %s',
  (version) => {
    // The SDK offers its latest revision (2025-11-25); older ones through the rewriting wiretap.
    const tap = wiretap(version === '2025-11-25' ? {} : { offer: version })
    let client: Client
    let transport: StreamableHTTPClientTransport
    let sessionId: string

    beforeAll(async () => {
      client = new Client({ name: 'bare-mcp-sessions-interop', version: '0.0.0' })
      transport = new StreamableHTTPClientTransport(new URL(`${base()}/mcp`), { fetch: tap.fetch })
      await client.connect(transport, REQUEST)
    })

    afterAll(async () => {
      await client?.close()
    })

    test('initialize mints Mcp-Session-Id and the client keeps it', T, async () => {
      const [first] = tap.exchanges
      expect(first?.sent).toMatchObject({
        method: 'initialize',
        params: { protocolVersion: version },
      })
      expect(first?.status).toBe(200)
      const minted = first?.responseHeaders.get('mcp-session-id')
      expect(minted).toMatch(SESSION_ID)
      sessionId = minted!
      expect(transport.sessionId).toBe(sessionId)
      const [result] = await answered(first)
      expect(result).toMatchObject({ result: { protocolVersion: version } })
      expect(client.getServerVersion()?.name).toBe('bare-mcp')
    })

    test('the standalone GET stream is opened and accepted', T, async () => {
      // The SDK opens it, unawaited, once notifications/initialized got its 202.
      const get = await eventually(
        () => tap.exchanges.find((exchange) => exchange.httpMethod === 'GET'),
        'the SDK to open its GET stream',
      )
      expect(get.status).toBe(200)
      expect(get.responseHeaders.get('content-type')).toBe('text/event-stream')
      expect(get.responseHeaders.get('cache-control')).toBe('no-cache')
      expect(get.requestHeaders.get('mcp-session-id')).toBe(sessionId)
      expect(get.requestHeaders.get('accept')).toContain('text/event-stream')
      const initialized = tap.exchanges.find(
        (exchange) => exchange.sent?.method === 'notifications/initialized',
      )
      expect(initialized?.status).toBe(202)
    })

    test('tools/list and tools/call echo and add run in the session', T, async () => {
      const { tools } = await client.listTools(undefined, REQUEST)
      expect(tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['echo', 'add', 'count', 'greet']),
      )
      const echo = await client.callTool(
        { name: 'echo', arguments: { text: `hello from ${version}` } },
        undefined,
        REQUEST,
      )
      expect(echo.content).toEqual([{ type: 'text', text: `hello from ${version}` }])
      const add = await client.callTool(
        { name: 'add', arguments: { a: 20, b: 22 } },
        undefined,
        REQUEST,
      )
      expect(add.isError ?? false).toBe(false)
      expect(add.content).toEqual([{ type: 'text', text: '{"sum":42}' }])
      // R-HT-17: answered in the session's negotiated revision (structured output from 2025-06-18).
      if (version >= '2025-06-18') expect(add.structuredContent).toEqual({ sum: 42 })
      else expect(add).not.toHaveProperty('structuredContent')
    })

    test('tools/call count streams progress 1..3 with event ids', T, async () => {
      const progress: Progress[] = []
      const result = await client.callTool(
        { name: 'count', arguments: { to: 3, delayMs: 10 } },
        undefined,
        { ...REQUEST, onprogress: (update) => void progress.push(update) },
      )
      expect(progress.map(({ progress, total }) => ({ progress, total }))).toEqual([
        { progress: 1, total: 3 },
        { progress: 2, total: 3 },
        { progress: 3, total: 3 },
      ])
      expect(result.content).toEqual([{ type: 'text', text: 'Counted to 3.' }])
      const exchange = toolCalls(tap.exchanges, 'count').at(-1)
      expect(exchange?.responseHeaders.get('content-type')).toBe('text/event-stream')
      const events = sseFields((await exchange?.responseText) ?? '')
      // R-HT-12: in a session every event has an id `<stream>.<seq>`; 2025-11-25 starts with a
      // priming event (id, retry, empty data), older revisions do not.
      const [stream] = events[0]!.id!.split('.')
      const seqs = events.map((event) => event.id)
      if (version >= '2025-11-25') {
        expect(events[0]).toMatchObject({ id: `${stream}.0`, data: '' })
        expect(events[0]!.retry).toMatch(/^\d+$/)
        expect(seqs).toEqual(events.map((_, i) => `${stream}.${i}`))
      } else {
        expect(events.every((event) => event.data !== '')).toBe(true)
        expect(seqs).toEqual(events.map((_, i) => `${stream}.${i + 1}`))
      }
    })

    test('every request after initialize carries the session id and the version', T, async () => {
      await client.ping(REQUEST)
      const later = tap.exchanges.slice(1)
      expect(later.length).toBeGreaterThanOrEqual(7)
      const seen = later.map((exchange) => [
        `${exchange.httpMethod} ${exchange.sent?.method ?? '(no body)'}`,
        exchange.requestHeaders.get('mcp-session-id'),
        exchange.requestHeaders.get('mcp-protocol-version'),
      ])
      expect(seen).toEqual(seen.map(([request]) => [request, sessionId, version]))
      expect(later.every((exchange) => exchange.status < 300)).toBe(true)
    })

    test('terminateSession() deletes the session: DELETE 204, then 404', T, async () => {
      const get = tap.exchanges.find((exchange) => exchange.httpMethod === 'GET')!
      await transport.terminateSession()
      expect(transport.sessionId).toBeUndefined()
      const deleted = tap.exchanges.find((exchange) => exchange.httpMethod === 'DELETE')
      expect(deleted?.status).toBe(204)
      expect(deleted?.requestHeaders.get('mcp-session-id')).toBe(sessionId)
      // The server ends the session's GET stream with it.
      const text = await Promise.race([get.responseText, sleep(5_000).then(() => 'still open')])
      expect(text).not.toBe('still open')
      if (version >= '2025-11-25' && text !== null) {
        expect(sseFields(text)[0]).toMatchObject({ data: '', retry: expect.any(String) })
      }
      const after = await pingIn(sessionId, version)
      expect(after.status).toBe(404)
      expect(after.messages).toEqual([sessionNotFound(99)])
    })
  },
)

describe('(b) SDK v1 SSEClientTransport against /sse', () => {
  const tap = wiretap()
  let client: Client
  let endpoint: string

  beforeAll(async () => {
    client = new Client({ name: 'bare-mcp-sse-interop', version: '0.0.0' })
    await client.connect(
      new SSEClientTransport(new URL(`${base()}/sse`), { fetch: tap.fetch }),
      REQUEST,
    )
  })

  afterAll(async () => {
    await client?.close()
  })

  test(
    'connect: GET /sse streams, and every POST goes to the endpoint and gets 202',
    T,
    async () => {
      const [get] = tap.exchanges
      expect(get?.httpMethod).toBe('GET')
      expect(new URL(get!.url).pathname).toBe('/sse')
      expect(get?.status).toBe(200)
      expect(get?.responseHeaders.get('content-type')).toBe('text/event-stream')
      const posts = tap.exchanges.slice(1)
      expect(posts.map((exchange) => exchange.sent?.method)).toEqual([
        'initialize',
        'notifications/initialized',
      ])
      const url = new URL(posts[0]!.url)
      expect(url.pathname).toBe('/messages')
      expect(url.searchParams.get('sessionId')).toMatch(SESSION_ID)
      endpoint = url.href
      for (const exchange of posts) {
        expect(exchange.url).toBe(endpoint)
        expect(exchange.status).toBe(202)
      }
      expect(client.getServerVersion()?.name).toBe('bare-mcp')
    },
  )

  test('tools/list and tools/call echo answer on the stream', T, async () => {
    const { tools } = await client.listTools(undefined, REQUEST)
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['echo', 'add', 'count', 'greet']),
    )
    const echo = await client.callTool(
      { name: 'echo', arguments: { text: 'hello over sse' } },
      undefined,
      REQUEST,
    )
    expect(echo.content).toEqual([{ type: 'text', text: 'hello over sse' }])
  })

  test('tools/call count reports progress 1..3 on the stream, then the result', T, async () => {
    const progress: Progress[] = []
    const result = await client.callTool(
      { name: 'count', arguments: { to: 3, delayMs: 10 } },
      undefined,
      { ...REQUEST, onprogress: (update) => void progress.push(update) },
    )
    expect(result.content).toEqual([{ type: 'text', text: 'Counted to 3.' }])
    // The SDK v1 runs notification handlers a microtask late but handles a response at once, so
    // a progress notification that reaches it in the same chunk as the response is dropped by
    // the client (the handler is gone). What it did see must be a prefix of 1..3 of 3 ...
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.map(({ progress, total }) => ({ progress, total }))).toEqual(
      [1, 2, 3].slice(0, progress.length).map((n) => ({ progress: n, total: 3 })),
    )
    // ... and the stream itself carried all three, in order, before the result.
    const call = toolCalls(tap.exchanges, 'count')[0]!
    const token = (call.sent!.params!._meta as { progressToken?: unknown } | undefined)
      ?.progressToken
    expect(token).toBeDefined()
    const get = tap.exchanges[0]!
    const order = await eventually(() => {
      const messages = sseFields(get.receivedText())
        .filter((event) => event.event === 'message')
        .map((event) => JSON.parse(event.data!) as Message)
      if (!messages.some((message) => message.id === call.sent!.id)) return undefined
      return messages
        .filter(
          (message) =>
            message.id === call.sent!.id ||
            (message.method === 'notifications/progress' &&
              message.params?.progressToken === token),
        )
        .map((message) => (message.id === call.sent!.id ? 'result' : message.params?.progress))
    }, 'the count response on the wiretapped /sse stream')
    expect(order).toEqual([1, 2, 3, 'result'])
    // Nothing comes back in the POST itself: 202 and no body, every time.
    const posts = tap.exchanges.filter((exchange) => exchange.httpMethod === 'POST')
    expect(posts.every((exchange) => exchange.status === 202)).toBe(true)
    for (const exchange of posts) expect(await exchange.responseText).toBe('')
  })

  test('close ends the stream, and the session with it (404)', T, async () => {
    // What the stream carried: the endpoint event, then only `message` events, ending with the
    // count call's response (the SDK has it, so the wiretap's copy gets it too).
    const get = tap.exchanges[0]!
    const countId = toolCalls(tap.exchanges, 'count')[0]!.sent!.id
    const events = await eventually(() => {
      const seen = sseFields(get.receivedText())
      return seen.some((event) => event.data?.includes(`"id":${countId},"result"`))
        ? seen
        : undefined
    }, 'the count response on the wiretapped /sse stream')
    expect(events[0]).toMatchObject({ event: 'endpoint' })
    expect(new URL(events[0]!.data!, `${base()}/sse`).href).toBe(endpoint)
    expect(events.slice(1).every((event) => event.event === 'message')).toBe(true)
    await client.close()
    const status = await eventually(async () => {
      const reply = await post(endpoint, JSON_HEADERS, { jsonrpc: '2.0', id: 1, method: 'ping' })
      return reply.status === 404 ? reply : undefined
    }, 'the session to be deleted after its stream closed')
    expect(status.messages).toEqual([sessionNotFound(1)])
  })
})

describe('(c) greet: elicitation/create to the SDK client, answered by a separate POST', () => {
  const connect = async (transport: 'streamable-http' | 'sse') => {
    const tap = wiretap()
    const elicited: ElicitRequest['params'][] = []
    const client = new Client(
      { name: `bare-mcp-greet-${transport}`, version: '0.0.0' },
      { capabilities: { elicitation: {} } },
    )
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicited.push(request.params)
      return { action: 'accept', content: { name: 'Ada' } }
    })
    await client.connect(
      transport === 'sse'
        ? new SSEClientTransport(new URL(`${base()}/sse`), { fetch: tap.fetch })
        : new StreamableHTTPClientTransport(new URL(`${base()}/mcp`), { fetch: tap.fetch }),
      REQUEST,
    )
    return { tap, elicited, client }
  }

  const expectElicited = (elicited: ElicitRequest['params'][]) => {
    expect(elicited).toHaveLength(1)
    expect(elicited[0]).toMatchObject({
      message: 'What is your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
    })
  }

  test('over Streamable HTTP with a session: the request is on the call stream', T, async () => {
    const { tap, elicited, client } = await connect('streamable-http')
    try {
      const result = await client.callTool({ name: 'greet', arguments: {} }, undefined, REQUEST)
      expect(result.isError ?? false).toBe(false)
      expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }])
      expectElicited(elicited)

      const session = tap.exchanges[0]!.responseHeaders.get('mcp-session-id')
      expect(session).toMatch(SESSION_ID)
      const call = toolCalls(tap.exchanges, 'greet')[0]!
      expect(call.responseHeaders.get('content-type')).toBe('text/event-stream')
      const [request, response] = await answered(call)
      expect(request).toMatchObject({ method: 'elicitation/create', id: expect.anything() })
      expect(response).toMatchObject({
        id: call.sent!.id,
        result: { content: [{ type: 'text', text: 'Hello, Ada!' }] },
      })
      // The answer is its own POST, in the same session, accepted with 202.
      // (The call may finish before the answer's own 202 is back: wait for the exchange.)
      const answer = await eventually(
        () =>
          tap.exchanges.find(
            (exchange) => exchange.sent?.id === request!.id && exchange.sent?.result !== undefined,
          ),
        'the POST carrying the elicitation answer',
      )
      expect(answer?.sent).toEqual({
        jsonrpc: '2.0',
        id: request!.id,
        result: { action: 'accept', content: { name: 'Ada' } },
      })
      expect(answer?.requestHeaders.get('mcp-session-id')).toBe(session)
      expect(answer?.status).toBe(202)
    } finally {
      await client.close()
    }
  })

  test('over SSEClientTransport: the request arrives on the /sse stream', T, async () => {
    const { tap, elicited, client } = await connect('sse')
    try {
      const result = await client.callTool({ name: 'greet', arguments: {} }, undefined, REQUEST)
      expect(result.isError ?? false).toBe(false)
      expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }])
      expectElicited(elicited)

      const call = toolCalls(tap.exchanges, 'greet')[0]!
      expect(call.status).toBe(202)
      const endpoint = call.url
      const answer = await eventually(
        () => tap.exchanges.find((exchange) => exchange.sent?.result !== undefined),
        'the POST carrying the elicitation answer',
      )
      expect(answer?.url).toBe(endpoint)
      expect(answer?.status).toBe(202)
      expect(answer?.sent).toMatchObject({ result: { action: 'accept', content: { name: 'Ada' } } })

      // The stream: the request came as an `event: message`, then the call's result.
      const get = tap.exchanges[0]!
      const messages = await eventually(() => {
        const seen = sseFields(get.receivedText())
          .filter((event) => event.event === 'message')
          .map((event) => JSON.parse(event.data!) as Message)
        return seen.some((message) => message.id === call.sent!.id) ? seen : undefined
      }, 'the greet response on the wiretapped /sse stream')
      const asked = messages.findIndex((message) => message.method === 'elicitation/create')
      expect(asked).toBeGreaterThanOrEqual(0)
      expect(messages[asked]!.id).toBe(answer?.sent?.id)
      const done = messages.findIndex((message) => message.id === call.sent!.id)
      expect(done).toBeGreaterThan(asked)
    } finally {
      await client.close()
    }
  })
})
