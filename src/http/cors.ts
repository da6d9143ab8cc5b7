// The Origin check and CORS.
//
// Browsers send `Origin` on cross-origin requests; servers and CLI clients (ChatGPT, the
// Responses API, mcp-remote) do not. An `Origin` we do not trust is refused with 403, which
// defeats DNS rebinding against a local server. A trusted origin gets CORS headers so a browser
// client (the MCP Inspector in "Direct" mode) can read our answers and our headers.
//
// R-HT-2 · https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#security-warning
// Servers MUST validate Origin; if it is present and invalid they MUST answer 403.
// CORS itself is not in the spec; the header lists below are what real browser clients need.

import type { Config } from '../settings/config.ts'

/** Request headers a browser client may send (R-HT-2 §3 item 1, CLIENTS.md C6). */
export const ALLOWED_REQUEST_HEADERS = [
  'Content-Type',
  'Accept',
  'Authorization',
  'Mcp-Session-Id',
  'MCP-Protocol-Version',
  'Last-Event-ID',
  'Mcp-Method',
  'Mcp-Name',
] as const

/** Response headers a browser client must be able to read. */
export const EXPOSED_RESPONSE_HEADERS = [
  'Mcp-Session-Id',
  'MCP-Protocol-Version',
  'WWW-Authenticate',
] as const

export const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS'

const LOOPBACK = /^https?:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$/i

/** Whether `origin` may call us. The literal string "null" (sandboxed frames) never may. */
export const isAllowedOrigin = (origin: string, config: Config): boolean => {
  if (config.ALLOWED_ORIGINS.includes('*')) return origin !== 'null'
  if (config.ALLOWED_ORIGINS.includes(origin)) return true
  return config.ALLOW_LOCALHOST_ORIGINS && LOOPBACK.test(origin)
}

/** The verdict on a request's `Origin`: absent, trusted, or refused. */
export type OriginVerdict = { ok: true; origin: string | null } | { ok: false; origin: string }

export const checkOrigin = (request: Request, config: Config): OriginVerdict => {
  const origin = request.headers.get('origin')
  if (origin === null) return { ok: true, origin: null }
  return isAllowedOrigin(origin, config) ? { ok: true, origin } : { ok: false, origin }
}

/** Adds the CORS headers for a trusted origin to a response's headers. */
export const withCors = (headers: Headers, origin: string | null): Headers => {
  if (origin === null) return headers
  headers.set('Access-Control-Allow-Origin', origin)
  headers.set('Access-Control-Expose-Headers', EXPOSED_RESPONSE_HEADERS.join(', '))
  headers.append('Vary', 'Origin')
  return headers
}

/**
 * The answer to a CORS preflight from a trusted origin: the fixed header list, plus any
 * `Mcp-Param-*` headers asked for (2026-07-28 tools may declare header parameters).
 */
export const preflightHeaders = (request: Request, origin: string): Headers => {
  const asked = (request.headers.get('access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name))
  const headers = withCors(new Headers(), origin)
  headers.set('Access-Control-Allow-Methods', ALLOWED_METHODS)
  headers.set('Access-Control-Allow-Headers', [...ALLOWED_REQUEST_HEADERS, ...asked].join(', '))
  headers.set('Access-Control-Max-Age', '86400')
  return headers
}
