// The token endpoint (RFC 6749 §3.2, OAuth 2.1 §3.2): codes and refresh tokens in, tokens out.
//
//   POST /token  grant_type=authorization_code&code=...&code_verifier=...&redirect_uri=...
//                &client_id=...&resource=https://mcp.example.com/mcp
//   200 {"access_token":"eyJ...","token_type":"Bearer","expires_in":3600,
//        "refresh_token":"...","scope":"mcp"}
//
//   POST /token  grant_type=refresh_token&refresh_token=...&client_id=...[&scope=...]
//   200 the same, with a new refresh token (the old one is spent)
//
// R-AU-3, R-AU-12 · https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#authorization-code-protection
// PKCE is required (the code_verifier's S256 must equal the code's challenge, RFC 7636 §4.6);
// codes are single-use, and a second use revokes the grant the code produced (RFC 6749 §4.1.2);
// refresh tokens rotate on every use, and a spent one coming back revokes the whole grant —
// every refresh token of it (BM-AUTH-1, OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). Each refresh token
// expires REFRESH_TOKEN_TTL_S after it was issued (sliding, no absolute cap).
//
// R-AU-10, R-AU-11 · RFC 8707: `resource`, when sent, must be ours and the one the grant was
// made for; the access token's audience is that resource.
// BM-AUTH-28: every access token carries the base scope (AUTH_BASE_SCOPE), narrowed or not.
// BM-AUTH-5: a grant revoked here (replayed code, reused refresh token) is at once refused to
// this isolate's resource server too (revocations.ts).

import type { Config } from '../settings/config.ts'
import { authStore } from './binding.ts'
import { authenticateClient, readForm, type Form } from './client-auth.ts'
import { randomToken, s256, sha256 } from './crypto.ts'
import { sameSecret } from '../http/secrets.ts'
import { oauthError, oauthJson, oauthRefusal } from './oauth-errors.ts'
import { revokedHere, tokensUntil } from './revocations.ts'
import type { Grant } from './store.ts'
import { mintAccessToken } from './tokens.ts'
import type { AuthContext, Client } from './types.ts'
import { ourResource } from './urls.ts'
import { audit, type AuditName } from '../observe/audit.ts'

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/** RFC 6749 §3.3 scope: space-separated tokens. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

const GRANT_TYPES = ['authorization_code', 'refresh_token'] as const

/** Token events: tokens for a code are issued, for a refresh token refreshed. */
type TokenEvent = Extract<AuditName, 'auth.token.issued' | 'auth.token.refreshed'>

/** BM-AUDIT-2: a refused token request is an audit event, with the error it was answered. */
const refused = async (
  ctx: AuthContext,
  name: TokenEvent,
  response: Response,
  client?: string,
): Promise<Response> => {
  const reason = await oauthRefusal(response)
  audit(ctx.env, ctx.request, { name, outcome: 'failure', client, status: response.status, reason })
  return response
}

export const token = async (ctx: AuthContext): Promise<Response> => {
  const form = await readForm(ctx.request)
  if (!form.ok) return refused(ctx, 'auth.token.issued', form.response)
  const grantType = form.value.get('grant_type')
  if (grantType === undefined) {
    return refused(ctx, 'auth.token.issued', oauthError('invalid_request', 'grant_type is missing'))
  }
  if (!(GRANT_TYPES as readonly string[]).includes(grantType)) {
    return refused(
      ctx,
      'auth.token.issued',
      oauthError(
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token',
      ),
    )
  }
  const event = grantType === 'refresh_token' ? 'auth.token.refreshed' : 'auth.token.issued'
  const client = await authenticateClient(ctx, form.value)
  // Not authenticated: the client id is only what the request claims.
  if (!client.ok) return refused(ctx, event, client.response, form.value.get('client_id'))
  const response =
    grantType === 'authorization_code'
      ? await authorizationCode(ctx, form.value, client.value)
      : await refreshToken(ctx, form.value, client.value)
  return response.status === 200 ? response : refused(ctx, event, response, client.value.clientId)
}

/** The `resource` parameter, normalised; undefined when absent, null when it is not ours. */
const resourceParam = (form: Form, ctx: AuthContext): string | null | undefined => {
  const value = form.get('resource')
  return value === undefined ? undefined : ourResource(value, ctx.issuer, ctx.config)
}

/**
 * Issues an access token and a refresh token for `grant`. The refresh token is issued always,
 * whether or not `offline_access` was asked for: Claude never asks for it and would otherwise
 * lose its tools when the access token expires (CLIENTS.md D.14). Access tokens carry `scopes`,
 * which a refresh may narrow; the refresh token keeps the grant's (RFC 6749 §6).
 */
const issueTokens = async (
  ctx: AuthContext,
  grant: Grant,
  scopes: readonly string[],
  refresh: { token: string },
  event: TokenEvent,
): Promise<Response> => {
  const carried = [...new Set([ctx.config.AUTH_BASE_SCOPE, ...scopes])]
  audit(ctx.env, ctx.request, {
    name: event,
    outcome: 'success',
    subject: grant.subject,
    client: grant.clientId,
    scopes: carried,
  })
  const { accessToken, expiresIn } = await mintAccessToken(ctx.env, ctx.config, ctx.issuer, {
    subject: grant.subject,
    clientId: grant.clientId,
    scopes: carried,
    resource: grant.resource,
    grantId: grant.id,
    ...(grant.identity.name !== undefined ? { name: grant.identity.name } : {}),
    ...(grant.identity.email !== undefined ? { email: grant.identity.email } : {}),
  })
  return oauthJson({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: expiresIn,
    refresh_token: refresh.token,
    scope: carried.join(' '),
  })
}

