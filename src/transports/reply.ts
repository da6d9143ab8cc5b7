// Replying to a POST that holds requests: one JSON body, or an SSE stream.
//
// R-HT-7 · https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#sending-messages-to-the-server
// The server answers a request with `application/json` or `text/event-stream`; clients MUST
// handle both, so we choose per request:
//
//   * JSON when the call finishes without sending anything first (the common, cheapest case);
//   * SSE as soon as the call sends a notification (progress, log), or is still running after
//     SSE_AFTER_MS (so keep-alive comments can hold the connection open through proxies), or
//     always, for clients that accept only SSE, with RESPONSE_MODE=sse, or whose User-Agent
//     is in SSE_USER_AGENTS (OpenAI's clients).
//
// On the stream, each message is one event, the request's notifications before its response:
//
//   event: message
//   data: {"jsonrpc":"2.0","method":"notifications/progress","params":{...}}
//
//   event: message
//   data: {"jsonrpc":"2.0","id":3,"result":{...}}

import type { Config } from '../settings/config.ts'
import type { JSONRPCResponse, Outbound } from '../jsonrpc/message.ts'
import { json } from '../http/responses.ts'
import type { RevisionRules } from '../protocol/revisions.ts'
import { settledSoon, waitingClock, type Waiting } from '../protocol/timeout.ts'
import type { Accepting } from './intake.ts'
import { openSseStream, sseHeaders } from './sse.ts'

/** The SSE body of one reply. Sessions make it resumable (src/sessions/resumable.ts). */
export interface ReplyStream {
  readable: ReadableStream<Uint8Array>
  /** Sends one message as one event; false once the client has gone. */
  send(message: Outbound | JSONRPCResponse): Promise<boolean>
  /** The reply is complete. */
  close(): Promise<void>
  /** Fires when the client disconnects. */
  closed: AbortSignal
  /**
   * Resumable streams only: closes the connection but not the stream, for the client to
   * resume with GET and `Last-Event-ID`; false when it holds no event id to resume from.
   */
  pause?(): Promise<boolean>
}

/** A plain SSE reply: `event: message` per message, keep-alives, no ids. */
export const plainStream = (config: Config): ReplyStream => {
  const stream = openSseStream(config)
  return {
    readable: stream.readable,
    send: (message) => stream.send({ event: 'message', data: JSON.stringify(message) }),
    close: stream.close,
    closed: stream.closed,
  }
}

export interface Exchange {
  /** Responses known before anything runs (invalid members of a batch). */
  ready: JSONRPCResponse[]
  /**
   * Starts the requests; each settles to its response, or null when cancelled. `send` returns
   * false when the message cannot reach the client (it accepts only JSON); `closeStream` pauses
   * the SSE body (opening it first) where `open()` gives a resumable one.
   */
  run(
    send: (message: Outbound) => boolean,
    closeStream: () => Promise<boolean>,
    waiting: Waiting,
  ): Promise<JSONRPCResponse | null>[]
  /** A batch is answered with an array, a single request with one object. */
  batch: boolean
  /** The request's revision: the status of a single error reply, cancel on disconnect. */
  rules: RevisionRules
  /** Called when the client closes the SSE stream, where that cancels the call (R-JR-21). */
  cancel(): void
  /** Opens the SSE body when the reply streams. */
  open(): ReplyStream
  /** Whether `open()` gives a resumable stream (a session of 2025-03-26 or later). */
  resumable: boolean
  /** Whether that stream opens with a priming event, an id the client can resume from. */
  primed: boolean
}

/** `all`'s value; 'streaming' once the reply starts streaming (`streaming` is handed the
 *  function that says so); or 'later' after `ms`. The timer never outlives the race. */
const raceWithTimer = <T>(
  all: Promise<T>,
  streaming: (wake: () => void) => void,
  ms: number,
): Promise<T | 'streaming' | 'later'> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('later'), ms)
    streaming(() => {
      clearTimeout(timer)
      resolve('streaming')
    })
    all.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })

