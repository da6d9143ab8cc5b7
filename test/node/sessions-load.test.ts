// Sessions under concurrency, against the Worker under `wrangler dev`: 200 sessions at once,
// 100 over Streamable HTTP (each with its standalone GET stream open) and 100 over the legacy
// HTTP+SSE transport, each sending interleaved requests whose arguments are unique to it.
//
// Every session uses the same JSON-RPC ids (2..5), so a response that reached the wrong session
// would still match by id: only the payloads (unique text, unique sums, unique progress tokens)
// tell sessions apart, and the test checks all of them. It runs in phases, each with every
// session in flight together: open, call, close; then every session must be gone (404).
//
// Raw fetch and a small SSE reader (helpers.ts) rather than 200 SDK clients: lighter on 2 cores.

import { describe, expect, inject, test } from 'vitest'
import { post, sseReader, type Message, type SseReader } from './helpers.ts'

const PER_TRANSPORT = 100
/** The whole run (open, call, close, check) must fit in this. */
const BOUND_MS = 60_000
/** How long one session may wait for any single answer. */
const STEP_MS = 20_000
const VERSION = '2025-11-25'

const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** What session `key` asks, and what each answer must be. Ids repeat across sessions. */
const plan = (key: string, n: number) => [
  {
    request: call(2, 'echo', { text: `first words of ${key}` }),
    text: `first words of ${key}`,
  },
  {
    request: call(3, 'add', { a: n, b: 1_000 + 7 * n }),
    text: `{"sum":${1_000 + 8 * n}}`,
  },
  {
    request: call(4, 'count', { to: 2, delayMs: 5 }, { progressToken: `progress-${key}` }),
    text: 'Counted to 2.',
    progressToken: `progress-${key}`,
  },
  {
    request: call(5, 'echo', { text: `last words of ${key}` }),
    text: `last words of ${key}`,
  },
]
type Step = ReturnType<typeof plan>[number]

function call(id: number, name: string, args: Record<string, unknown>, meta?: object) {
  const params: Record<string, unknown> = { name, arguments: args }
  if (meta !== undefined) params._meta = meta
  return { jsonrpc: '2.0', id, method: 'tools/call', params }
}

const initialize = (key: string) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: VERSION,
    capabilities: {},
    clientInfo: { name: `load-${key}`, version: '0.0.0' },
  },
})
const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' }
const PING = { jsonrpc: '2.0', id: 9, method: 'ping' }

/**
 * Checks the messages one session received for its plan: each response exactly once, with its
 * own payload; progress only with its own token, 1 then 2; nothing that is not its own.
 */
const checkSession = (key: string, steps: Step[], messages: Message[], extra: number[] = []) => {
  const ids = new Set([...steps.map((step) => step.request.id), ...extra])
  const responses = messages.filter((message) => message.method === undefined)
  const where = `session ${key}`
  expect(responses.map((message) => message.id).sort(), where).toEqual([...ids].sort())
  for (const step of steps) {
    const response = responses.find((message) => message.id === step.request.id)
    expect(response, `${where}, id ${step.request.id}`).toMatchObject({
      jsonrpc: '2.0',
      result: { content: [{ type: 'text', text: step.text }] },
    })
  }
  const progress = messages.filter((message) => message.method === 'notifications/progress')
  expect(
    progress.map((message) => [message.params?.progressToken, message.params?.progress]),
    where,
  ).toEqual([
    [`progress-${key}`, 1],
    [`progress-${key}`, 2],
  ])
  const others = messages.filter(
    (message) =>
      message.method !== undefined &&
      message.method !== 'notifications/progress' &&
      message.method !== 'notifications/message',
  )
  expect(others, where).toEqual([])
}

/** A Streamable HTTP session with its standalone GET stream. */
interface HttpSession {
  key: string
  n: number
  id: string
  headers: Record<string, string>
  stream: SseReader
}

