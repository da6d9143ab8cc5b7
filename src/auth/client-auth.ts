// Requests to the token and revocation endpoints: the form they carry
// (application/x-www-form-urlencoded, RFC 6749 §3.2, each parameter at most once) and who sent
// it — client authentication, one method per request (RFC 6749 §2.3), the one the client
// registered:
//
//   none                 public client: client_id in the body, nothing else (PKCE protects it)
//   client_secret_basic  Authorization: Basic base64(urlenc(id) ":" urlenc(secret)) (§2.3.1)
//   client_secret_post   client_id and client_secret in the body
//   private_key_jwt      client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
//                        client_assertion=<JWT signed with a key from the client's JWKS>
//                        (RFC 7523 §2.2 and §3, OIDC Core §9)
//
// A client registered with either secret method may use the other: both prove the same secret,
// and clients get the two confused. A failed authentication is 401 invalid_client (RFC 6749
// §5.2), with `WWW-Authenticate: Basic` when Basic was tried.

import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { parseMediaType } from '../http/media-type.ts'
import { authStore } from './binding.ts'
import { readText } from '../http/body.ts'
import { findClient } from './clients.ts'
import { sha256 } from './crypto.ts'
import { sameSecret } from '../http/secrets.ts'
import { oauthError } from './oauth-errors.ts'
import { KeySetUnavailable, remoteKeySet } from './upstream/remote-jwks.ts'
import type { AuthContext, Client } from './types.ts'
import { AUTH_PATHS } from './urls.ts'

/** Largest form body the token and revocation endpoints read. */
const MAX_FORM_BYTES = 16 * 1024

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
export const ASSERTION_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA']
/** An assertion may live at most this long from now (we keep its jti until then). */
const ASSERTION_MAX_LIFETIME_S = 300
const CLOCK_TOLERANCE_S = 30

export type Form = Map<string, string>
type Outcome<T> = { ok: true; value: T } | { ok: false; response: Response }

const fail = (response: Response): { ok: false; response: Response } => ({ ok: false, response })

/**
 * The request's form: form-encoded only, at most 16 KiB, every parameter at most once
 * (RFC 6749 §3.2). Empty values count as absent (RFC 6749 §3.1).
 */
export const readForm = async (request: Request): Promise<Outcome<Form>> => {
  const media = parseMediaType(request.headers.get('content-type') ?? '')
  if (media === null || media.essence !== 'application/x-www-form-urlencoded') {
    return fail(oauthError('invalid_request', 'the body must be application/x-www-form-urlencoded'))
  }
  const text = await readText(request, MAX_FORM_BYTES).catch(() => null)
  if (text === null) {
    return fail(
      oauthError('invalid_request', `the body must be UTF-8 of at most ${MAX_FORM_BYTES} bytes`),
    )
  }
  const form: Form = new Map()
  for (const [name, value] of new URLSearchParams(text)) {
    if (form.has(name)) {
      return fail(oauthError('invalid_request', `parameter ${name} must not be repeated`))
    }
    if (value !== '') form.set(name, value)
  }
  return { ok: true, value: form }
}

/** RFC 6749 §2.3.1: the id and secret in `Authorization: Basic`, each form-urlencoded. */
const basicCredentials = (header: string): { id: string; secret: string } | null => {
  const match = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header)
  if (match === null) return null
  let decoded: string
  try {
    decoded = atob(match[1]!)
  } catch {
    return null
  }
  const colon = decoded.indexOf(':')
  if (colon === -1) return null
  try {
    const unescape = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '))
    return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) }
  } catch {
    return null
  }
}

const keySetOf = (ctx: AuthContext, client: Client): JWTVerifyGetKey | null => {
  if (client.jwks !== undefined) {
    return createLocalJWKSet({ keys: client.jwks.keys.map((key) => ({ ...key })) })
  }
  if (client.jwksUri === undefined) return null
  // BM-AUTH-26: fetched under the limits of outbound.ts, kept in a bounded LRU cache.
  return remoteKeySet(client.jwksUri, ctx.config, ctx.outbound, ctx.config.AUTH_JWKS_MAX_BYTES)
}

/**
 * RFC 7523 §3 / OIDC Core §9: verifies a private_key_jwt assertion for `client`: signed by one
 * of its keys with an asymmetric algorithm, iss = sub = client_id, aud naming us (the issuer or
 * the endpoint called), exp at most 5 minutes away, jti never seen before (kept until exp).
 * Null when good; otherwise why not (never the assertion itself).
 */
