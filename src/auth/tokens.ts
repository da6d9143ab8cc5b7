// Access tokens: JWTs (RFC 9068 `at+jwt`) signed with HS256 by this server for this server.
// The resource server checks them without a Durable Object round trip, so requests that need
// no session still touch none. They are short-lived (ACCESS_TOKEN_TTL_S); refresh tokens, which
// are opaque and stored hashed, carry the grant (src/auth/token.ts).
//
//   {"typ":"at+jwt","alg":"HS256"}
//   {"iss":"https://mcp.example.com","aud":"https://mcp.example.com/mcp","sub":"github:1",
//    "client_id":"...","scope":"mcp kb.read","gid":"<grant id>","jti":"...","iat":..,"exp":..}
//
// R-AU-10: a token is accepted only if we issued it (`iss`, signature) for one of our resources
// (`aud`, RFC 8707); any other token is refused, never passed on. `gid` names the grant, so a
// revoked grant's tokens can be refused (BM-AUTH-5, revocations.ts); a token without it is not
// one of ours.

import { jwtVerify, SignJWT, errors } from 'jose'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { authStore } from './binding.ts'
import { hmac, randomToken } from './crypto.ts'
import type { Principal } from '../protocol/principal.ts'
import { ourResource } from './urls.ts'
import { settled } from '../http/settled.ts'

const encoder = new TextEncoder()

/** Keys per env (one per isolate), each made once it settles (src/http/settled.ts); a failed
 *  attempt is not kept, so the next request tries again. */
const keys = new WeakMap<object, Map<string, unknown>>()
const perIsolate = <T>(env: Env, name: string, make: () => Promise<T>): Promise<T> => {
  let made = keys.get(env)
  if (made === undefined) keys.set(env, (made = new Map()))
  return settled(made as Map<string, T>, name, make)
}

/** The master secret: AUTH_SECRET, or one made and kept by the AuthStore. */
export const masterSecret = (env: Env, config: Config): Promise<Uint8Array> =>
  perIsolate(env, 'master', async () =>
    encoder.encode(
      config.AUTH_SECRET !== '' ? config.AUTH_SECRET : await authStore(env).secret('master'),
    ),
  )

/** A key for one purpose ("access-token", "upstream-state", ...) derived from the master secret. */
export const purposeKey = (env: Env, config: Config, purpose: string): Promise<Uint8Array> =>
  perIsolate(env, `purpose:${purpose}`, async () =>
    encoder.encode(await hmac(await masterSecret(env, config), `bare-mcp/${purpose}`)),
  )

/** The HS256 key of access tokens as a CryptoKey, imported once per isolate. */
export const accessTokenKey = (env: Env, config: Config): Promise<CryptoKey> =>
  perIsolate(env, 'access-token', async () =>
    crypto.subtle.importKey(
      'raw',
      await purposeKey(env, config, 'access-token'),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    ),
  )

export interface AccessClaims {
  subject: string
  clientId: string
  scopes: readonly string[]
  /** The RFC 8707 resource the token is for (one of ours, normalised). */
  resource: string
  grantId: string
  name?: string
  email?: string
}

/** Mints an access token; `expiresIn` is in seconds. */
export const mintAccessToken = async (
  env: Env,
  config: Config,
  issuer: string,
  claims: AccessClaims,
): Promise<{ accessToken: string; expiresIn: number }> => {
  const key = await accessTokenKey(env, config)
  const expiresIn = config.ACCESS_TOKEN_TTL_S
  const accessToken = await new SignJWT({
    client_id: claims.clientId,
    scope: claims.scopes.join(' '),
    gid: claims.grantId,
    ...(claims.name !== undefined ? { name: claims.name } : {}),
    ...(claims.email !== undefined ? { email: claims.email } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(claims.resource)
    .setSubject(claims.subject)
    .setJti(randomToken(16))
    .setIssuedAt()
    .setExpirationTime(`${expiresIn}s`)
    .sign(key)
  return { accessToken, expiresIn }
}

/** Why a token was refused, for `error_description` (never the token itself). */
export type Refusal = 'expired' | 'invalid' | 'audience'

/** The principal an access token proves, the resource and grant it is for. */
type Verified = { ok: true; principal: Principal; resource: string; grantId: string }

/**
 * Tokens this isolate verified, until they expire: a client sends the same token on every
 * request for an hour, and a map lookup is cheaper than a signature check. Only successes are
 * kept, keyed by issuer and token; the map is emptied when it reaches VERIFIED_MAX.
 */
const verified = new WeakMap<object, Map<string, Verified & { expiresAt: number }>>()
const VERIFIED_MAX = 10_000

export const verifyAccessToken = async (
  env: Env,
  config: Config,
  issuer: string,
  token: string,
): Promise<Verified | { ok: false; why: Refusal }> => {
  let seen = verified.get(env)
  if (seen === undefined) verified.set(env, (seen = new Map()))
  const cacheKey = `${issuer} ${token}`
  const hit = seen.get(cacheKey)
  if (hit !== undefined) {
    if (Date.now() < hit.expiresAt) {
      return { ok: true, principal: hit.principal, resource: hit.resource, grantId: hit.grantId }
    }
    seen.delete(cacheKey)
  }
  const key = await accessTokenKey(env, config)
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      typ: 'at+jwt',
      issuer,
      requiredClaims: ['sub', 'aud', 'exp', 'client_id', 'scope'],
      clockTolerance: 30,
    })
    const audience = typeof payload.aud === 'string' ? payload.aud : null
    const resource = audience === null ? null : ourResource(audience, issuer, config)
    if (resource === null) return { ok: false, why: 'audience' }
    if (
      typeof payload.client_id !== 'string' ||
      typeof payload.scope !== 'string' ||
      typeof payload.gid !== 'string'
    ) {
      return { ok: false, why: 'invalid' }
    }
    const grantId = payload.gid
    // Frozen: one principal serves every request that carries this token (see `verified`).
    const principal: Principal = Object.freeze({
      subject: payload.sub!,
      clientId: payload.client_id,
      scopes: Object.freeze(payload.scope.split(' ').filter(Boolean)),
      via: 'oauth',
      ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
    })
    if (seen.size >= VERIFIED_MAX) seen.clear()
    seen.set(cacheKey, { ok: true, principal, resource, grantId, expiresAt: payload.exp! * 1000 })
    return { ok: true, principal, resource, grantId }
  } catch (error) {
    return { ok: false, why: error instanceof errors.JWTExpired ? 'expired' : 'invalid' }
  }
}
