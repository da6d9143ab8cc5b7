// What a session has in memory while its shard runs: open streams, requests in flight (so
// `notifications/cancelled` can stop them), server-to-client requests awaiting an answer,
// watched subscriptions and URL elicitations it issued. None of it survives the shard being
// evicted; the session row does (store.ts). The streams are the transport's objects
// (src/transports/), held here by type parameter, so this state knows no transport.

import type { RequestId } from '../jsonrpc/message.ts'

/** A server-to-client request awaiting the client's answer (R-HT-20). */
export interface Pending {
  method: string
  resolve(result: Record<string, unknown>): void
  reject(error: Error): void
}

/** What a session's stream must tell its holder. */
export interface LiveStream {
  /** Whether a client connection is attached right now. */
  readonly connected: boolean
}

export interface Live<Stream extends LiveStream, Legacy, Source> {
  /** POST streams whose call has not finished: a client may resume them with GET. */
  streams: Map<string, Stream>
  /** The standalone GET stream (one per session). */
  standalone: Stream | null
  /** The legacy HTTP+SSE stream (transport "sse"). */
  legacy: Legacy | null
  /** Requests running, by id: aborting one cancels it (R-JR-20). */
  inflight: Map<string, AbortController>
  /** Our requests to the client, by id. */
  pending: Map<string, Pending>
  /** How many requests we sent the client: part of each new id (R-JR-4). */
  requests: number
  /** Subscribed resources being watched, by URI; aborting one stops its watch. */
  watchers: Map<string, AbortController>
  /**
   * URL elicitations this session's client was sent and not yet told complete (R-SF-42). In
   * memory only: a completion after the shard was evicted is not sent (it is optional).
   */
  elicitations: Set<string>
  /**
   * R-SF-25: the resource list source of the catalog the session's stream was opened with, and
   * the version of its list the client was last told of (null: not read yet).
   */
  listSource: Source | null
  listVersion: string | null
}

export const newLive = <Stream extends LiveStream, Legacy, Source>(): Live<
  Stream,
  Legacy,
  Source
> => ({
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

type AnyLive = Live<LiveStream, unknown, unknown>

/** Whether a stream that can carry notifications is connected (GET or /sse). */
export const streaming = (live: AnyLive): boolean =>
  live.legacy !== null || live.standalone?.connected === true

/** A signal that `notifications/cancelled` for `id` aborts (R-JR-20). */
export const track = (live: AnyLive, id: RequestId): AbortSignal => {
  const controller = new AbortController()
  live.inflight.set(String(id), controller)
  return controller.signal
}

export const untrack = (live: AnyLive, id: RequestId): void => void live.inflight.delete(String(id))

/** R-JR-20: cancels the request `id` names; unknown or finished ids are ignored. */
export const cancel = (live: AnyLive, id: unknown): void => {
  if (typeof id === 'string' || typeof id === 'number') live.inflight.get(String(id))?.abort()
}

/** Stops the watch of `uri`, or of every subscription when no URI is given. */
export const unwatch = (live: AnyLive, uri?: string): void => {
  for (const [watched, controller] of live.watchers) {
    if (uri !== undefined && watched !== uri) continue
    controller.abort()
    live.watchers.delete(watched)
  }
}

/** Aborts everything in flight and every watch, once the session is over. */
export const stopAll = (live: AnyLive): void => {
  unwatch(live)
  for (const controller of live.inflight.values()) controller.abort()
}
