// Token revocation (RFC 7009; BM-AUTH-5): a client says it no longer needs a token.
//
//   POST /revoke  token=<refresh or access token>&token_type_hint=refresh_token&client_id=...
//   200 (always, once the client is authenticated: RFC 7009 §2.2)
//
// A refresh token revokes its grant: the grant and every refresh token of its family. An access
// token (our at+jwt) revokes its grant too, so its refresh tokens die. Either way the grant's
// access tokens stop working (RFC 7009 §2): at once in this isolate, and within 30 s in every
// other, which reads the AuthStore's list of revoked grants that often (revocations.ts), so
// checking a token still needs no Durable Object round trip per request.
// Unknown tokens, tokens of other servers and tokens of another client are answered 200 and
// left alone (RFC 7009 §2.2: the client cannot act on the difference; nothing leaks).

import { errors, jwtVerify, type JWTPayload } from 'jose'
import { authStore } from './binding.ts'
import { authenticateClient, readForm } from './client-auth.ts'
import { sha256 } from './crypto.ts'
import { oauthError, oauthJson } from './oauth-errors.ts'
import { revokedHere, tokensUntil } from './revocations.ts'
import { accessTokenKey } from './tokens.ts'
import type { AuthContext } from './types.ts'
import { audit } from '../observe/audit.ts'

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** The claims of one of our access tokens, expired or not; null if not ours or forged. */
const ourAccessToken = async (ctx: AuthContext, token: string): Promise<JWTPayload | null> => {
  const key = await accessTokenKey(ctx.env, ctx.config)
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      typ: 'at+jwt',
      issuer: ctx.issuer,
    })
    return payload
  } catch (error) {
    // jose checks the signature before the claims: an expired token is still ours.
    return error instanceof errors.JWTExpired ? error.payload : null
  }
}

export const revoke = async (ctx: AuthContext): Promise<Response> => {
  const form = await readForm(ctx.request)
  if (!form.ok) return form.response
  const client = await authenticateClient(ctx, form.value)
  if (!client.ok) {
    audit(ctx.env, ctx.request, {
      name: 'auth.token.revoked',
      outcome: 'failure',
      client: form.value.get('client_id'),
      status: client.response.status,
      reason: 'client authentication failed',
    })
    return client.response
  }
  const token = form.value.get('token')
  if (token === undefined) return oauthError('invalid_request', 'token is missing')
  // token_type_hint only says where to look first (RFC 7009 §2.1); both kinds are tried, so
  // an unknown hint is no error.
  const store = authStore(ctx.env)
  const clientId = client.value.clientId
  let grantId: string | null = null
  let subject: string | null = null
  if (JWT_SHAPE.test(token)) {
    const claims = await ourAccessToken(ctx, token)
    if (claims !== null && claims.client_id === clientId && typeof claims.gid === 'string') {
      grantId = claims.gid
      subject = claims.sub ?? null
    }
  } else {
    const grant = await store.refreshTokenGrant(await sha256(token))
    if (grant !== null && grant.clientId === clientId) {
      grantId = grant.id
      subject = grant.subject
    }
  }
  if (grantId !== null) {
    const until = tokensUntil(ctx.config)
    await store.revokeGrant(grantId, until)
    revokedHere(ctx.env, grantId, until)
  }
  // BM-AUDIT-2: the client hears 200 either way (RFC 7009 §2.2); the audit trail knows.
  audit(ctx.env, ctx.request, {
    name: 'auth.token.revoked',
    outcome: grantId === null ? 'failure' : 'success',
    subject,
    client: clientId,
    reason:
      grantId === null
        ? "not a token of this client's; nothing was revoked"
        : 'revoked by its client (RFC 7009)',
  })
  return oauthJson({})
}
