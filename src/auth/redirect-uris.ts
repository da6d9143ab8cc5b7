// Redirect URIs: which a client may register (RFC 7591 §2, RFC 8252 §7) and whether the one an
// authorization request names is one of them (RFC 6749 §3.1.2.3, exact matching as OAuth 2.1
// and R-AU-12 require, with RFC 8252 §7.3's one exception for loopback ports).
//
//   https://chatgpt.com/connector/oauth/abc   allowed when AUTH_REDIRECT_URIS lists it (or a
//                                             pattern `https://chatgpt.com/connector/oauth/*`)
//   http://127.0.0.1:51234/callback           loopback: always, any port (RFC 8252 §7.3)
//   cursor://anysphere.cursor-mcp/oauth/cb    private-use scheme: native clients (RFC 8252 §7.1)
//   http://evil.example/cb, javascript:...    never
//
// Fragments and userinfo are refused everywhere (RFC 6749 §3.1.2; a `user@` part makes a URI
// read as one host and go to another).

import type { Config } from '../settings/config.ts'

export type Checked = { ok: true } | { ok: false; reason: string }

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** Schemes that are never a redirect target: they run code, read files or are not web. */
const FORBIDDEN_SCHEMES = new Set([
  'javascript',
  'data',
  'file',
  'vbscript',
  'about',
  'blob',
  'filesystem',
  'ftp',
  'ws',
  'wss',
  'mailto',
  'tel',
  'sms',
])

/** RFC 3986 §3.1 scheme. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/

const parse = (uri: string): URL | null => {
  try {
    return new URL(uri)
  } catch {
    return null
  }
}

/** Whether `url` is http on a loopback host (127.0.0.1, [::1], localhost), any port. */
export const isLoopbackRedirect = (url: URL): boolean =>
  url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname.toLowerCase())

/** One path segment a `*` pattern may stand for: no dots-only segment, no encoded slash or dot. */
const SEGMENT = /^[A-Za-z0-9._~%-]+$/

/** Whether an https URI is allowed by AUTH_REDIRECT_URIS (exact, `.../*`, or `*`). */
const allowListed = (uri: string, allow: readonly string[]): boolean =>
  allow.some((entry) => {
    if (entry === '*') return true
    if (entry === uri) return true
    if (!entry.endsWith('/*')) return false
    const prefix = entry.slice(0, -1)
    if (!uri.startsWith(prefix)) return false
    const segment = uri.slice(prefix.length)
    return SEGMENT.test(segment) && !/^\.+$/.test(segment) && !/%2[ef]/i.test(segment)
  })

export interface RedirectPolicy {
  config: Config
  /** A native app (RFC 8252): private-use URI schemes are allowed. */
  native: boolean
  /** CIMD: https URIs on the document's own origin are allowed too. */
  origin?: string
}

/** Whether `uri` may be registered as a redirect URI under `policy`; why not, if not. */
export const checkRedirectUri = (uri: string, policy: RedirectPolicy): Checked => {
  const url = parse(uri)
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase()
  if (url === null || scheme === undefined) {
    return { ok: false, reason: `redirect URI ${uri} is not an absolute URI` }
  }
  if (uri.includes('#')) {
    return { ok: false, reason: `redirect URI ${uri} must not have a fragment` }
  }
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(uri)) {
    return { ok: false, reason: `redirect URI ${uri} must not carry user information` }
  }
  if (scheme === 'https') {
    if (allowListed(uri, policy.config.AUTH_REDIRECT_URIS)) return { ok: true }
    if (policy.origin !== undefined && url.origin === policy.origin) return { ok: true }
    return {
      ok: false,
      reason: `redirect URI ${uri} is not allowed here (AUTH_REDIRECT_URIS lists the https ones)`,
    }
  }
  if (scheme === 'http') {
    return isLoopbackRedirect(url)
      ? { ok: true }
      : { ok: false, reason: `redirect URI ${uri}: plain http is allowed for loopback hosts only` }
  }
  if (FORBIDDEN_SCHEMES.has(scheme)) {
    return { ok: false, reason: `redirect URI ${uri}: the ${scheme}: scheme is not allowed` }
  }
  // RFC 8252 §7.1: private-use URI schemes belong to native apps; web clients get none.
  if (!policy.native) {
    return {
      ok: false,
      reason: `redirect URI ${uri}: private-use schemes need application_type "native"`,
    }
  }
  return { ok: true }
}

/**
 * The redirect URI an authorization request may use, given the client's registered ones:
 * an exact string match, or for loopback URIs the same URI on any port (RFC 8252 §7.3).
 * Null when `requested` matches none.
 */
export const matchRedirectUri = (
  requested: string,
  registered: readonly string[],
): string | null => {
  if (registered.includes(requested)) return requested
  const url = parse(requested)
  if (url === null || !isLoopbackRedirect(url) || requested.includes('#')) return null
  if (url.username !== '' || url.password !== '') return null
  const portless = (candidate: URL) =>
    `${candidate.protocol}//${candidate.hostname.toLowerCase()}${candidate.pathname}${candidate.search}`
  for (const uri of registered) {
    const candidate = parse(uri)
    if (
      candidate !== null &&
      isLoopbackRedirect(candidate) &&
      portless(candidate) === portless(url)
    ) {
      return requested
    }
  }
  return null
}
