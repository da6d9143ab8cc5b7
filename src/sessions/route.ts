// The Worker's side of sessions: minting a session at `initialize`, and sending every request
// that names a session to the shard that holds it. Requests without a session id never get here.
//
//   POST /mcp  Mcp-Session-Id: s3.q8Xk...   ->  shard "sessions-3"  (SessionShard.fetch)

import { encodePrincipal } from '../auth/principal.ts'
import type { Principal } from '../protocol/principal.ts'
import { config, type Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { invalidRequest } from '../jsonrpc/errors.ts'
import { readBytes } from '../http/body.ts'
import { rpcError } from '../http/responses.ts'
import { mintSessionId, shardName, shardOf } from './id.ts'
import type { SessionShard } from './shard.ts'
import type { SessionTransport } from './store.ts'

/** The binding of the SessionShard Durable Object namespace (wrangler.toml). */
const BINDING = 'SESSION_SHARD'

/** What the shard needs to know about a forwarded request; set only by us, never by clients. */
export const INTERNAL = {
  op: 'x-bare-mcp-op',
  session: 'x-bare-mcp-session',
  endpoint: 'x-bare-mcp-endpoint',
  /** The caller the Worker authenticated (src/auth/principal.ts), when AUTH=true. */
  principal: 'x-bare-mcp-principal',
  /** The catalog of a `createServer(tools)` server (src/catalog.ts `registerServer`). */
  catalog: 'x-bare-mcp-catalog',
} as const
export type ShardOp = 'post' | 'get' | 'delete' | 'sse-open' | 'sse-message'

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

/** R-HT-13: creates a session in a random shard after a successful `initialize`; its id. */
export const openSession = async (
  env: Env,
  config: Config,
  init: {
    transport: SessionTransport
    revision: string | null
    clientInfo: Record<string, unknown> | null
    clientCapabilities: Record<string, unknown> | null
    subject: string | null
  },
): Promise<string> => {
  const id = mintSessionId(config.SESSION_SHARDS)
  await stub(env, shardOf(id, config.SESSION_SHARDS)!).create({ id, ...init })
  return id
}

/** The 404 every unknown, expired or terminated session gets (R-HT-14). */
export const sessionNotFound = (): Response =>
  rpcError(404, invalidRequest('Session not found: it expired or was terminated; initialize again'))

/** What the Worker tells the shard besides the request itself. */
export interface Forwarded {
  /** `sse-open`: the endpoint URL the legacy stream announces. */
  endpoint?: string
  /** The authenticated caller (AUTH=true). */
  principal?: Principal | null
  /** The id of a `createServer(tools)` catalog; absent: the settings' catalog. */
  catalog?: string | null
}

/**
 * Sends `request` to the shard of `sessionId` as `op`. An id that is not one of ours is 404 at
 * once, without waking any shard.
 */
export const forward = async (
  env: Env,
  config: Config,
  sessionId: string,
  op: ShardOp,
  request: Request,
  via: Forwarded = {},
): Promise<Response> => {
  const { endpoint, principal, catalog } = via
  const shard = shardOf(sessionId, config.SESSION_SHARDS)
  if (shard === null) return sessionNotFound()
  const headers = new Headers(request.headers)
  for (const name of Object.values(INTERNAL)) headers.delete(name)
  headers.set(INTERNAL.op, op)
  headers.set(INTERNAL.session, sessionId)
  if (endpoint !== undefined) headers.set(INTERNAL.endpoint, endpoint)
  if (principal != null) headers.set(INTERNAL.principal, encodePrincipal(principal))
  if (catalog != null) headers.set(INTERNAL.catalog, catalog)
  // The body is read here, within the size limit, and sent whole: a shard that answers before
  // reading a streamed body (404) would leave the client's upload dangling.
  let body: Uint8Array | null = null
  if (request.body !== null) {
    const read = await readBytes(request, config.MAX_BODY_BYTES)
    if (!read.ok)
      return rpcError(413, invalidRequest(`The body exceeds ${config.MAX_BODY_BYTES} bytes`))
    body = read.bytes
  }
  const forwarded = new Request(request.url, {
    method: request.method,
    headers,
    body,
    signal: request.signal,
  })
  const response = await stub(env, shard).fetch(forwarded)
  // A response from a Durable Object has immutable headers; CORS is added after this.
  return new Response(response.body, response)
}

/** A new id for a legacy HTTP+SSE session (GET /sse), in a random shard. */
export const mintLegacyId = (config: Config): string => mintSessionId(config.SESSION_SHARDS)

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
  const settings = config(env)
  const shard = shardOf(sessionId, settings.SESSION_SHARDS)
  if (!sessionsEnabled(env, settings) || shard === null) return false
  return stub(env, shard).completeElicitation(sessionId, elicitationId)
}
