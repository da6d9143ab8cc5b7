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

/** The first of `all` and `streaming` to settle, or 'later' after `ms`; the timer never
 *  outlives the race. */
const raceWithTimer = async <T>(
  all: Promise<T>,
  streaming: Promise<'streaming'>,
  ms: number,
): Promise<T | 'streaming' | 'later'> => {
  let timer: ReturnType<typeof setTimeout> | null = null
  const later = new Promise<'later'>((resolve) => (timer = setTimeout(() => resolve('later'), ms)))
  try {
    return await Promise.race([all, streaming, later])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs an exchange and replies in the form the client accepts and the call needs. */
export const reply = async (
  exchange: Exchange,
  accept: Accepting,
  config: Config,
): Promise<Response> => {
  let early: Outbound[] | null = []
  let wake: (value: 'streaming') => void = () => {}
  const streaming = new Promise<'streaming'>((resolve) => (wake = resolve))
  let send = (message: Outbound): boolean => {
    if (!accept.sse) return false // a JSON-only client cannot receive anything but the response
    early?.push(message)
    wake('streaming')
    return true
  }
  let opened: ((stream: ReplyStream) => void) | null = null
  const whenOpen = new Promise<ReplyStream>((resolve) => (opened = resolve))
  const closeStream = async (): Promise<boolean> => {
    if (!accept.sse || !exchange.resumable) return false
    if (opened !== null) {
      // Not streaming yet: only worth it if the client will hold an event id to resume from.
      if (!exchange.primed && (early?.length ?? 0) === 0) return false
      wake('streaming') // the reply becomes SSE now
    }
    return (await (await whenOpen).pause?.()) ?? false
  }
  // The requests' deadlines start only once they are seen to wait (src/protocol/timeout.ts).
  const clock = waitingClock()
  const pending = exchange.run((message) => send(message), closeStream, clock.waiting)
  const all = Promise.all(pending)

  if (!accept.sseFirst) {
    // Most calls finish without waiting for I/O: answered as JSON with no timer ever set.
    const soon = await settledSoon(accept.sse ? Promise.race([all, streaming]) : all)
    if (soon !== 'waiting' && 'value' in soon && Array.isArray(soon.value)) {
      return jsonReply(exchange, soon.value)
    }
    clock.start()
    if (soon === 'waiting') {
      const first = accept.sse
        ? await raceWithTimer(all, streaming, config.SSE_AFTER_MS)
        : await all
      if (Array.isArray(first)) return jsonReply(exchange, first)
    }
  }
  clock.start()

  const stream = exchange.open()
  opened!(stream)
  opened = null
  if (exchange.rules.cancelOnDisconnect)
    stream.closed.addEventListener('abort', exchange.cancel, { once: true })
  for (const response of exchange.ready) void stream.send(response)
  for (const message of early ?? []) void stream.send(message)
  early = null
  send = (message) => {
    void stream.send(message)
    return true
  }
  const sent = pending.map((response) =>
    response.then((value) => (value === null ? true : stream.send(value))),
  )
  void Promise.all(sent).then(() => stream.close())
  return new Response(stream.readable, { status: 200, headers: sseHeaders() })
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
