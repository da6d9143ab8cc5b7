// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25
// R-AU-15): a client whose `client_id` is an https URL publishes its metadata at that URL, and we
// fetch it instead of asking it to register.
//
//   client_id = https://chatgpt.com/oauth/abc/client.json
//   GET that URL -> {"client_id":"https://chatgpt.com/oauth/abc/client.json","client_name":
//                    "ChatGPT","redirect_uris":["https://chatgpt.com/connector/oauth/abc"],
//                    "token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://..."}
//
// R-AU-15 · https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#client-id-metadata-documents
// The document's `client_id` must equal the URL exactly; `client_name` and `redirect_uris` are
// required; redirect URIs are checked like registered ones (redirect-uris.ts), and https ones on
// the document's own origin are allowed too. SSRF: https only, no IP-literal or localhost hosts
// (Workers cannot reach private networks in production anyway), no redirects followed, 5 s, at
// most 5 KiB. A document preferring private_key_jwt (ChatGPT's, CLIENTS.md C4.4) is accepted; it
// must then authenticate at /token with a signed assertion (client-auth.ts). Validated documents
// are cached per Cache-Control max-age, clamped to [5 min, 24 h] (default 1 h).

import { readText } from '../http/body.ts'
import * as v from 'valibot'
import type { Config } from '../settings/config.ts'
import { parseMediaType } from '../http/media-type.ts'
import { checkRedirectUri } from './redirect-uris.ts'
import type { Client } from './types.ts'

export const CIMD_MAX_BYTES = 5 * 1024
export const CIMD_TIMEOUT_MS = 5000
const CACHE_MIN_S = 300
const CACHE_MAX_S = 86_400
const CACHE_DEFAULT_S = 3600

export type Fetched = { ok: true; client: Client; maxAgeS: number } | { ok: false; error: string }

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** Whether `clientId` is shaped like a CIMD URL (so it is looked up as one, not as DCR). */
export const looksLikeCimd = (clientId: string): boolean =>
  clientId.startsWith('https://') || clientId.startsWith('http://')

/**
 * Checks a URL-shaped client_id: https, a path, no fragment, userinfo or dot segments, and in
 * normal form (the document must repeat it exactly). http://127.0.0.1:<port>/... only when
 * AUTH_ALLOW_LOOPBACK_FETCH=true (tests). The reason when it is not acceptable.
 */
export const checkCimdUrl = (clientId: string, config: Config): string | null => {
  let url: URL
  try {
    url = new URL(clientId)
  } catch {
    return 'the client_id URL is not a valid URL'
  }
  const host = url.hostname.toLowerCase()
  const loopbackTest =
    config.AUTH_ALLOW_LOOPBACK_FETCH && url.protocol === 'http:' && host === '127.0.0.1'
  if (url.protocol !== 'https:' && !loopbackTest) return 'the client_id URL must use https'
  if (clientId.includes('#')) return 'the client_id URL must not have a fragment'
  if (url.username !== '' || url.password !== '') {
    return 'the client_id URL must not contain a user name or password'
  }
  if (/\/\.{1,2}(\/|$|\?)/.test(clientId) || /%2e/i.test(url.pathname)) {
    return 'the client_id URL must not contain . or .. path segments'
  }
  if (url.pathname === '/' || url.pathname === '') return 'the client_id URL must have a path'
  if (!loopbackTest && (IPV4.test(host) || host.startsWith('[') || host === 'localhost')) {
    return 'the client_id URL must name a public host, not an IP address or localhost'
  }
  if (url.href !== clientId) return 'the client_id URL must be in normalized form'
  return null
}

const AUTH_METHODS = ['none', 'private_key_jwt'] as const

const JwkSchema = v.record(
  v.string(),
  v.union([v.string(), v.number(), v.boolean(), v.array(v.string())]),
)

/** The document, as far as we read it; other members are ignored (RFC 7591 §2). */
const DocumentSchema = v.looseObject({
  client_id: v.string('client_id must be a string'),
  client_name: v.pipe(
    v.string('client_name is required'),
    v.trim(),
    v.minLength(1, 'client_name is required'),
    v.maxLength(200, 'client_name must be at most 200 characters'),
  ),
  redirect_uris: v.pipe(
    v.array(v.string(), 'redirect_uris must be an array of strings'),
    v.minLength(1, 'redirect_uris must not be empty'),
    v.maxLength(20, 'redirect_uris may hold at most 20 URIs'),
  ),
  token_endpoint_auth_method: v.optional(v.string(), 'none'),
  jwks_uri: v.optional(v.string()),
  jwks: v.optional(v.object({ keys: v.array(JwkSchema) })),
  application_type: v.optional(v.picklist(['web', 'native'])),
  grant_types: v.optional(v.array(v.string())),
  response_types: v.optional(v.array(v.string())),
})