const verifyAssertion = async (
  ctx: AuthContext,
  client: Client,
  assertion: string,
): Promise<string | null> => {
  const keys = keySetOf(ctx, client)
  if (keys === null) return 'the client has no keys (jwks or jwks_uri)'
  const endpoint = `${ctx.issuer}${new URL(ctx.request.url).pathname}`
  let payload
  try {
    ;({ payload } = await jwtVerify(assertion, keys, {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: client.clientId,
      subject: client.clientId,
      audience: [ctx.issuer, `${ctx.issuer}${AUTH_PATHS.token}`, endpoint],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_S,
    }))
  } catch (error) {
    if (error instanceof errors.JWTExpired) return 'client_assertion has expired'
    if (error instanceof errors.JWTClaimValidationFailed) {
      return `client_assertion claim ${error.claim} is not acceptable`
    }
    if (error instanceof KeySetUnavailable) {
      // BM-AUTH-3: one sentence whatever went wrong; the reason is for the log only.
      console.warn(`client ${client.clientId}: ${error.message}`)
      return "the client's key set (jwks_uri) could not be used"
    }
    return 'client_assertion could not be verified with the client\u2019s keys'
  }
  const now = Math.floor(Date.now() / 1000)
  const exp = payload.exp!
  if (exp > now + ASSERTION_MAX_LIFETIME_S + CLOCK_TOLERANCE_S) {
    return `client_assertion must expire within ${ASSERTION_MAX_LIFETIME_S} seconds`
  }
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) {
    return 'client_assertion needs a jti'
  }
  const fresh = await authStore(ctx.env).useAssertionJti(
    client.clientId,
    payload.jti,
    (exp + CLOCK_TOLERANCE_S) * 1000,
  )
  return fresh ? null : 'client_assertion was already used (jti replay)'
}

/**
 * Authenticates the client of a token or revocation request by the method it registered.
 * The client, or the 400/401 response to send.
 */
export const authenticateClient = async (
  ctx: AuthContext,
  form: Form,
): Promise<Outcome<Client>> => {
  const header = ctx.request.headers.get('authorization')
  const basic = header === null ? null : basicCredentials(header)
  const usedBasic = header !== null && /^Basic\b/i.test(header)
  const invalidClient = (description: string) =>
    fail(
      oauthError(
        'invalid_client',
        description,
        401,
        new Headers(
          usedBasic ? { 'WWW-Authenticate': 'Basic realm="bare-mcp", charset="UTF-8"' } : {},
        ),
      ),
    )
  if (usedBasic && basic === null) return invalidClient('the Basic credentials are malformed')
  if (header !== null && !usedBasic) {
    return fail(
      oauthError(
        'invalid_request',
        'only Basic client authentication is accepted in Authorization',
      ),
    )
  }

  const assertionType = form.get('client_assertion_type')
  const assertion = form.get('client_assertion')
  const postSecret = form.get('client_secret')
  const methods = [
    basic !== null,
    assertion !== undefined || assertionType !== undefined,
    postSecret !== undefined,
  ]
  if (methods.filter(Boolean).length > 1) {
    return fail(oauthError('invalid_request', 'use one client authentication method per request'))
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType !== JWT_BEARER) {
      return fail(oauthError('invalid_request', `client_assertion_type must be ${JWT_BEARER}`))
    }
    if (assertion === undefined)
      return fail(oauthError('invalid_request', 'client_assertion is missing'))
  }

  // Which client: Basic's id, the assertion's iss, or the body's client_id (which, if also
  // present, must agree).
  let clientId = basic?.id ?? form.get('client_id')
  if (assertion !== undefined) {
    let iss: unknown
    try {
      iss = decodeJwt(assertion).iss
    } catch {
      return invalidClient('client_assertion is not a JWT')
    }
    if (typeof iss !== 'string') return invalidClient('client_assertion has no iss')
    if (clientId !== undefined && clientId !== iss) {
      return invalidClient('client_assertion iss does not equal client_id')
    }
    clientId = iss
  }
  const bodyId = form.get('client_id')
  if (basic !== null && bodyId !== undefined && bodyId !== basic.id) {
    return invalidClient('client_id does not equal the Basic credentials')
  }
  if (clientId === undefined) return invalidClient('client_id is missing')

  const found = await findClient(ctx, clientId)
  if (!found.ok) return invalidClient(`client authentication failed: ${found.error}`)
  const client = found.client
  const registered = client.tokenEndpointAuthMethod

  if (registered === 'none') {
    // Some public clients identify themselves with Basic and an empty password: that is only
    // their client_id, so it is accepted; any actual secret is not.
    const idOnlyBasic = basic !== null && basic.secret === ''
    if ((basic !== null && !idOnlyBasic) || postSecret !== undefined || assertion !== undefined) {
      return invalidClient(
        'this client is public (token_endpoint_auth_method none): send no credentials',
      )
    }
    return { ok: true, value: client }
  }
  if (registered === 'private_key_jwt') {
    if (assertion === undefined) {
      return invalidClient(
        'this client authenticates with private_key_jwt: client_assertion is missing',
      )
    }
    const problem = await verifyAssertion(ctx, client, assertion)
    return problem === null ? { ok: true, value: client } : invalidClient(problem)
  }
  // client_secret_basic or client_secret_post
  const secret = basic?.secret ?? postSecret
  if (secret === undefined || found.secretHash === null) {
    return invalidClient('this client must authenticate with its client_secret')
  }
  if (!(await sameSecret(await sha256(secret), found.secretHash))) {
    return invalidClient('client authentication failed')
  }
  return { ok: true, value: client }
}
