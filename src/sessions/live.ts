// What a session has in memory while its shard runs: open streams, requests in flight (so
// `notifications/cancelled` can stop them) and server-to-client requests awaiting an answer.
// None of it survives the shard being evicted; the session row does (store.ts).

import type { Config, LoggingLevel } from '../config.ts'
import type {
  JSONRPCErrorResponse,
  JSONRPCResultResponse,
  Outbound,
  RequestId,
} from '../jsonrpc/message.ts'
import type { SessionHandle } from '../protocol/context.ts'
import { ToolError } from '../tools/define.ts'
import { plainStream, type ReplyStream } from '../transports/reply.ts'
import { openSseStream, type SseStream } from '../transports/sse.ts'
import { openResumable, type EventLog, type ResumableStream } from './resumable.ts'
import type { SessionRow } from './store.ts'

interface Pending {
  method: string
  resolve(result: Record<string, unknown>): void
  reject(error: Error): void
}

export interface Live {
  /** POST streams whose call has not finished: a client may resume them with GET. */
  streams: Map<string, ResumableStream>
  /** The standalone GET stream (one per session). */
  standalone: ResumableStream | null
  /** The legacy HTTP+SSE stream (transport "sse"). */
  legacy: SseStream | null
  inflight: Map<string, AbortController>
  pending: Map<string, Pending>
  requests: number
}

export const newLive = (): Live => ({
  streams: new Map(),
  standalone: null,
  legacy: null,
  inflight: new Map(),
  pending: new Map(),
  requests: 0,
})

/** Everything a request running inside its session's shard needs from the session. */
export interface ShardSession {
  row: SessionRow
  handle: SessionHandle
  /** Opens the reply body of a POST: resumable with ids from 2025-03-26 on. */
  open(): ReplyStream
  /** A signal that `notifications/cancelled` for `id` aborts (R-JR-20). */
  track(id: RequestId): AbortSignal
  untrack(id: RequestId): void
  cancel(id: unknown): void
  /** A client's response to one of our requests (R-HT-20). */
  answer(response: JSONRPCResultResponse | JSONRPCErrorResponse): void
}

/** Builds the session object of `row` over its live state, event log and settings. */
export const shardSession = (
  row: SessionRow,
  live: Live,
  log: EventLog,
  config: Config,
  update: (change: { logLevel: LoggingLevel }) => void,
): ShardSession => ({
  row,
  handle: {
    id: row.id,
    setLogLevel: (level) => update({ logLevel: level }),
    request: (method, params, send, signal) =>
      new Promise((resolve, reject) => {
        // R-JR-4: our request ids are never reused within the session.
        const id = `${row.id.slice(-6)}-${++live.requests}-${Date.now().toString(36)}`
        const done = () => {
          clearTimeout(timer)
          live.pending.delete(id)
        }
        const timer = setTimeout(() => {
          done()
          reject(
            new ToolError(
              `The client did not answer ${method} within ${config.CLIENT_REQUEST_TIMEOUT_MS} ms`,
            ),
          )
        }, config.CLIENT_REQUEST_TIMEOUT_MS)
        signal.addEventListener('abort', () => (done(), reject(signal.reason)), { once: true })
        live.pending.set(id, {
          method,
          resolve: (result) => (done(), resolve(result)),
          reject: (error) => (done(), reject(error)),
        })
        const message: Outbound = { jsonrpc: '2.0', id, method, params }
        if (!send(message)) {
          done()
          reject(new ToolError(`${method} needs a response stream; the client accepts only JSON`))
        }
      }),
  },
  open: () => {
    // 2024-11-05 has no resumability: its replies are plain streams.
    if (row.revision === null || row.revision < '2025-03-26') return plainStream(config)
    const connection = openSseStream(config.KEEPALIVE_MS)
    const stream = openResumable(log, connection, {
      // R-HT-9: priming events only for 2025-11-25 sessions (older clients choke on empty data).
      priming: row.revision >= '2025-11-25',
      retryMs: config.SSE_RETRY_MS,
    })
    live.streams.set(stream.id, stream)
    return {
      readable: connection.readable,
      send: (message) => stream.send(message),
      close: async () => {
        live.streams.delete(stream.id)
        await stream.finish()
      },
      closed: connection.closed,
    }
  },
  track: (id) => {
    const controller = new AbortController()
    live.inflight.set(String(id), controller)
    return controller.signal
  },
  untrack: (id) => void live.inflight.delete(String(id)),
  cancel: (id) => {
    // R-JR-20: unknown or finished ids are ignored.
    if (typeof id === 'string' || typeof id === 'number') live.inflight.get(String(id))?.abort()
  },
  answer: (response) => {
    const pending = live.pending.get(String(response.id))
    if (pending === undefined) return
    if ('error' in response) {
      pending.reject(
        new ToolError(`The client refused ${pending.method}: ${response.error.message}`),
      )
    } else {
      pending.resolve(response.result)
    }
  },
})