const openHttp = async (mcp: string, n: number): Promise<HttpSession> => {
  const key = `http-${n}`
  const init = await post(mcp, JSON_HEADERS, initialize(key), STEP_MS)
  expect(init.status, key).toBe(200)
  expect(init.messages[0], key).toMatchObject({ id: 1, result: { protocolVersion: VERSION } })
  const id = init.headers.get('mcp-session-id')
  expect(id, key).toMatch(/^s\d+\.[A-Za-z0-9_-]{32}$/)
  const headers = { ...JSON_HEADERS, 'mcp-session-id': id!, 'mcp-protocol-version': VERSION }
  expect((await post(mcp, headers, INITIALIZED, STEP_MS)).status, key).toBe(202)
  const get = await fetch(mcp, {
    headers: {
      accept: 'text/event-stream',
      'mcp-session-id': id!,
      'mcp-protocol-version': VERSION,
    },
    signal: AbortSignal.timeout(BOUND_MS),
  })
  expect(get.status, key).toBe(200)
  expect(get.headers.get('content-type'), key).toBe('text/event-stream')
  const stream = sseReader(get.body!)
  // 2025-11-25: the stream opens with its priming event.
  await stream.until(() => stream.events.length > 0, `${key}: priming event`, STEP_MS)
  expect(stream.events[0]!.data, key).toBe('')
  return { key, n, id: id!, headers, stream }
}

const runHttp = async (mcp: string, session: HttpSession) => {
  const steps = plan(session.key, session.n)
  const replies = await Promise.all(
    steps.map((step) => post(mcp, session.headers, step.request, STEP_MS)),
  )
  for (const [i, reply] of replies.entries()) {
    expect(reply.status, `${session.key}, id ${steps[i]!.request.id}`).toBe(200)
  }
  // The count call streams (progress, then its result); the others answer with JSON.
  expect(replies[2]!.contentType).toBe('text/event-stream')
  checkSession(
    session.key,
    steps,
    replies.flatMap((reply) => reply.messages),
  )
  // Nothing of any request was sent to the standalone stream.
  expect(session.stream.messages(), `${session.key}: GET stream`).toEqual([])
}

/** A legacy HTTP+SSE session: its /sse stream and the endpoint it was told to POST to. */
interface SseSession {
  key: string
  n: number
  endpoint: string
  stream: SseReader
}

const openSse = async (base: string, n: number): Promise<SseSession> => {
  const key = `sse-${n}`
  const response = await fetch(`${base}/sse`, {
    headers: { accept: 'text/event-stream' },
    signal: AbortSignal.timeout(BOUND_MS),
  })
  expect(response.status, key).toBe(200)
  const stream = sseReader(response.body!)
  const first = await stream.find(() => true, `${key}: endpoint event`, STEP_MS)
  expect(first.event, key).toBe('endpoint')
  const endpoint = new URL(first.data, `${base}/sse`).href
  expect((await post(endpoint, JSON_HEADERS, initialize(key), STEP_MS)).status, key).toBe(202)
  const answer = await stream.find(
    (event) => event.event === 'message',
    `${key}: initialize result`,
    STEP_MS,
  )
  expect(JSON.parse(answer.data), key).toMatchObject({
    id: 1,
    result: { protocolVersion: VERSION },
  })
  expect((await post(endpoint, JSON_HEADERS, INITIALIZED, STEP_MS)).status, key).toBe(202)
  return { key, n, endpoint, stream }
}

