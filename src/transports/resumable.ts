// Resumable SSE streams (2025-03-26 .. 2025-11-25, sessions only).
//
// Every event gets an id `<stream>.<seq>`, unique within the session and naming its stream
// (R-HT-12), and is logged before it is written. When the connection drops, or the server closes
// it on purpose (2025-11-25 polling, R-HT-9), the client reconnects with GET and `Last-Event-ID`
// and gets what followed on that stream, then the rest live:
//
//   id: k3f9.0            <- priming event (2025-11-25 only): an id, a retry, empty data
//   retry: 1000
//   data:
//
//   id: k3f9.1
//   event: message
//   data: {"jsonrpc":"2.0","method":"notifications/progress",...}
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#resumability-and-redelivery

import type { SseStream } from './sse.ts'

export interface EventLog {
  append(stream: string, seq: number, payload: string): void
  after(stream: string, seq: number): { seq: number; payload: string }[]
}

/** One logical stream of a session; connections come and go, the stream goes on. */
export interface ResumableStream {
  readonly id: string
  readonly done: boolean
  /** Whether the client holds an event id of this stream (priming, or a message sent). */
  readonly resumable: boolean
  /** Whether a client connection is attached right now. */
  readonly connected: boolean
  /** Logs a message and writes it to the current connection, if any. */
  send(message: unknown): Promise<boolean>
  /**
   * Makes `connection` the stream's connection: it is sent what followed `seq`, as its client
   * reads (paced), and what the stream sends meanwhile, then the rest live.
   */
  attach(connection: SseStream, seq: number): Promise<void>
  /** Closes the current connection but not the stream (the client will resume). */
  disconnect(): Promise<void>
  /** `connection`'s client went away: if it is still the current one, the stream has none. */
  detach(connection: SseStream): Promise<void>
  /** The stream's work is done: close its connection; resumes replay, then close. */
  finish(): Promise<void>
}

const eventId = (stream: string, seq: number) => `${stream}.${seq}`

/** Splits a `Last-Event-ID` into its stream and sequence number, or null if it is not ours. */
export const parseEventId = (value: string): { stream: string; seq: number } | null => {
  const match = /^([A-Za-z0-9_-]{1,32})\.(\d{1,9})$/.exec(value.trim())
  return match === null ? null : { stream: match[1]!, seq: Number(match[2]) }
}

export const newStreamId = (): string =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(6))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')

/**
 * Opens a stream on `connection`. With `priming` (2025-11-25), the first event is an id with
 * empty data and a `retry` hint, so a client can resume even before the first message.
 */
export const openResumable = (
  log: EventLog,
  connection: SseStream,
  options: { priming: boolean; retryMs: number },
): ResumableStream => {
  const id = newStreamId()
  let seq = 0
  let done = false
  let current: SseStream | null = connection
  /** A connection being sent what it missed; `current` once it has caught up. */
  let replaying: SseStream | null = null
  const prime = (target: SseStream) =>
    target.send({ id: eventId(id, 0), retry: options.retryMs, data: '' })
  if (options.priming) void prime(connection)
  return {
    id,
    get done() {
      return done
    },
    get resumable() {
      return options.priming || seq > 0
    },
    get connected() {
      return current !== null || replaying !== null
    },
    async send(message) {
      const payload = JSON.stringify(message)
      seq += 1
      log.append(id, seq, payload)
      if (current === null) return true
      return current.send({ id: eventId(id, seq), event: 'message', data: payload })
    },
    async attach(next, after) {
      const previous = current ?? replaying
      // Until `next` has caught up, what the stream sends is only logged, and reaches `next`
      // through the log: the order of events is the log's.
      current = null
      replaying = next
      if (previous !== null && previous !== next) await previous.close()
      let last = after
      for (let missed = log.after(id, last); missed.length > 0; missed = log.after(id, last)) {
        for (const event of missed) {
          const replay = { id: eventId(id, event.seq), event: 'message', data: event.payload }
          // Paced: a long replay waits for its client, one event at a time (BM-LIMIT-8).
          if (replaying !== next || !(await next.send(replay, { paced: true }))) return
          last = event.seq
        }
      }
      if (replaying !== next) return
      replaying = null
      current = next
      if (done) await next.close()
    },
    async disconnect() {
      const closing = current ?? replaying
      current = replaying = null
      await closing?.close()
    },
    async detach(connection) {
      if (current !== connection && replaying !== connection) return
      current = replaying = null
      await connection.close()
    },
    async finish() {
      done = true
      await current?.close()
    },
  }
}
