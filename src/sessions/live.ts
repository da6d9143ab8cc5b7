// What a session has in memory while its shard runs: open streams, requests in flight (so
// `notifications/cancelled` can stop them) and server-to-client requests awaiting an answer.
// None of it survives the shard being evicted; the session row does (store.ts).

import type { Config, LoggingLevel } from '../settings/config.ts'
import {
  notification,
  type JSONRPCErrorResponse,
  type JSONRPCResultResponse,
  type Outbound,
  type RequestId,
} from '../jsonrpc/message.ts'
import type { SessionHandle } from '../protocol/context.ts'
import { elicitationComplete, urlElicitationId } from '../protocol/elicitation.ts'
import type { Resource } from '../resources/define.ts'
import { LIST_CHANGED, type ResourceSource } from '../resources/source.ts'
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
  /** Subscribed resources being watched, by URI; aborting one stops its `watch`. */
  watchers: Map<string, AbortController>
  /**
   * URL elicitations this session's client was sent and not yet told complete (R-SF-42). In
   * memory only: a completion after the shard was evicted is not sent (it is optional).
   */
  elicitations: Set<string>
  /**
   * R-SF-25: the resource source of the catalog the session's stream was opened with, and the
   * version of its list the client was last told of (null: not read yet). The shard polls the
   * source while a stream is open and announces each move (src/sessions/shard.ts).
   */
  listSource: ResourceSource | null
  listVersion: string | null
}

export const newLive = (): Live => ({
  streams: new Map(),
  standalone: null,
  legacy: null,
  inflight: new Map(),
  pending: new Map(),
  requests: 0,
  watchers: new Map(),
  elicitations: new Set(),
  listSource: null,
  listVersion: null,
})

/** Whether a stream that can carry notifications is connected (GET or /sse). */
export const streaming = (live: Live): boolean =>
  live.legacy !== null || live.standalone?.connected === true

/**
 * R-SF-25: the resource list is at `version` now: if the client was told of another, it hears
 * `notifications/resources/list_changed` (no params) on the session's stream. The first version
 * read is the client's starting point, announced to no one.
 */
export const listAt = (live: Live, version: string): void => {
  if (live.listVersion !== null && live.listVersion !== version) {
    notifySession(live, notification(LIST_CHANGED))
  }
  live.listVersion = version
}

/**
 * Sends a message that belongs to no request (R-HT-10): on the standalone GET stream, logged
 * for resumption even while its client is reconnecting, or on the 2024-11-05 `/sse` stream.
 * With neither open there is nowhere to send it: it is dropped, and the answer is false.
 */
export const notifySession = (live: Live, message: Outbound): boolean => {
  if (live.legacy !== null) {
    void live.legacy.send({ event: 'message', data: JSON.stringify(message) })
    return true
  }
  if (live.standalone === null || live.standalone.done) return false
  void live.standalone.send(message)
  return true
}

/**
 * R-SF-42: `notifications/elicitation/complete` for an elicitation this session's client was
 * sent (and only then: the notification MUST go to the client that was asked), once; on `send`
 * (a call's stream) when it takes it, else on the session's stream.
 */
export const completeElicitation = (
  live: Live,
  elicitationId: string,
  send?: (message: Outbound) => boolean,
): boolean => {
  if (!live.elicitations.has(elicitationId)) return false
  const message = elicitationComplete(elicitationId)
  const sent = send?.(message) === true || notifySession(live, message)
  if (sent) live.elicitations.delete(elicitationId)
  return sent
}

/**
 * Starts watching `resource` for a subscription (once per URI and session); each change it
 * reports becomes `notifications/resources/updated` (R-SF-24).
 */
export const watchResource = (live: Live, uri: string, resource: Resource | undefined): void => {
  if (resource === undefined || live.watchers.has(uri)) return
  const controller = new AbortController()
  live.watchers.set(uri, controller)
  resource.watch(
    () => notifySession(live, notification('notifications/resources/updated', { uri })),
    controller.signal,
  )
}

/** Stops the watch of `uri`, or of every subscription when no URI is given. */
export const unwatch = (live: Live, uri?: string): void => {
  for (const [watched, controller] of live.watchers) {
    if (uri !== undefined && watched !== uri) continue
    controller.abort()
    live.watchers.delete(watched)
  }
}

/** Everything a request running inside its session's shard needs from the session. */
export interface ShardSession {
  row: SessionRow
  handle: SessionHandle
  /** Opens the reply body of a POST: resumable with ids from 2025-03-26 on. */
  open(): ReplyStream
  /** Whether `open()` gives resumable streams (the session's revision is 2025-03-26+). */
  resumable: boolean
  /** Whether they open with a priming event (2025-11-25+, R-HT-9). */
  primed: boolean
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
  update: (change: { logLevel?: LoggingLevel; subscriptions?: string[] }) => void,
): ShardSession => ({
  row,
  handle: {
    id: row.id,
    setLogLevel: (level) => update({ logLevel: level }),
    subscribe: (uri, resource) => {
      if (!row.subscriptions.includes(uri)) {
        row.subscriptions = [...row.subscriptions, uri]
        update({ subscriptions: row.subscriptions })
      }
      watchResource(live, uri, resource)
    },
    unsubscribe: (uri) => {
      if (row.subscriptions.includes(uri)) {
        row.subscriptions = row.subscriptions.filter((subscribed) => subscribed !== uri)
        update({ subscriptions: row.subscriptions })
      }
      unwatch(live, uri)
    },
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
        const elicitationId = urlElicitationId(method, params)
        if (elicitationId !== null) live.elicitations.add(elicitationId)
        if (!send(message)) {
          done()
          reject(new ToolError(`${method} needs a response stream; the client accepts only JSON`))
        }
      }),
    issueElicitation: (elicitationId) => void live.elicitations.add(elicitationId),
    completeElicitation: (elicitationId, send) => completeElicitation(live, elicitationId, send),
  },
  // 2024-11-05 has no resumability: its replies are plain streams.
  resumable: row.revision !== null && row.revision >= '2025-03-26',
  // R-HT-9: priming events only for 2025-11-25 sessions (older clients choke on empty data).
  primed: row.revision !== null && row.revision >= '2025-11-25',
  open: () => {
    if (row.revision === null || row.revision < '2025-03-26') return plainStream(config)
    const connection = openSseStream(config.KEEPALIVE_MS)
    const stream = openResumable(log, connection, {
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
      pause: async () => {
        if (!stream.resumable) return false
        await stream.disconnect()
        return true
      },
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
