// Where things are: our issuer, the resource identifiers tokens are bound to, and the fixed
// paths of the authorization server's endpoints.

import type { Config } from '../settings/config.ts'

/** The authorization server's endpoints, relative to the issuer (also the 2025-03-26 defaults). */
export const AUTH_PATHS = {
  authorize: '/authorize',
  token: '/token',
  register: '/register',
  revoke: '/revoke',
  callback: '/callback',
  signin: '/signin',
  consent: '/consent',
} as const

/** Our issuer and public origin: PUBLIC_URL, or the request's origin (lowercase, no slash). */
export const issuerOf = (request: Request, config: Config): string =>
  config.PUBLIC_URL !== '' ? config.PUBLIC_URL : new URL(request.url).origin.toLowerCase()

/**
 * R-AU-11 · RFC 8707: the canonical URI of the MCP server, which tokens name as audience:
 * the issuer plus the MCP path, without a trailing slash.
 */
export const canonicalResource = (issuer: string, config: Config): string =>
  `${issuer}${config.MCP_PATH.replace(/\/+$/, '')}`

/**
 * RFC 8707 `resource` values we answer for, normalised (R-AU-11: scheme and host compared
 * case-insensitively, a trailing slash ignored): the MCP endpoint, its tool profiles below it,
 * the legacy `/sse` endpoint, and the bare origin. Tokens bound to any of them are ours;
 * anything else is another server's. Returns the normalised value, or null when not ours.
 */
export const ourResource = (value: string, issuer: string, config: Config): string | null => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  if (url.hash !== '' || url.search !== '' || url.username !== '' || url.password !== '') {
    return null
  }
  if (url.origin.toLowerCase() !== issuer) return null
  const path = url.pathname.replace(/\/+$/, '')
  const mcp = config.MCP_PATH.replace(/\/+$/, '')
  const ours =
    path === '' ||
    path === mcp ||
    (path.startsWith(`${mcp}/`) && /^[a-z0-9_-]{1,32}$/.test(path.slice(mcp.length + 1))) ||
    path === '/sse'
  return ours ? `${issuer}${path}` : null
}
