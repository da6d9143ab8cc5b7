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
// the document's own origin are allowed too. A document preferring private_key_jwt (ChatGPT's,
// CLIENTS.md C4.4) is accepted; it must then authenticate at /token with a signed assertion
// (client-auth.ts). Validated documents are cached per Cache-Control max-age, clamped to
// [5 min, 24 h] (default 1 h).
//
// BM-AUTH-3 · SSRF: the URL and any jwks_uri must name a public DNS name on port 443
// (outbound.ts); no redirects are followed; AUTH_FETCH_TIMEOUT_MS, AUTH_CIMD_MAX_BYTES. Whatever
// goes wrong with the fetch or the document, the client hears one sentence (CIMD_UNUSABLE), so
// trying URLs teaches nothing about what answers there; the reason goes to the Worker's log.

import * as v from 'valibot'
import type { Config } from '../settings/config.ts'
import { parseMediaType } from '../http/media-type.ts'
import { fetchText, publicUrlProblem, type Outbound } from './upstream/outbound.ts'
import { checkRedirectUri } from './redirect-uris.ts'
import type { Client } from './types.ts'

/** What a client hears about a document that could not be used, whatever the reason. */
export const CIMD_UNUSABLE = 'its client metadata document could not be used'

const CACHE_MIN_S = 300
const CACHE_MAX_S = 86_400
const CACHE_DEFAULT_S = 3600

/** A document turned into a client, or why not (for the log, never for the client). */
export type Fetched = { ok: true; client: Client; maxAgeS: number } | { ok: false; reason: string }

/** Whether `clientId` is shaped like a CIMD URL (so it is looked up as one, not as DCR). */
export const looksLikeCimd = (clientId: string): boolean =>
  clientId.startsWith('https://') || clientId.startsWith('http://')

/** Why `value` is not an acceptable URL to fetch for a client, or null (no fetch happens). */
const urlProblem = (value: string, outbound: Outbound): string | null => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'is not a valid URL'
  }
  if (value.includes('#')) return 'must not have a fragment'
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/?#]*@/i.test(value)) {
    return 'must not contain a user name or password'
  }
  const host = publicUrlProblem(url, outbound)
  return host === null ? null : `cannot be fetched: ${host}`
}

/**
 * Checks a URL-shaped client_id before anything is fetched: https on port 443 of a public DNS
 * name (outbound.ts), a path, no fragment, userinfo or dot segments, and in normal form (the
 * document must repeat it exactly). The reason when it is not acceptable.
 */
export const checkCimdUrl = (clientId: string, outbound: Outbound): string | null => {
  const problem = urlProblem(clientId, outbound)
  if (problem !== null) return `the client_id URL ${problem}`
  const url = new URL(clientId)
  if (/\/\.{1,2}(\/|$|\?)/.test(clientId) || /%2e/i.test(url.pathname)) {
    return 'the client_id URL must not contain . or .. path segments'
  }
  if (url.pathname === '/' || url.pathname === '') return 'the client_id URL must have a path'
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

type Checked = { ok: true; client: Client } | { ok: false; reason: string }

/** Validates a parsed document fetched from `url` into a Client, or says what is wrong. */
export const clientFromDocument = (
  url: string,
  body: unknown,
  config: Config,
  outbound: Outbound,
): Checked => {
  const parsed = v.safeParse(DocumentSchema, body)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = issue.path?.map((item) => String(item.key)).join('.')
    return {
      ok: false,
      reason: `the document is invalid: ${path === undefined ? '' : `${path}: `}${issue.message}`,
    }
  }
  const doc = parsed.output
  if (doc.client_id !== url) return { ok: false, reason: 'its client_id does not equal its URL' }
  if (doc.response_types !== undefined && doc.response_types.some((type) => type !== 'code')) {
    return { ok: false, reason: 'it asks for response types other than code' }
  }
  const method = doc.token_endpoint_auth_method
  if (!(AUTH_METHODS as readonly string[]).includes(method)) {
    return {
      ok: false,
      reason: method.startsWith('client_secret')
        ? `token_endpoint_auth_method ${method} is not possible: a public document cannot hold a secret`
        : `token_endpoint_auth_method ${method} is not supported (none or private_key_jwt)`,
    }
  }
  // BM-AUTH-25: the same caps as a registration.
  if (doc.redirect_uris.length > config.AUTH_MAX_REDIRECT_URIS) {
    return {
      ok: false,
      reason: `it lists more than ${config.AUTH_MAX_REDIRECT_URIS} redirect URIs`,
    }
  }
  const origin = new URL(url).origin
  // A document names no application type: private-use schemes are its own to claim.
  const native = doc.application_type !== 'web'
  for (const uri of doc.redirect_uris) {
    const checked = checkRedirectUri(uri, { config, native, origin })
    if (!checked.ok) return { ok: false, reason: checked.reason }
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
      const problem = urlProblem(doc.jwks_uri, outbound)
      if (problem !== null) return { ok: false, reason: `its jwks_uri ${problem}` }
      client.jwksUri = doc.jwks_uri
    } else {
      return { ok: false, reason: 'private_key_jwt needs jwks_uri or jwks in the document' }
    }
  }
  return { ok: true, client }
}

/** A JSON media type: application/json or any +json. */
const isJson = (response: Response): boolean => {
  const media = parseMediaType(response.headers.get('content-type') ?? '')
  return media !== null && (media.essence === 'application/json' || media.essence.endsWith('+json'))
}

/** Fetches and validates the document at `url` (already checked by checkCimdUrl). */
export const fetchDocument = async (
  url: string,
  config: Config,
  outbound: Outbound,
): Promise<Fetched> => {
  const fetched = await fetchText(
    url,
    { headers: { accept: 'application/json' } },
    {
      timeoutMs: outbound.timeoutMs,
      maxBytes: config.AUTH_CIMD_MAX_BYTES,
      check: (response) =>
        response.status >= 300 && response.status < 400
          ? 'it redirects; redirects are not followed'
          : response.status !== 200
            ? `it answered ${response.status}`
            : !isJson(response)
              ? 'it is not JSON (Content-Type)'
              : null,
    },
  )
  if (!fetched.ok) return fetched
  let body: unknown
  try {
    body = JSON.parse(fetched.text)
  } catch {
    return { ok: false, reason: 'it is not valid JSON' }
  }
  const checked = clientFromDocument(url, body, config, outbound)
  if (!checked.ok) return checked
  return {
    ok: true,
    client: checked.client,
    maxAgeS: cacheSeconds(fetched.headers.get('cache-control')),
  }
}
