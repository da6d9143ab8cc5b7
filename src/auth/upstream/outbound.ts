// The fetches the authorization server makes: a client's metadata document and key set (URLs a
// client chose, so SSRF targets), and the upstream sign-in provider's endpoints (URLs the
// operator chose). Every one has a time limit (AUTH_FETCH_TIMEOUT_MS, body included) and a size
// limit, read as the body streams; none follows redirects.
//
// A client's URLs must name a public DNS name on port 443 (BM-AUTH-3): not an IP literal in any
// spelling (the URL parser turns 2130706433 and 0x7f.1 into 127.0.0.1 first), not a single
// label (`vm`, which a resolver may complete to a local host), not a name with a trailing dot,
// and not a special-use or private name (localhost, .local, .internal, ...). Workers cannot
// reach private networks anyway; this keeps a client from learning anything by trying.
//
// Tests serve documents and stand-in providers on 127.0.0.1. AUTH_ALLOW_LOOPBACK_FETCH lets them,
// but only while both the request and our issuer are loopback hosts: a deployed Worker is reached
// by its public hostname, so it never honours the setting, whatever its settings say.

import type { Config } from '../../settings/config.ts'
import { readText } from '../../http/body.ts'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Whether a host name is the local machine. */
export const isLoopbackHost = (hostname: string): boolean =>
  LOOPBACK_HOSTS.has(hostname.toLowerCase())

/** How this request's fetches are made. */
export interface Outbound {
  timeoutMs: number
  /** Tests only: 127.0.0.1 and localhost may be fetched, over http, on any port. */
  loopback: boolean
}

/** The fetch rules for a request to us at `issuer`. */
export const outboundFor = (request: Request, issuer: string, config: Config): Outbound => ({
  timeoutMs: config.AUTH_FETCH_TIMEOUT_MS,
  loopback:
    config.AUTH_ALLOW_LOOPBACK_FETCH &&
    isLoopbackHost(new URL(request.url).hostname) &&
    isLoopbackHost(new URL(issuer).hostname),
})

/** Top-level names that never name a public host (RFC 6761, 6762, 8375; ICANN's .internal). */
const PRIVATE_NAMES = new Set([
  'localhost',
  'local',
  'internal',
  'localdomain',
  'invalid',
  'test',
  'onion',
  'lan',
  'intranet',
  'corp',
  'home',
  'arpa',
])

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/**
 * Why a client's URL may not be fetched, or null when it may: https, port 443, a public DNS
 * name (or, with the test-only loopback rule, 127.0.0.1 over http on any port).
 */
export const publicUrlProblem = (url: URL, outbound: Outbound): string | null => {
  const host = url.hostname.toLowerCase()
  if (outbound.loopback && isLoopbackHost(host) && /^https?:$/.test(url.protocol)) return null
  if (url.protocol !== 'https:') return 'it must use https'
  if (url.port !== '') return 'it must use port 443'
  if (IPV4.test(host) || host.startsWith('[')) return 'it must name a host, not an IP address'
  if (host.endsWith('.')) return 'its host must not end with a dot'
  const labels = host.split('.')
  if (labels.length < 2) return 'its host must be a public DNS name, not a single label'
  if (PRIVATE_NAMES.has(labels.at(-1)!)) return 'its host must be a public DNS name'
  return null
}

export type Fetched =
  { ok: true; status: number; headers: Headers; text: string } | { ok: false; reason: string }

export interface FetchLimits {
  timeoutMs: number
  maxBytes: number
  /** Looks at the status and headers before the body is read: a reason refuses it unread. */
  check?: (response: Response) => string | null
}

/**
 * Fetches `url` without following redirects, under a time limit that covers the body, and
 * reads at most `maxBytes` of UTF-8 text. Never throws: a failure is a reason (for the log).
 */
export const fetchText = async (
  url: string | URL,
  init: RequestInit,
  limits: FetchLimits,
): Promise<Fetched> => {
  const signal = AbortSignal.timeout(limits.timeoutMs)
  const late = { ok: false, reason: `it took longer than ${limits.timeoutMs} ms` } as const
  let response: Response
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal })
  } catch {
    return signal.aborted ? late : { ok: false, reason: 'it could not be reached' }
  }
  const refused = limits.check?.(response) ?? null
  if (refused !== null) {
    await response.body?.cancel().catch(() => {})
    return { ok: false, reason: refused }
  }
  let text: string | null
  try {
    text = await readText(response, limits.maxBytes)
  } catch {
    return signal.aborted ? late : { ok: false, reason: 'its body could not be read' }
  }
  if (text === null) {
    return { ok: false, reason: `it is larger than ${limits.maxBytes} bytes, or not UTF-8` }
  }
  return { ok: true, status: response.status, headers: response.headers, text }
}
