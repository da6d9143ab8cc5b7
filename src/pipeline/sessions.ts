// The Worker's side of sessions: whether they are on, minting a session at `initialize`, and
// handing every request that names a session to the shard that holds it, as one envelope
// (src/transports/envelope.ts). Requests without a session id never get here, and never wake a
// Durable Object.
//
//   POST /mcp  Mcp-Session-Id: s3.q8Xk...   ->  shard "sessions-3"  SessionShard.handle(envelope)

import type { Config } from '../settings/config.ts'
import { config as settingsOf } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { mintSessionId, shardFor, shardName, shardOf } from '../sessions/id.ts'
import { requestIdOf, type Envelope } from '../transports/envelope.ts'
import { sessionNotFound, type SessionShard } from '../transports/session-shard.ts'
import type { OpenSession } from '../transports/streamable-http.ts'

/** The binding of the SessionShard Durable Object namespace (wrangler.toml). */
const BINDING = 'SESSION_SHARD'

const namespace = (env: Env): DurableObjectNamespace<SessionShard> | null => {
  const binding = env[BINDING] as { idFromName?: unknown } | undefined
  return typeof binding?.idFromName === 'function'
    ? (binding as DurableObjectNamespace<SessionShard>)
    : null
}

/** Whether sessions are on and the Durable Object is bound. */
export const sessionsEnabled = (env: Env, config: Config): boolean =>
  config.SESSIONS && namespace(env) !== null

const stub = (env: Env, shard: number) => {
  const ns = namespace(env)!
  return ns.get(ns.idFromName(shardName(shard)))
}

/**
 * R-HT-13: creates a session after a successful `initialize`, in the shard of `caller`'s
 * sessions (which counts them: MAX_SESSIONS_PER_CALLER); its id, or null when the caller or the
 * shard is at its cap.
 */
export const opener =
  (env: Env, config: Config, caller: string | null): OpenSession =>
  async (init) => {
    const shard = shardFor(caller, config.SESSION_SHARDS)
    const id = mintSessionId(shard)
    const admission = await stub(env, shard).create(id, init, caller)
    return admission.ok ? id : null
  }

/** A new id for a legacy HTTP+SSE session (GET /sse), in the shard of `caller`'s sessions. */
export const mintLegacyId = (config: Config, caller: string | null): string =>
  mintSessionId(shardFor(caller, config.SESSION_SHARDS))

/** A new id for a stream the Worker holds open for its client (a GET or /sse stream). */
export const connectionId = (): string => crypto.randomUUID()

/**
 * Hands `envelope` to the shard of its session. An id that is not one of ours is 404 at once,
 * without waking any shard. A stream the shard answers with is passed through here, and when
 * its client goes away (the body is cancelled) the shard is told (`hangUp`): a Durable Object
 * is not told when a stream it returned stops being read.
 */
export const forward = async (
  env: Env,
  config: Config,
  envelope: Envelope,
  waitUntil: (work: Promise<unknown>) => void,
): Promise<Response> => {
  const shard = shardOf(envelope.session, config.SESSION_SHARDS)
  if (shard === null) return sessionNotFound(requestIdOf(envelope))
  const target = stub(env, shard)
  const response = await target.handle(envelope)
  const connection = 'connection' in envelope ? envelope.connection : null
  const body =
    connection === null || response.body === null
      ? response.body
      : relay(response.body, () => waitUntil(target.hangUp(connection)))
  // A response from a Durable Object has immutable headers; CORS is added after this.
  return new Response(body, response)
}

/** `upstream`, read on demand; `gone` runs once if the reader cancels before its end. */
const relay = (
  upstream: ReadableStream<Uint8Array>,
  gone: () => void,
): ReadableStream<Uint8Array> => {
  const reader = upstream.getReader()
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      const { done, value } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel: async (reason) => {
      gone()
      await reader.cancel(reason).catch(() => {})
    },
  })
}

/**
 * R-SF-42: tells the client of session `sessionId` that its URL elicitation `elicitationId` is
 * done (`notifications/elicitation/complete` on the session's GET stream). For the app's own
 * route behind the elicitation's URL, once it has checked that the user who finished the page
 * is the one who was asked; `sessionId` is the `ctx.sessionId` the tool kept server-side. False
 * when sessions are off, the session is gone, its client was never sent that elicitation, or no
 * stream is open: the notification is optional, and clients can retry by hand.
 */
export const completeElicitation = async (
  env: Env,
  sessionId: string,
  elicitationId: string,
): Promise<boolean> => {
  const settings = settingsOf(env)
  const shard = shardOf(sessionId, settings.SESSION_SHARDS)
  if (!sessionsEnabled(env, settings) || shard === null) return false
  return stub(env, shard).completeElicitation(sessionId, elicitationId)
}
