// Redirect URIs: which a client may register (RFC 7591 §2, RFC 8252 §7) and whether the one an
// authorization request names is one of them (RFC 6749 §3.1.2.3, exact matching as OAuth 2.1
// and R-AU-12 require, with RFC 8252 §7.3's one exception for loopback ports).
//
//   https://chatgpt.com/connector/oauth/abc   allowed when AUTH_REDIRECT_URIS lists it (or a
//                                             pattern `https://chatgpt.com/connector/oauth/*`)
//   http://127.0.0.1:51234/callback           loopback: always, any port (RFC 8252 §7.3)
//   com.example.app:/oauth2redirect           private-use scheme of a native app (RFC 8252 §7.1:
//                                             a reverse domain name, so it holds a dot)
//   cursor://anysphere.cursor-mcp/oauth/cb    a bare scheme AUTH_APP_SCHEMES lists (Cursor's)
//   x-safari-https://evil.example/, javascript:...  never: a browser would open evil.example
//
// Fragments and userinfo are refused everywhere (RFC 6749 §3.1.2; a `user@` part makes a URI
// read as one host and go to another). A registration's URIs are capped in number
// (AUTH_MAX_REDIRECT_URIS, register.ts and cimd.ts) and length (AUTH_MAX_REDIRECT_URI_CHARS).
//
// Which redirect URIs this server vouches for (BM-AUTH-27): loopback ones and the https ones
// AUTH_REDIRECT_URIS lists. Errors before a person has seen the consent page go back only to
// those (RFC 9700 §4.11.2); any other client gets a page.

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

/**
 * Schemes that make a browser open the web address in them (iOS and Android browsers, Edge's
 * protocol handler, Android intents): a "native app" redirect to one is a redirect to any
 * website, an open redirector (BM-AUTH-2). Refused even when a dotted name would pass.
 */
const BROWSER_SCHEMES = new Set([
  'x-safari-http',
  'x-safari-https',
  'x-web-search',
  'microsoft-edge',
  'microsoft-edge-http',
  'microsoft-edge-https',
  'microsoft-edge-holographic',
  'googlechrome',
  'googlechromes',
  'googlechrome-x-callback',
  'firefox',
  'firefox-focus',
  'firefox-klar',
  'focus',
  'opera',
  'opera-http',
  'opera-https',
  'brave',
  'duckduckgo',
  'ddgquicklink',
  'touch-http',
  'touch-https',
  'intent',
  'android-app',
  'yandexbrowser-open-url',
  'ucbrowser',
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

/** A URI as quoted in a refusal: at most 100 characters of it. */
const shown = (uri: string): string => (uri.length > 100 ? `${uri.slice(0, 100)}…` : uri)

/** Whether `uri` may be registered as a redirect URI under `policy`; why not, if not. */
export const checkRedirectUri = (uri: string, policy: RedirectPolicy): Checked => {
  const max = policy.config.AUTH_MAX_REDIRECT_URI_CHARS
  if (uri.length > max) {
    return { ok: false, reason: `a redirect URI is longer than ${max} characters` }
  }
  const url = parse(uri)
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase()
  if (url === null || scheme === undefined) {
    return { ok: false, reason: `redirect URI ${shown(uri)} is not an absolute URI` }
  }
  if (uri.includes('#')) {
    return { ok: false, reason: `redirect URI ${shown(uri)} must not have a fragment` }
  }
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(uri)) {
    return { ok: false, reason: `redirect URI ${shown(uri)} must not carry user information` }
  }
  if (scheme === 'https') {
    if (allowListed(uri, policy.config.AUTH_REDIRECT_URIS)) return { ok: true }
    if (policy.origin !== undefined && url.origin === policy.origin) return { ok: true }
    return {
      ok: false,
      reason: `redirect URI ${shown(uri)} is not allowed here (AUTH_REDIRECT_URIS lists the https ones)`,
    }
  }
  if (scheme === 'http') {
    return isLoopbackRedirect(url)
      ? { ok: true }
      : {
          ok: false,
          reason: `redirect URI ${shown(uri)}: plain http is allowed for loopback hosts only`,
        }
  }
  if (FORBIDDEN_SCHEMES.has(scheme) || BROWSER_SCHEMES.has(scheme)) {
    return { ok: false, reason: `redirect URI ${shown(uri)}: the ${scheme}: scheme is not allowed` }
  }
  // RFC 8252 §7.1: private-use URI schemes belong to native apps; web clients get none.
  if (!policy.native) {
    return {
      ok: false,
      reason: `redirect URI ${shown(uri)}: private-use schemes need application_type "native"`,
    }
  }
  // RFC 8252 §7.1: "a URI scheme based on a domain name under their control, expressed in
  // reverse order" (com.example.app); bare schemes only where AUTH_APP_SCHEMES names them.
  if (!scheme.includes('.') && !policy.config.AUTH_APP_SCHEMES.includes(scheme)) {
    return {
      ok: false,
      reason: `redirect URI ${shown(uri)}: a private-use scheme must be a reverse domain name such as com.example.app`,
    }
  }
  return { ok: true }
}

/**
 * BM-AUTH-27: whether this server vouches for `uri` as a place to send a browser before the
 * person has seen the consent page: a loopback address (the person's own machine) or an https
 * URI the operator allow-listed (AUTH_REDIRECT_URIS).
 */
export const vouchedRedirect = (uri: string, config: Config): boolean => {
  const url = parse(uri)
  if (url === null) return false
  if (isLoopbackRedirect(url)) return true
  return url.protocol === 'https:' && allowListed(uri, config.AUTH_REDIRECT_URIS)
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