const runSse = async (session: SseSession) => {
  const steps = plan(session.key, session.n)
  const accepted = await Promise.all(
    steps.map((step) => post(session.endpoint, JSON_HEADERS, step.request, STEP_MS)),
  )
  for (const [i, reply] of accepted.entries()) {
    expect(reply.status, `${session.key}, id ${steps[i]!.request.id}`).toBe(202)
    expect(reply.text).toBe('')
  }
  const wanted = steps.map((step) => step.request.id)
  await session.stream.until(
    () => {
      const got = new Set(session.stream.messages().map((message) => message.id))
      return wanted.every((id) => got.has(id))
    },
    `${session.key}: responses ${wanted.join(', ')}`,
    STEP_MS,
  )
  // Everything the stream carried: initialize's result (id 1), then only this plan's messages.
  checkSession(session.key, steps, session.stream.messages(), [1])
  expect(
    session.stream.events.every((event, i) =>
      i === 0 ? event.event === 'endpoint' : event.event === 'message',
    ),
    session.key,
  ).toBe(true)
}

/** Polls until POSTing `ping` to `url` (with `headers`) is 404; false after `timeoutMs`. */
const goneWithin = async (url: string, headers: Record<string, string>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reply = await post(url, headers, PING, STEP_MS)
    if (reply.status === 404) return true
    if (Date.now() > deadline) return false
    await sleep(100)
  }
}

describe('200 sessions in parallel', () => {
  test(
    `${PER_TRANSPORT} Streamable HTTP + ${PER_TRANSPORT} legacy SSE sessions: nothing lost, nothing crossed`,
    { timeout: BOUND_MS + 30_000 },
    async () => {
      const base = inject('mcpUrl')
      const mcp = `${base}/mcp`
      const started = Date.now()
      const http: HttpSession[] = []
      const sse: SseSession[] = []
      const times: string[] = []
      const lap = (phase: string, from: number) =>
        times.push(`${phase} ${((Date.now() - from) / 1000).toFixed(1)} s`)
      try {
        // 1. Open all 200 at once (interleaved: HTTP and SSE sessions alternate).
        let from = Date.now()
        await Promise.all(
          Array.from({ length: PER_TRANSPORT }, (_, n) => [
            openHttp(mcp, n).then((session) => void http.push(session)),
            openSse(base, n).then((session) => void sse.push(session)),
          ]).flat(),
        )
        lap('open', from)
        expect(new Set(http.map((session) => session.id)).size).toBe(PER_TRANSPORT)
        expect(new Set(sse.map((session) => session.endpoint)).size).toBe(PER_TRANSPORT)

        // 2. Every session sends its four requests at once: 800 requests in flight together.
        from = Date.now()
        await Promise.all([
          ...http.map((session) => runHttp(mcp, session)),
          ...sse.map((session) => runSse(session)),
        ])
        lap('calls', from)

        // 3. End them all: DELETE the HTTP sessions, close the SSE streams.
        from = Date.now()
        const deleted = await Promise.all(
          http.map(async (session) => {
            const response = await fetch(mcp, {
              method: 'DELETE',
              headers: { 'mcp-session-id': session.id, 'mcp-protocol-version': VERSION },
              signal: AbortSignal.timeout(STEP_MS),
            })
            await response.body?.cancel()
            return response.status
          }),
        )
        expect(deleted.every((status) => status === 204)).toBe(true)
        await Promise.all(sse.map((session) => session.stream.close()))
        lap('close', from)

        // 4. All gone: every old session is 404 (an SSE session is deleted when its stream
        // closes, which the shard learns a moment later). The server ended the GET streams.
        from = Date.now()
        const gone = await Promise.all([
          ...http.map((session) => goneWithin(mcp, session.headers, 0)),
          ...sse.map((session) => goneWithin(session.endpoint, JSON_HEADERS, 10_000)),
        ])
        expect(gone.filter((ok) => !ok).length).toBe(0)
        await Promise.all(
          http.map((session) =>
            session.stream.until(() => session.stream.ended, `${session.key}: end`, 5_000),
          ),
        )
        lap('gone', from)
      } finally {
        await Promise.all([...http, ...sse].map((session) => session.stream.close()))
      }
      const elapsed = Date.now() - started
      console.log(`200 sessions: ${times.join(', ')}; total ${(elapsed / 1000).toFixed(1)} s`)
      expect(elapsed).toBeLessThan(BOUND_MS)
    },
  )
})
