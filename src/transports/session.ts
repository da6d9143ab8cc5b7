// A session as a request running in its shard sees it: the row (what `initialize` negotiated),
// the session's live state (src/sessions/live.ts), and what the protocol may do with it (the
// `SessionHandle` handlers get: log level, subscriptions, requests to the client, URL
// elicitations). Built per request by the shard (src/transports/session-shard.ts).
//
// Messages that belong to no request go out on the session's own stream (R-HT-10): the
// standalone GET stream, or the 2024-11-05 `/sse` stream.

import type { Config, LoggingLevel } from '../settings/config.ts'
import { tooManyRpcRequests } from '../http/rate-limit.ts'
import {
  notification,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type Outbound,
  type RequestId,
} from '../jsonrpc/message.ts'
import type { SessionHandle, Watch } from '../protocol/context.ts'
import { elicitationComplete, urlElicitationId } from '../protocol/elicitation.ts'
import { HandlerError } from '../protocol/errors.ts'
import type { Initialized } from '../protocol/lifecycle.ts'
import { isLegacyRevision, rules, type LegacyRevision } from '../protocol/revisions.ts'
import type { ResourceSource } from '../resources/source.ts'
import { LIST_CHANGED } from '../resources/source.ts'
import { cancel, track, unwatch, untrack, type Live } from '../sessions/live.ts'
import type { SessionRow } from '../sessions/store.ts'
import { plainStream, type ReplyStream } from './reply.ts'
import { openResumable, type EventLog, type ResumableStream } from './resumable.ts'
import { openSseStream, type SseStream } from './sse.ts'

/** A session's live state, with this transport's streams in it. */
export type SessionLive = Live<ResumableStream, SseStream, ResourceSource>

/** What a session row may have changed: by `initialize`, `logging/setLevel`, a subscription. */
export type SessionChange = Partial<
  Pick<SessionRow, 'revision' | 'clientInfo' | 'clientCapabilities' | 'logLevel' | 'subscriptions'>
>

/** Everything a request running inside its session's shard needs from the session. */
export interface Session {
  readonly id: string
  /** The revision `initialize` negotiated; null on a `/sse` session before it. */
  readonly revision: LegacyRevision | null
  readonly logLevel: LoggingLevel | null
  readonly clientCapabilities: Record<string, unknown> | null
  readonly handle: SessionHandle
  /** Opens the reply body of a POST: resumable with event ids from 2025-03-26 on. */
  open(): ReplyStream
  /** Whether `open()` gives resumable streams, and whether they open with a priming event. */
  readonly resumable: boolean
  readonly primed: boolean
  /** How many of its requests are running now (MAX_INFLIGHT_PER_SESSION bounds it). */
  inflight(): number
  /** A signal that `notifications/cancelled` for `id` aborts (R-JR-20); `done` forgets it. */
  track(id: RequestId): AbortSignal
  done(id: RequestId): void
  /** A notification or response from the client that belongs to the session (see `receive`). */
  receive(message: JSONRPCMessage): void
  /** Remembers what `initialize` negotiated (a `/sse` session initializes in-band). */
  initialized(init: Initialized): void
}

/**
 * R-SF-25: the resource list is at `version` now: if the client was told of another, it hears
 * `notifications/resources/list_changed` (no params) on the session's stream. The first version
 * read is the client's starting point, announced to no one.
 */
