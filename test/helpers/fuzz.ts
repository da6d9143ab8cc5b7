// Running property-based tests (fast-check) at two sizes, and the checks every response of the
// fuzzed pipeline must pass.
//
// Each property has a base number of runs, chosen so `npm test` runs at least 5,000 cases in
// all; `npm run fuzz` multiplies them (FUZZ_SCALE, 20 by default there) for 100,000 and more.
// A failure prints fast-check's seed and path; FUZZ_SEED and FUZZ_PATH replay it (README,
// "Fuzzing").

import fc from 'fast-check'
import { expect, inject } from 'vitest'
import { CLIENT_HEADERS, WORKER } from './wire.ts'

const SCALE = inject('fuzzScale')
const SEED = inject('fuzzSeed')
const PATH = inject('fuzzPath')

/** How many cases a property with `base` runs checks in this run. */
export const runs = (base: number): number => Math.max(1, Math.round(base * SCALE))

const parameters = (base: number): fc.Parameters<unknown> => ({
  numRuns: runs(base),
  ...(SEED === null ? {} : { seed: SEED, endOnFailure: true }),
  ...(PATH === null ? {} : { path: PATH }),
})

/** Checks a synchronous property `runs(base)` times (or replays FUZZ_SEED / FUZZ_PATH). */
export const check = <T>(property: fc.IProperty<T>, base: number): void =>
  fc.assert(property, parameters(base) as fc.Parameters<T>)

/** Checks an async property `runs(base)` times (or replays FUZZ_SEED / FUZZ_PATH). */
export const checkAsync = <T>(property: fc.IAsyncProperty<T>, base: number): Promise<void> =>
  fc.assert(property, parameters(base) as fc.Parameters<T>)

/** A vitest timeout for a property of `base` runs whose cases take up to `perCaseMs`. */
export const timeoutFor = (base: number, perCaseMs: number): number =>
  60_000 + runs(base) * perCaseMs

/**
 * What a response body must never show: a stack frame, a source path, an `Error:` line, the
 * generic -32603 of an unhandled throw. Generated input never contains these (see
 * `withoutLeaks` in hostile.ts), so a server that echoes input cannot trip them.
 */
