// Dynamic Client Registration (RFC 7591; R-AU-5): a client posts its metadata and gets a
// client_id (and, if it asked to be confidential, a client_secret shown this once).
//
//   POST /register  {"client_name":"mcp-remote","redirect_uris":["http://127.0.0.1:3334/cb"],
//                    "token_endpoint_auth_method":"none","grant_types":["authorization_code",
//                    "refresh_token"],"response_types":["code"]}
//   201 {"client_id":"...","client_id_issued_at":1767225600,"client_name":"mcp-remote",...}
//
// Redirect URIs follow redirect-uris.ts (BM-AUTH-2): https only where AUTH_REDIRECT_URIS allows,
// loopback http always, private-use schemes for native apps. When application_type is absent
// (clients older than 2026-07-28, R-AU-18, rarely send it) a client whose redirect URIs are all
// loopback or private-use is taken as native: mcp-remote and Cursor register that way
// (CLIENTS.md D.10). `client_secret_expires_at` is 0 when a secret is issued (CLIENTS.md D.13).
// Unknown metadata is ignored (RFC 7591 §2); URIs meant for people (logo_uri, client_uri, ...)
// are not kept, as nothing vouches for them.
//
// BM-AUTH-25: anyone may register, so what a registration costs is bounded: a body of 16 KiB,
// at most AUTH_MAX_REDIRECT_URIS redirect URIs of at most AUTH_MAX_REDIRECT_URI_CHARS each,
// short lists and strings elsewhere, and only the client itself is stored (each redirect URI
// once). A registration that is never issued tokens is deleted after AUTH_CLIENT_UNUSED_TTL_S;
// one that is, never expires (CLIENTS.md D.13: expiring clients strand their users).

import * as v from 'valibot'
import { parseMediaType } from '../http/media-type.ts'
import { authStore } from './binding.ts'
import { readText } from '../http/body.ts'
import { randomToken, sha256 } from './crypto.ts'
import { oauthError, oauthJson, oauthRefusal } from './oauth-errors.ts'
import { checkRedirectUri } from './redirect-uris.ts'
import type { Client } from './types.ts'
import type { AuthContext } from './types.ts'
import { audit } from '../observe/audit.ts'

const MAX_BODY_BYTES = 16 * 1024
const MAX_NAME = 200
const MAX_SCOPE_CHARS = 1000

const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const
const GRANT_TYPES = ['authorization_code', 'refresh_token'] as const

const MetadataSchema = v.looseObject({
  redirect_uris: v.pipe(
    v.array(v.string('each redirect URI must be a string'), 'redirect_uris must be an array'),
    v.minLength(1, 'redirect_uris must not be empty'),
  ),
  client_name: v.optional(
    v.pipe(
      v.string('client_name must be a string'),
      v.trim(),
      v.maxLength(MAX_NAME, `client_name must be at most ${MAX_NAME} characters`),
    ),
  ),
  token_endpoint_auth_method: v.optional(
    v.picklist(
      AUTH_METHODS,
      `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')} (private_key_jwt clients use a Client ID Metadata Document)`,
    ),
    'none',
  ),
  grant_types: v.optional(
    v.pipe(
      v.array(
        v.picklist(GRANT_TYPES, `grant_types may only hold ${GRANT_TYPES.join(' and ')}`),
        'grant_types must be an array',
      ),
      v.maxLength(GRANT_TYPES.length, 'grant_types may hold each grant type once'),
    ),
  ),
  response_types: v.optional(
    v.pipe(
      v.array(
        v.picklist(['code'], 'response_types may only hold code'),
        'response_types must be an array',
      ),
      v.maxLength(1, 'response_types may only hold code'),
    ),
  ),
  application_type: v.optional(
    v.picklist(['web', 'native'], 'application_type must be web or native'),
  ),
  scope: v.optional(
    v.pipe(
      v.string('scope must be a string'),
      v.maxLength(MAX_SCOPE_CHARS, `scope must be at most ${MAX_SCOPE_CHARS} characters`),
    ),
  ),
})