export const listAt = (live: SessionLive, version: string): void => {
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
export const notifySession = (live: SessionLive, message: Outbound): boolean => {
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
  live: SessionLive,
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
 * Starts watching a resource for a subscription (once per URI and session); each change it
 * reports becomes `notifications/resources/updated` (R-SF-24).
 */
export const watchResource = (live: SessionLive, uri: string, watch: Watch | undefined): void => {
  if (watch === undefined || live.watchers.has(uri)) return
  const controller = new AbortController()
  live.watchers.set(uri, controller)
  watch(
    () => notifySession(live, notification('notifications/resources/updated', { uri })),
    controller.signal,
  )
}

/**
 * Sends a server-to-client request (R-HT-20) on `send`'s stream and waits for the client's
 * answer, which arrives as a later POST to this shard (`receive`), up to
 * CLIENT_REQUEST_TIMEOUT_MS.
 */
const requestClient = (
  session: { id: string; live: SessionLive; config: Config },
  method: string,
  params: Record<string, unknown>,
  send: (message: Outbound) => boolean,
  signal: AbortSignal,
): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const { live, config } = session
    // R-JR-4: our request ids are never reused within the session.
    const id = `${session.id.slice(-6)}-${++live.requests}-${Date.now().toString(36)}`
    const done = () => {
      clearTimeout(timer)
      live.pending.delete(id)
    }
    const timer = setTimeout(() => {
      done()
      reject(
        new HandlerError(
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
      reject(new HandlerError(`${method} needs a response stream; the client accepts only JSON`))
    }
  })

/** A client's answer to one of our requests reaches the call waiting for it (R-HT-20). */
const answer = (live: SessionLive, response: JSONRPCResultResponse | JSONRPCErrorResponse) => {
  const pending = live.pending.get(String(response.id))
  if (pending === undefined) return
  if ('error' in response) {
    pending.reject(
      new HandlerError(`The client refused ${pending.method}: ${response.error.message}`),
    )
  } else {
    pending.resolve(response.result)
  }
}

/** The session of `row` over its live state, event log and settings. */
export const sessionOf = (
  row: SessionRow,
  live: SessionLive,
  log: EventLog,
  config: Config,
  update: (change: SessionChange) => void,
): Session => {
  const revision = row.revision !== null && isLegacyRevision(row.revision) ? row.revision : null
  const allowed = revision === null ? null : rules(revision)
  const handle: SessionHandle = {
    id: row.id,
    setLogLevel: (level) => update({ logLevel: level }),
    subscribe: (uri, watch) => {
      if (!row.subscriptions.includes(uri)) {
        row.subscriptions = [...row.subscriptions, uri]
        update({ subscriptions: row.subscriptions })
      }
      watchResource(live, uri, watch)
    },
    unsubscribe: (uri) => {
      if (row.subscriptions.includes(uri)) {
        row.subscriptions = row.subscriptions.filter((subscribed) => subscribed !== uri)
        update({ subscriptions: row.subscriptions })
      }
      unwatch(live, uri)
    },
    request: (method, params, send, signal) =>
      requestClient({ id: row.id, live, config }, method, params, send, signal),
    issueElicitation: (elicitationId) => void live.elicitations.add(elicitationId),
    completeElicitation: (elicitationId, send) => completeElicitation(live, elicitationId, send),
  }
  const resumable = allowed?.resumableStreams === true
  const primed = allowed?.primingEvents === true
  return {
    id: row.id,
    revision,
    logLevel: row.logLevel,
    clientCapabilities: row.clientCapabilities,
    handle,
    resumable,
    primed,
    // 2024-11-05 has no resumability: its replies are plain streams.
    open: () => {
      if (!resumable) return plainStream(config)
      const connection = openSseStream(config)
      const stream = openResumable(log, connection, {
        priming: primed,
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
    // A method, not a getter (src/protocol/with-signal.ts says why).
    inflight: () => live.inflight.size,
    track: (id) => track(live, id),
    done: (id) => untrack(live, id),
    receive: (message) => {
      // Notifications are never answered (R-JR-9); only cancellation needs action (R-JR-20).
      if (message.kind === 'notification') {
        const { method, params } = message.message
        if (method === 'notifications/cancelled') cancel(live, params?.requestId)
      } else if (message.kind === 'response') {
        answer(live, message.message)
      }
    },
    initialized: (init) => update(init),
  }
}

/**
 * The 429 for a session that would run more than MAX_INFLIGHT_PER_SESSION requests at once with
 * these; null when they fit. What one session runs at once is bounded, whatever it sends.
 */
export const busyRefusal = (
  session: Session,
  requests: readonly JSONRPCRequest[],
  config: Config,
): Response | null => {
  const limit = config.MAX_INFLIGHT_PER_SESSION
  if (requests.length === 0 || session.inflight() + requests.length <= limit) return null
  return tooManyRpcRequests(
    1,
    requests[0]!.id,
    `This session already runs ${session.inflight()} requests; at most ${limit} may run at once (MAX_INFLIGHT_PER_SESSION)`,
  )
}