/** The seconds a response may be cached: Cache-Control max-age clamped to [5 min, 24 h]. */
export const cacheSeconds = (header: string | null): number => {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(header ?? '')
  const seconds = match === null ? CACHE_DEFAULT_S : Number(match[1])
  return Math.min(CACHE_MAX_S, Math.max(CACHE_MIN_S, seconds))
}

/** Validates a parsed document fetched from `url` into a Client, or names what is wrong. */
export const clientFromDocument = (
  url: string,
  body: unknown,
  config: Config,
): { ok: true; client: Client } | { ok: false; error: string } => {
  const parsed = v.safeParse(DocumentSchema, body)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = issue.path?.map((item) => String(item.key)).join('.')
    return {
      ok: false,
      error: `the client metadata document is invalid: ${path === undefined ? '' : `${path}: `}${issue.message}`,
    }
  }
  const doc = parsed.output
  if (doc.client_id !== url) {
    return { ok: false, error: 'the document\u2019s client_id does not equal its URL' }
  }
  if (doc.response_types !== undefined && doc.response_types.some((type) => type !== 'code')) {
    return { ok: false, error: 'the document asks for response types other than code' }
  }
  const method = doc.token_endpoint_auth_method
  if (!(AUTH_METHODS as readonly string[]).includes(method)) {
    return {
      ok: false,
      error: method.startsWith('client_secret')
        ? `token_endpoint_auth_method ${method} is not possible: a public document cannot hold a secret`
        : `token_endpoint_auth_method ${method} is not supported (none or private_key_jwt)`,
    }
  }
  const origin = new URL(url).origin
  // A document names no application type: private-use schemes are its own to claim.
  const native = doc.application_type !== 'web'
  for (const uri of doc.redirect_uris) {
    const checked = checkRedirectUri(uri, { config, native, origin })
    if (!checked.ok) return { ok: false, error: `the document's ${checked.reason}` }
  }
  const client: Client = {
    clientId: url,
    clientName: doc.client_name,
    redirectUris: doc.redirect_uris,
    tokenEndpointAuthMethod: method as (typeof AUTH_METHODS)[number],
    kind: 'cimd',
  }
  if (method === 'private_key_jwt') {
    if (doc.jwks !== undefined) {
      client.jwks = { keys: doc.jwks.keys }
    } else if (doc.jwks_uri !== undefined) {
      const problem = checkCimdUrl(doc.jwks_uri, config)
      if (problem !== null) return { ok: false, error: problem.replace('client_id', 'jwks_uri') }
      client.jwksUri = doc.jwks_uri
    } else {
      return { ok: false, error: 'private_key_jwt needs jwks_uri or jwks in the document' }
    }
  }
  return { ok: true, client }
}

/** Fetches and validates the document at `url` (already checked by checkCimdUrl). */
export const fetchDocument = async (url: string, config: Config): Promise<Fetched> => {
  let response: Response
  const signal = AbortSignal.timeout(CIMD_TIMEOUT_MS)
  try {
    response = await fetch(url, {
      redirect: 'manual',
      signal,
      headers: { accept: 'application/json' },
    })
  } catch {
    return {
      ok: false,
      error: signal.aborted
        ? `fetching the client metadata document took longer than ${CIMD_TIMEOUT_MS / 1000} s`
        : 'the client metadata document could not be fetched',
    }
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel()
    return { ok: false, error: 'the client metadata document URL redirects; redirects are refused' }
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    return { ok: false, error: `the client metadata document URL answered ${response.status}` }
  }
  const media = parseMediaType(response.headers.get('content-type') ?? '')
  if (
    media === null ||
    !(media.essence === 'application/json' || media.essence.endsWith('+json'))
  ) {
    await response.body?.cancel()
    return { ok: false, error: 'the client metadata document is not JSON (Content-Type)' }
  }
  let text: string | null
  try {
    text = await readText(response, CIMD_MAX_BYTES)
  } catch {
    return {
      ok: false,
      error: signal.aborted
        ? `fetching the client metadata document took longer than ${CIMD_TIMEOUT_MS / 1000} s`
        : 'the client metadata document could not be read',
    }
  }
  if (text === null) {
    return {
      ok: false,
      error: `the client metadata document is larger than ${CIMD_MAX_BYTES} bytes, or not UTF-8`,
    }
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { ok: false, error: 'the client metadata document is not valid JSON' }
  }
  const checked = clientFromDocument(url, body, config)
  if (!checked.ok) return checked
  return {
    ok: true,
    client: checked.client,
    maxAgeS: cacheSeconds(response.headers.get('cache-control')),
  }
}