/** A spent code (RFC 6749 §4.1.2) or refresh token (RFC 9700 §4.14.2) came back: someone
 *  holds a copy, so its grant is revoked here at once (the store has revoked it for good),
 *  audited, and refused. */
const reuseDetected = (
  ctx: AuthContext,
  client: Client,
  grantId: string,
  until: number,
  { reason, answer }: { reason: string; answer: string },
): Response => {
  revokedHere(ctx.env, grantId, until)
  audit(ctx.env, ctx.request, {
    name: 'auth.token.reuse_detected',
    outcome: 'failure',
    client: client.clientId,
    reason,
  })
  return oauthError('invalid_grant', answer)
}

const refreshExpiry = (config: Config): number => Date.now() + config.REFRESH_TOKEN_TTL_S * 1000

/** RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5–4.6) and RFC 8707 §2.2. */
const authorizationCode = async (
  ctx: AuthContext,
  form: Form,
  client: Client,
): Promise<Response> => {
  const code = form.get('code')
  const verifier = form.get('code_verifier')
  if (code === undefined) return oauthError('invalid_request', 'code is missing')
  if (verifier === undefined) {
    return oauthError('invalid_request', 'code_verifier is missing (PKCE is required)')
  }
  if (!VERIFIER.test(verifier)) {
    return oauthError('invalid_request', 'code_verifier must be 43 to 128 unreserved characters')
  }
  const resource = resourceParam(form, ctx)
  if (resource === null) {
    return oauthError('invalid_target', 'resource is not this server (RFC 8707)')
  }

  const store = authStore(ctx.env)
  const until = tokensUntil(ctx.config)
  const redeemed = await store.redeemCode(await sha256(code), until)
  if (redeemed.status === 'replayed') {
    return reuseDetected(ctx, client, redeemed.grantId, until, {
      reason: 'an authorization code came back a second time; the grant it produced is revoked',
      answer: 'the authorization code was already used; the tokens it produced are revoked',
    })
  }
  if (redeemed.status !== 'ok') {
    return oauthError('invalid_grant', 'the authorization code is invalid or expired')
  }
  const { code: bound, grant } = redeemed
  // The code is spent now. A check failing below means someone else holds it, or the client is
  // confused: the grant it belongs to is revoked either way.
  const refuse = async (error: string, description: string) => {
    await store.revokeGrant(grant.id, until)
    revokedHere(ctx.env, grant.id, until)
    audit(ctx.env, ctx.request, {
      name: 'auth.token.revoked',
      outcome: 'success',
      subject: grant.subject,
      client: grant.clientId,
      reason: `its code failed a check at /token: ${description}`,
    })
    return oauthError(error, description)
  }
  if (bound.clientId !== client.clientId) {
    return refuse('invalid_grant', 'the authorization code was issued to another client')
  }
  const redirectUri = form.get('redirect_uri')
  if ((bound.redirectUriGiven || redirectUri !== undefined) && redirectUri !== bound.redirectUri) {
    return refuse(
      'invalid_grant',
      'redirect_uri does not equal the one of the authorization request',
    )
  }
  if (resource !== undefined && resource !== bound.resource) {
    return refuse('invalid_target', 'resource does not equal the one of the authorization request')
  }
  if (!(await sameSecret(await s256(verifier), bound.codeChallenge))) {
    return refuse('invalid_grant', 'code_verifier does not match the code_challenge')
  }
  const refresh = randomToken()
  const stored = await store.putRefreshToken(
    grant.id,
    await sha256(refresh),
    refreshExpiry(ctx.config),
  )
  if (!stored) return oauthError('invalid_grant', 'the authorization was revoked')
  return issueTokens(ctx, grant, grant.scopes, { token: refresh }, 'auth.token.issued')
}

/** RFC 6749 §6 with rotation (OAuth 2.1 §4.3). */
const refreshToken = async (ctx: AuthContext, form: Form, client: Client): Promise<Response> => {
  const presented = form.get('refresh_token')
  if (presented === undefined) return oauthError('invalid_request', 'refresh_token is missing')
  const resource = resourceParam(form, ctx)
  if (resource === null) {
    return oauthError('invalid_target', 'resource is not this server (RFC 8707)')
  }
  const scopeParam = form.get('scope')
  const scopes = scopeParam === undefined ? null : scopeParam.split(' ').filter(Boolean)
  if (scopes !== null && (scopes.length === 0 || !scopes.every((s) => SCOPE_TOKEN.test(s)))) {
    return oauthError('invalid_scope', 'scope must be space-separated scope tokens')
  }
  const next = randomToken()
  const until = tokensUntil(ctx.config)
  const rotated = await authStore(ctx.env).rotateRefreshToken({
    hash: await sha256(presented),
    clientId: client.clientId,
    scopes,
    resource: resource ?? null,
    next: { hash: await sha256(next), expiresAt: refreshExpiry(ctx.config) },
    tokensUntil: until,
  })
  switch (rotated.status) {
    case 'ok':
      return issueTokens(
        ctx,
        rotated.grant,
        scopes ?? rotated.grant.scopes,
        { token: next },
        'auth.token.refreshed',
      )
    case 'reused':
      return reuseDetected(ctx, client, rotated.grantId, until, {
        reason: 'a spent refresh token came back; every token of its grant is revoked',
        answer: 'the refresh token was already used; every token of this authorization is revoked',
      })
    case 'wrong_client':
      return oauthError('invalid_grant', 'the refresh token was issued to another client')
    case 'scope':
      return oauthError('invalid_scope', 'scope may narrow the granted scopes, never widen them')
    case 'resource':
      return oauthError('invalid_target', 'resource does not equal the one of the authorization')
    case 'unknown':
      return oauthError('invalid_grant', 'the refresh token is invalid, expired or revoked')
  }
}