/** BM-AUDIT-1: every registration, accepted or refused (with the error it was answered). */
export const register = async (ctx: AuthContext): Promise<Response> => {
  const response = await registration(ctx)
  if (response.status !== 201) {
    audit(ctx.env, ctx.request, {
      name: 'auth.client.registered',
      outcome: 'failure',
      reason: await oauthRefusal(response),
    })
  }
  return response
}

const registration = async (ctx: AuthContext): Promise<Response> => {
  const media = parseMediaType(ctx.request.headers.get('content-type') ?? '')
  if (media === null || media.essence !== 'application/json') {
    return oauthError('invalid_client_metadata', 'the body must be application/json')
  }
  const text = await readText(ctx.request, MAX_BODY_BYTES).catch(() => null)
  if (text === null) {
    return oauthError(
      'invalid_client_metadata',
      `the body must be UTF-8 JSON of at most ${MAX_BODY_BYTES} bytes`,
      413,
    )
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return oauthError('invalid_client_metadata', 'the body is not valid JSON')
  }
  const parsed = v.safeParse(MetadataSchema, body)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const field = issue.path?.[0]?.key
    const error = field === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata'
    return oauthError(error, issue.message)
  }
  const metadata = parsed.output

  const grantTypes = metadata.grant_types ?? ['authorization_code', 'refresh_token']
  if (!grantTypes.includes('authorization_code')) {
    // RFC 7591 §2.1: response_type code goes with the authorization_code grant.
    return oauthError('invalid_client_metadata', 'grant_types must include authorization_code')
  }
  const scopes = metadata.scope?.split(' ').filter(Boolean)
  const known = new Set([...ctx.scopes, 'offline_access'])
  const unknownScopes = scopes?.filter((scope) => !known.has(scope)) ?? []
  if (unknownScopes.length > 0) {
    return oauthError('invalid_client_metadata', `unknown scope ${unknownScopes.join(' ')}`)
  }

  const uris = metadata.redirect_uris
  const maxUris = ctx.config.AUTH_MAX_REDIRECT_URIS
  if (uris.length > maxUris) {
    return oauthError('invalid_redirect_uri', `redirect_uris may hold at most ${maxUris} URIs`)
  }
  const native =
    metadata.application_type === 'native' ||
    (metadata.application_type === undefined && uris.every((uri) => !/^https:/i.test(uri)))
  for (const uri of uris) {
    const checked = checkRedirectUri(uri, { config: ctx.config, native })
    if (!checked.ok) return oauthError('invalid_redirect_uri', checked.reason)
  }

  const clientId = randomToken(18)
  const method = metadata.token_endpoint_auth_method
  const secret = method === 'none' ? null : randomToken()
  const clientName =
    metadata.client_name !== undefined && metadata.client_name !== ''
      ? metadata.client_name
      : `Unnamed application (${new URL(uris[0]!).host || new URL(uris[0]!).protocol})`
  const client: Client = {
    clientId,
    clientName,
    redirectUris: uris,
    tokenEndpointAuthMethod: method,
    kind: 'dcr',
  }
  const registered = {
    client_id: clientId,
    client_id_issued_at: Math.floor(Date.now() / 1000),
    client_name: clientName,
    redirect_uris: uris,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: ['code'],
    application_type: native ? 'native' : 'web',
    ...(scopes !== undefined ? { scope: scopes.join(' ') } : {}),
  }
  await authStore(ctx.env).putClient(
    { client, secretHash: secret === null ? null : await sha256(secret) },
    Date.now() + ctx.config.AUTH_CLIENT_UNUSED_TTL_S * 1000,
  )
  audit(ctx.env, ctx.request, {
    name: 'auth.client.registered',
    outcome: 'success',
    client: clientId,
    clientName,
    reason: `${native ? 'native' : 'web'} client, token_endpoint_auth_method ${method}`,
  })
  return oauthJson(
    secret === null
      ? registered
      : { ...registered, client_secret: secret, client_secret_expires_at: 0 },
    201,
  )
}
