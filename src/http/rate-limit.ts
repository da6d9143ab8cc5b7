// Rate limits: Cloudflare's Rate Limiting binding counts requests per key in fixed windows of 10
// or 60 seconds, per Cloudflare location, and says whether this one is within the limit. Each
// limiter is a `[[ratelimits]]` binding in wrangler.toml (repeated under every environment:
// bindings are not inherited); its limit lives there, its period both there and in LIMITERS.
//
//   [[ratelimits]]
//   name = "TOKEN_RATE_LIMIT"
//   namespace_id = "4213"
//   simple = { limit = 600, period = 60 }
//
//   const limited = await rateLimit(env, config.RATE_LIMITS, 'TOKEN_RATE_LIMIT', clientKey(request))
//   if (!limited.ok) -> 429, Retry-After: 60
//
// Nothing is limited when RATE_LIMITS=false (load tests), when the binding is missing (a
// deployment that left it out), or when there is no key: a request without CF-Connecting-IP did
// not come through Cloudflare's edge (a service binding, a test), so it has no address to count.
// Cloudflare sets CF-Connecting-IP itself on every request from the internet; a client cannot.

import type { Env } from '../settings/env.ts'
import { rateLimited } from '../jsonrpc/errors.ts'
import { rpcError } from './responses.ts'

/**
 * Every limiter, by binding name, with the period (seconds) wrangler.toml gives it: a refusal
 * says to retry after one period, the longest a fixed window can still hold the caller back.
 */
export const LIMITERS = {
  /** MCP requests per caller (the lead wires it into the request pipeline). */
  MCP_RATE_LIMIT: { period: 10 },
  /** `tools/call` per caller (R-SF-10; not wired yet). */
  TOOL_CALL_RATE_LIMIT: { period: 10 },
  /** `POST /register` per client address. */
  REGISTER_RATE_LIMIT: { period: 60 },
  /** `POST /token` and `POST /revoke` per client address. */
  TOKEN_RATE_LIMIT: { period: 60 },
  /** `/authorize` and the sign-in pages (`/signin`, `/callback`, `/consent`) per client address. */
  AUTHORIZE_RATE_LIMIT: { period: 60 },
} as const

export type LimiterName = keyof typeof LIMITERS

/** Within the limit, or over it and when to try again (seconds). */
export type Limited = { ok: true } | { ok: false; retryAfter: number }

/** The binding's shape: `limit({ key })` resolves `{ success }`. */
interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>
}

const isBinding = (value: unknown): value is RateLimitBinding =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { limit?: unknown }).limit === 'function'

const OK: Limited = { ok: true }

/** Whether the Worker has the binding `name` (wrangler.toml `[[ratelimits]]`). */
export const hasLimiter = (env: Env, name: LimiterName): boolean => isBinding(env[name])

/**
 * Counts one request under `key` against limiter `name`. No-op when `enabled` is false (the
 * RATE_LIMITS setting), the binding is missing, or `key` is null. A limiter that fails to
 * answer lets the request through (logged): rate limits protect the service, they must not
 * take it down.
 */
export const rateLimit = async (
  env: Env,
  enabled: boolean,
  name: LimiterName,
  key: string | null,
): Promise<Limited> => {
  if (!enabled || key === null) return OK
  const binding = env[name]
  if (!isBinding(binding)) return OK
  try {
    const { success } = await binding.limit({ key })
    return success ? OK : { ok: false, retryAfter: LIMITERS[name].period }
  } catch (error) {
    console.error(`rate limiter ${name} failed; request let through`, error)
    return OK
  }
}

/**
 * An IPv6 address's /64 network (what one customer typically holds, so counting whole
 * addresses would let one machine pose as 2^64 clients); an IPv4 address as it is.
 */
const network = (ip: string): string => {
  if (!ip.includes(':') || ip.includes('.')) return ip
  const [head = '', tail] = ip.toLowerCase().split('::', 2)
  const front = head === '' ? [] : head.split(':')
  const back = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = [
    ...front,
    ...Array(Math.max(0, 8 - front.length - back.length)).fill('0'),
    ...back,
  ]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

/** The client's address as Cloudflare saw it (IPv6 as its /64), or null without one. */
export const clientKey = (request: Request): string | null => {
  const ip = request.headers.get('cf-connecting-ip')?.trim()
  return ip === undefined || ip === '' ? null : `ip:${network(ip)}`
}

/**
 * Who a per-caller limit counts: the authenticated principal's subject (a user, or an API
 * key's "key:<id>"), else the client's address.
 */
export const callerKey = (
  request: Request,
  principal: { subject: string } | null,
): string | null => (principal !== null ? `sub:${principal.subject}` : clientKey(request))

/** MCP_RATE_LIMIT for one MCP request of `principal` (or of its address, unauthenticated). */
export const limitMcpRequest = (
  env: Env,
  enabled: boolean,
  request: Request,
  principal: { subject: string } | null,
): Promise<Limited> => rateLimit(env, enabled, 'MCP_RATE_LIMIT', callerKey(request, principal))

/** TOOL_CALL_RATE_LIMIT for one `tools/call` (R-SF-10: servers MUST rate limit invocations). */
export const limitToolCall = (
  env: Env,
  enabled: boolean,
  request: Request,
  principal: { subject: string } | null,
): Promise<Limited> =>
  rateLimit(env, enabled, 'TOOL_CALL_RATE_LIMIT', callerKey(request, principal))

/** The Retry-After header of a refusal. */
export const retryAfterHeaders = (retryAfter: number): Headers =>
  new Headers({ 'Retry-After': String(retryAfter), 'Cache-Control': 'no-store' })

/**
 * 429 for an MCP endpoint: a JSON-RPC error (-31429, `data.retryAfter`) with the request's id
 * when known, and Retry-After (RFC 6585 §4, RFC 9110 §10.2.3).
 */
export const tooManyRpcRequests = (
  retryAfter: number,
  id: string | number | null = null,
  message?: string,
): Response => rpcError(429, rateLimited(retryAfter, message), id, retryAfterHeaders(retryAfter))