/** Runs an exchange and replies in the form the client accepts and the call needs. */
export const reply = async (
  exchange: Exchange,
  accept: Accepting,
  config: Config,
): Promise<Response> => {
  // Nothing here is made before it is needed: most calls are answered as JSON within a few
  // microtask turns, with no promise, timer or stream of the reply's own.
  let early: Outbound[] | null = []
  let streaming = false // a message went out before the response: the reply becomes SSE
  let wake: (() => void) | null = null // set while the reply waits for the first of several
  const stream = (): void => {
    streaming = true
    wake?.()
  }
  let send = (message: Outbound): boolean => {
    if (!accept.sse) return false // a JSON-only client cannot receive anything but the response
    early?.push(message)
    stream()
    return true
  }
  let body: ReplyStream | null = null
  let opened = null as ((stream: ReplyStream) => void) | null
  let whenOpen: Promise<ReplyStream> | null = null
  const closeStream = async (): Promise<boolean> => {
    if (!accept.sse || !exchange.resumable) return false
    if (body === null) {
      // Not streaming yet: only worth it if the client will hold an event id to resume from.
      if (!exchange.primed && (early?.length ?? 0) === 0) return false
      whenOpen ??= new Promise<ReplyStream>((resolve) => (opened = resolve))
      stream() // the reply becomes SSE now
    }
    return (await (body ?? (await whenOpen!)).pause?.()) ?? false
  }
  // The requests' deadlines start only once they are seen to wait (src/protocol/timeout.ts).
  const clock = waitingClock()
  const pending = exchange.run((message) => send(message), closeStream, clock.waiting)
  const all = Promise.all(pending)

  if (!accept.sseFirst) {
    // Most calls finish without waiting for I/O: answered as JSON with no timer ever set.
    const soon = await settledSoon(all, () => streaming)
    if (soon !== 'waiting' && 'value' in soon) return jsonReply(exchange, soon.value)
    clock.start()
    if (soon === 'waiting' && !streaming) {
      const first = accept.sse
        ? await raceWithTimer(all, (then) => (wake = then), config.SSE_AFTER_MS)
        : await all
      wake = null
      if (Array.isArray(first)) return jsonReply(exchange, first)
    }
  }
  clock.start()

  const opening = exchange.open()
  body = opening
  opened?.(opening)
  if (exchange.rules.cancelOnDisconnect)
    opening.closed.addEventListener('abort', exchange.cancel, { once: true })
  for (const response of exchange.ready) void opening.send(response)
  for (const message of early ?? []) void opening.send(message)
  early = null
  send = (message) => {
    void opening.send(message)
    return true
  }
  const sent = pending.map((response) =>
    response.then((value) => (value === null ? true : opening.send(value))),
  )
  void Promise.all(sent).then(() => opening.close())
  return new Response(opening.readable, { status: 200, headers: sseHeaders() })
}

const jsonReply = (exchange: Exchange, settled: (JSONRPCResponse | null)[]): Response => {
  const responses = [...exchange.ready, ...settled.filter((value) => value !== null)]
  if (exchange.batch) return json(responses)
  const [only] = responses
  // A single request that was cancelled has no response (R-JR-20): nothing to send.
  if (only === undefined) return new Response(null, { status: 202 })
  return json(only, 'error' in only ? exchange.rules.status(only.error.code) : 200)
}

/**
 * Replies with one response that is already known (`initialize`): JSON, or a one-event SSE
 * body when the client's replies stream from the first byte (see intake.ts).
 */
export const replyNow = (
  response: JSONRPCResponse,
  accept: Accepting,
  config: Config,
  allowed: RevisionRules,
  headers = new Headers(),
): Response => {
  if (accept.sseFirst) {
    const stream = plainStream(config)
    void stream.send(response).then(() => stream.close())
    return new Response(stream.readable, { status: 200, headers: sseHeaders(headers) })
  }
  return json(response, 'error' in response ? allowed.status(response.error.code) : 200, headers)
}