export const LEAKS: readonly (readonly [RegExp, string])[] = [
  [/(?:\n|\\n|^)\s*at \S.*:\d+(?::\d+)?/, 'a stack frame'],
  [/\/src\/|\.ts:\d|\.m?js:\d|node_modules|file:\/\//, 'a source path'],
  [/\b[A-Za-z]*Error: /, 'an `Error:` line'],
  [/"message":"Internal error"/, 'the generic -32603 of an unhandled throw'],
]

/** One SSE event as the WHATWG parser dispatches it. */
export interface StreamEvent {
  type: string
  data: string
  lastEventId: string
  /** Field names of the block, in order, for checks that no field was forged. */
  fields: string[]
}

/**
 * The event stream interpretation of the HTML standard (lines end in CRLF, LF or CR; `data`
 * lines join with LF; `id` with a NUL is ignored; unknown fields ignored), over a complete
 * text. `rest` is what follows the last blank line (an event still being written).
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export const parseEventStream = (text: string): { events: StreamEvent[]; rest: string } => {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  const lines = body.split(/\r\n|\r|\n/)
  // The last piece has no line ending yet: it is not a line.
  const unfinished = lines.pop() ?? ''
  const events: StreamEvent[] = []
  let type = ''
  let data = ''
  let lastEventId = ''
  let fields: string[] = []
  let rest: string[] = []
  for (const line of lines) {
    rest.push(line)
    if (line === '') {
      if (data !== '') {
        events.push({ type: type || 'message', data: data.slice(0, -1), lastEventId, fields })
      }
      type = ''
      data = ''
      fields = []
      rest = []
      continue
    }
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    fields.push(name)
    if (name === 'event') type = value
    else if (name === 'data') data += `${value}\n`
    else if (name === 'id' && !value.includes('\0')) lastEventId = value
  }
  return { events, rest: [...rest, unfinished].join('\n') }
}

/** The first of `work` and a deadline; a rejection naming `what` when the deadline wins. */
export const within = async <T>(ms: number, what: string, work: Promise<T>): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | null = null
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms (a hang)`)), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

/** A stream being read bit by bit: its text so far, more of it, and the end of it. */
export interface Tap {
  readonly text: string
  readonly ended: boolean
  /** Reads until `enough(text)`, the stream ends, or `ms` pass. */
  read(ms: number, enough?: (text: string) => boolean): Promise<void>
  cancel(): Promise<void>
}

export const tap = (body: ReadableStream<Uint8Array>): Tap => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let ended = false
  return {
    get text() {
      return text
    },
    get ended() {
      return ended
    },
    async read(ms, enough = () => false) {
      const deadline = Date.now() + ms
      while (!ended && !enough(text)) {
        const left = deadline - Date.now()
        if (left <= 0) return
        let timer: ReturnType<typeof setTimeout> | null = null
        const next = await Promise.race([
          reader.read(),
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), left))),
        ])
        clearTimeout(timer)
        if (next === null) return
        if (next.done) ended = true
        else text += decoder.decode(next.value, { stream: true })
      }
    },
    cancel: async () => {
      if (!ended) await reader.cancel().catch(() => {})
    },
  }
}

/** Reads a stream's text until it ends or `ms` pass, then cancels it; whether it ended. */
export const readFor = async (
  body: ReadableStream<Uint8Array>,
  ms: number,
  enough?: (text: string) => boolean,
): Promise<{ text: string; ended: boolean }> => {
  const stream = tap(body)
  await stream.read(ms, enough)
  await stream.cancel()
  return { text: stream.text, ended: stream.ended }
}

/** How long a response may take to start, and a body that must end may take to end. */
export const DEADLINE_MS = 10_000
/** How long a stream that may legitimately stay open (GET streams, listen) is read. */
export const STREAM_PEEK_MS = 20

/** What one fuzzed response showed, for properties that look further. */
export interface Seen {
  status: number
  headers: Headers
  type: string
  text: string
  /** The JSON body, or the `data` of each SSE event parsed as JSON. */
  json: unknown[]
  events: StreamEvent[]
}

const isId = (value: unknown): boolean =>
  value === null || typeof value === 'string' || Number.isSafeInteger(value)

/** A JSON-RPC response or error object as a server may send it (R-JR-5..R-JR-8). */
const expectJsonRpc = (message: unknown, where: string): void => {
  expect(typeof message === 'object' && message !== null, `${where}: an object`).toBe(true)
  const m = message as Record<string, unknown>
  expect(m.jsonrpc, `${where}: jsonrpc`).toBe('2.0')
  if ('error' in m) {
    const error = m.error as Record<string, unknown>
    expect(Number.isInteger(error?.code), `${where}: error.code is an integer`).toBe(true)
    expect(typeof error?.message, `${where}: error.message is a string`).toBe('string')
    expect(isId(m.id), `${where}: id`).toBe(true)
  } else if ('result' in m) {
    expect(isId(m.id) && m.id !== null, `${where}: result id`).toBe(true)
  } else {
    // A notification or a server request on a stream.
    expect(typeof m.method, `${where}: method`).toBe('string')
  }
}

/** No stack frame, source path or `Error:` line in `text` (LEAKS). */
export const expectNoLeaks = (text: string): void => {
  for (const [pattern, what] of LEAKS) {
    expect(pattern.test(text), `the body shows ${what}: ${text.slice(0, 300)}`).toBe(false)
  }
}

/**
 * The events of an SSE body: well-framed (a finished stream ends on a blank line), each an
 * `endpoint` (legacy transport) or a `message` whose data is JSON (and JSON-RPC when `rpc`).
 */
export const expectEvents = (
  text: string,
  ended: boolean,
  rpc: boolean,
): { events: StreamEvent[]; json: unknown[] } => {
  const parsed = parseEventStream(text)
  // A finished stream ends on a blank line; a cancelled one may stop mid-event.
  if (ended) expect(parsed.rest, 'the stream ends with a complete event').toBe('')
  const json: unknown[] = []
  for (const event of parsed.events) {
    if (event.type === 'endpoint') {
      expect(event.data, 'the endpoint event').toMatch(/^(?:\.\.\/)?messages\?sessionId=\S+$/)
      continue
    }
    expect(event.type, 'event type').toBe('message')
    // The 2025-11-25 priming event: an id, a retry and empty data (R-HT-9), no message.
    if (event.data === '') continue
    const value: unknown = JSON.parse(event.data)
    if (rpc) expectJsonRpc(value, 'SSE event')
    json.push(value)
  }
  return { events: parsed.events, json }
}

/**
 * The properties every response holds, whatever was sent: a status under 500, no leaked
 * internals, a body well-formed for its type, and no hang (headers and any body that must end
 * arrive within DEADLINE_MS; a stream that may stay open is read for STREAM_PEEK_MS, then
 * cancelled). `mayStayOpen`: a GET stream, `/sse`, `subscriptions/listen`, or a call that asks
 * the client something in a session. `rpc`: the endpoint answers JSON-RPC (an MCP endpoint or
 * `/messages`), so JSON bodies are JSON-RPC messages or the plain `{error, message}` refusals.
 */
export const expectSound = async (
  pending: Promise<Response>,
  { mayStayOpen, rpc, head = false }: { mayStayOpen: boolean; rpc: boolean; head?: boolean },
): Promise<Seen> => {
  const res = await within(DEADLINE_MS, 'response', pending)
  expect(res.status, 'status').toBeLessThan(500)
  const type = (res.headers.get('content-type') ?? '').toLowerCase()
  let text = ''
  let events: StreamEvent[] = []
  const json: unknown[] = []
  if (type.startsWith('text/event-stream')) {
    expect(res.body, 'an SSE response has a body').not.toBeNull()
    // A stream that may stay open is read up to its first event (or STREAM_PEEK_MS).
    const read = mayStayOpen
      ? await readFor(res.body!, STREAM_PEEK_MS, (seen) => /\n\n(?!:)/.test(seen))
      : await readFor(res.body!, DEADLINE_MS)
    if (!mayStayOpen) expect(read.ended, `an SSE reply that must end did not (a hang)`).toBe(true)
    text = read.text
    const stream = expectEvents(text, read.ended, rpc)
    events = stream.events
    json.push(...stream.json)
  } else {
    text = await within(DEADLINE_MS, 'body', res.text())
    if (res.status === 202 || res.status === 204) expect(text, 'no body').toBe('')
    if (head) {
      // HTTP drops a HEAD response's body on the way out (RFC 9110 §9.3.2), whatever the
      // Worker wrote; only the leak check below applies to it.
    } else if (type.startsWith('application/json')) {
      const value: unknown = JSON.parse(text)
      json.push(value)
      if (rpc && (Array.isArray(value) || (value as { jsonrpc?: unknown })?.jsonrpc === '2.0')) {
        for (const message of Array.isArray(value) ? value : [value])
          expectJsonRpc(message, 'JSON body')
      } else if (res.status >= 400) {
        // Plain refusals (404, 405, admin APIs): {error, message}; OAuth adds error_description.
        expect(typeof (value as { error?: unknown })?.error, 'a JSON refusal names its error').toBe(
          'string',
        )
      }
    } else if (text !== '') {
      expect(type, 'a body has a Content-Type').not.toBe('')
    }
  }
  expectNoLeaks(text)
  return { status: res.status, headers: res.headers, type, text, json, events }
}

const PING = '{"jsonrpc":"2.0","id":"alive","method":"ping"}'

/**
 * The server still answers: a stateless ping, and a session opened, pinged and deleted (so the
 * shards answer too). Run after every LIVENESS_EVERY cases and at the end of each property.
 */
export const stillAnswers = async (): Promise<void> => {
  const ping = await within(DEADLINE_MS, 'ping', WORKER.fetch(post(PING)))
  expect(ping.status, 'a plain ping after the fuzzed cases').toBe(200)
  expect(await ping.json()).toEqual({ jsonrpc: '2.0', id: 'alive', result: {} })
  const init = await within(
    DEADLINE_MS,
    'initialize',
    WORKER.fetch(
      post(
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"alive","version":"1"}}}',
      ),
    ),
  )
  expect(init.status).toBe(200)
  await init.body?.cancel()
  const session = init.headers.get('mcp-session-id')
  expect(session, 'initialize still opens a session').not.toBeNull()
  const headers = { 'mcp-session-id': session!, 'mcp-protocol-version': '2025-11-25' }
  const inSession = await within(DEADLINE_MS, 'session ping', WORKER.fetch(post(PING, headers)))
  expect(inSession.status, 'a ping in a new session').toBe(200)
  expect(await inSession.json()).toEqual({ jsonrpc: '2.0', id: 'alive', result: {} })
  const gone = await WORKER.fetch(
    new Request('http://localhost/mcp', { method: 'DELETE', headers }),
  )
  expect(gone.status).toBe(204)
}

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request('http://localhost/mcp', {
    method: 'POST',
    headers: { ...CLIENT_HEADERS, ...headers },
    body,
  })

/** How many cases run between two `stillAnswers` checks. */
export const LIVENESS_EVERY = 100

/** An async property's body that also checks `stillAnswers` every LIVENESS_EVERY cases. */
export const withLiveness = <T extends unknown[]>(
  body: (...args: T) => Promise<void>,
): ((...args: T) => Promise<void>) => {
  let cases = 0
  return async (...args: T) => {
    await body(...args)
    if (++cases % LIVENESS_EVERY === 0) await stillAnswers()
  }
}
