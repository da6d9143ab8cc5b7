// Signing in with any OpenID Connect provider (AUTH_PROVIDER=oidc): we are its confidential
// client, using the authorization code flow with PKCE and a nonce.
// https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
// https://openid.net/specs/openid-connect-discovery-1_0.html
//
//   GET {OIDC_ISSUER}/.well-known/openid-configuration   (cached per isolate; `issuer` must
//                                                          equal OIDC_ISSUER exactly, §4.3)
//   browser -> GET {authorization_endpoint}?response_type=code&client_id&redirect_uri&scope
//                  &state&nonce&code_challenge&code_challenge_method=S256
//   provider -> GET {issuer}/callback?code&state
//   we -> POST {token_endpoint} grant_type=authorization_code&code&redirect_uri&code_verifier
//         (client_secret_basic, or client_secret_post when only that is offered)
//         <- {"id_token":"eyJ...","access_token":"...","token_type":"Bearer"}
//   ID token checked with jose against the provider's JWKS (Core §3.1.3.7): signature, iss,
//   aud = OIDC_CLIENT_ID (and azp when several audiences), exp, iat, nonce.
//
// R-AU-10: the provider's tokens prove who signed in, once; they are never kept or passed on.

import { errors, jwtVerify, type JWTPayload } from 'jose'
import * as v from 'valibot'
import { settled } from '../../http/settled.ts'
import type { Config } from '../../settings/config.ts'
import type { Outbound } from './outbound.ts'
import { KeySetUnavailable, remoteKeySet } from './remote-jwks.ts'
import { fetchJson, upstreamUrl, UpstreamError } from './fetch.ts'
import type { Identity, SignInStart, UpstreamCallback } from './identity.ts'

const DiscoverySchema = v.object({
  issuer: v.string(),
  authorization_endpoint: v.string(),
  token_endpoint: v.string(),
  jwks_uri: v.string(),
  token_endpoint_auth_methods_supported: v.optional(v.array(v.string())),
})

type Discovery = v.InferOutput<typeof DiscoverySchema>

const TokenSchema = v.object({
  id_token: v.pipe(v.string(), v.minLength(1)),
  token_type: v.optional(v.string()),
})

/** Asymmetric algorithms only: the JWKS holds public keys (no HS256 with the client secret). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA']

const discoveries = new Map<string, Discovery>()

const configured = (config: Config): void => {
  if (config.OIDC_ISSUER === '' || config.OIDC_CLIENT_ID === '') {
    throw new UpstreamError('OIDC sign-in needs OIDC_ISSUER and OIDC_CLIENT_ID')
  }
}

const discover = async (config: Config, outbound: Outbound): Promise<Discovery> => {
  const issuer = config.OIDC_ISSUER
  upstreamUrl(outbound, issuer, 'OIDC issuer')
  const document = await fetchJson(
    config,
    outbound,
    `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
    { headers: { Accept: 'application/json' } },
    DiscoverySchema,
    'OIDC discovery document',
  )
  // OIDC Discovery §4.3: the issuer in the document must be exactly the one we asked.
  if (document.issuer !== issuer) {
    throw new UpstreamError('The OIDC discovery document names a different issuer')
  }
  for (const [what, url] of [
    ['authorization endpoint', document.authorization_endpoint],
    ['token endpoint', document.token_endpoint],
    ['JWKS URL', document.jwks_uri],
  ] as const) {
    upstreamUrl(outbound, url, `OIDC ${what}`)
  }
  return document
}

/**
 * The provider's discovery document, fetched once per isolate (again after a failure). Only a
 * fetched document is shared: a request never awaits a fetch another request started (workerd
 * would resume it in that request's context; src/http/settled.ts).
 */
const discovery = (config: Config, outbound: Outbound): Promise<Discovery> =>
  settled(discoveries, config.OIDC_ISSUER, () => discover(config, outbound))

/** The provider's authorize URL to send the browser to. */
export const oidcAuthorizeUrl = async (
  config: Config,
  outbound: Outbound,
  start: SignInStart,
): Promise<string> => {
  configured(config)
  const url = new URL((await discovery(config, outbound)).authorization_endpoint)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', config.OIDC_CLIENT_ID)
  url.searchParams.set('redirect_uri', start.redirectUri)
  url.searchParams.set('scope', config.OIDC_SCOPES)
  url.searchParams.set('state', start.state)
  if (start.nonce !== undefined) url.searchParams.set('nonce', start.nonce)
  url.searchParams.set('code_challenge', start.codeChallenge)
  url.searchParams.set('code_challenge_method', 'S256')
  return url.href
}

/** RFC 6749 §2.3.1: client id and secret form-encoded, then Basic. */
const basic = (id: string, secret: string): string =>
  `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`

const exchange = async (
  config: Config,
  outbound: Outbound,
  document: Discovery,
  callback: UpstreamCallback,
): Promise<string> => {
  const methods = document.token_endpoint_auth_methods_supported ?? ['client_secret_basic']
  const post = !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: callback.code,
    redirect_uri: callback.redirectUri,
    code_verifier: callback.verifier,
  })
  const headers = new Headers({
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
  })
  if (post) {
    body.set('client_id', config.OIDC_CLIENT_ID)
    body.set('client_secret', config.OIDC_CLIENT_SECRET)
  } else {
    headers.set('Authorization', basic(config.OIDC_CLIENT_ID, config.OIDC_CLIENT_SECRET))
  }
  const token = await fetchJson(
    config,
    outbound,
    document.token_endpoint,
    { method: 'POST', headers, body },
    TokenSchema,
    'OIDC token endpoint',
  )
  return token.id_token
}

const verifyIdToken = async (
  config: Config,
  outbound: Outbound,
  document: Discovery,
  idToken: string,
  nonce: string | undefined,
): Promise<JWTPayload & { sub: string }> => {
  let payload: JWTPayload
  try {
    // BM-AUTH-29: the provider's key set under the same time and size limits as its answers.
    const keys = remoteKeySet(document.jwks_uri, config, outbound, config.AUTH_UPSTREAM_MAX_BYTES)
    ;({ payload } = await jwtVerify(idToken, keys, {
      issuer: config.OIDC_ISSUER,
      audience: config.OIDC_CLIENT_ID,
      algorithms: ALGORITHMS,
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: 30,
    }))
  } catch (error) {
    if (error instanceof KeySetUnavailable) {
      console.warn(`OIDC provider: ${error.message}`)
      throw new UpstreamError('Could not get the OIDC provider\u2019s keys')
    }
    const claim = error instanceof errors.JWTClaimValidationFailed ? ` (${error.claim})` : ''
    throw new UpstreamError(`The ID token from the OIDC provider was not valid${claim}`)
  }
  // Core §3.1.3.7: several audiences need `azp`, and it must be us.
  if (Array.isArray(payload.aud) && payload.aud.length > 1) {
    if (payload.azp !== config.OIDC_CLIENT_ID) {
      throw new UpstreamError('The ID token from the OIDC provider was not valid (azp)')
    }
  }
  // Core §3.1.2.1, §3.1.3.7: the nonce we sent must come back, so a token from another
  // sign-in cannot be replayed into this one.
  if (nonce === undefined || payload.nonce !== nonce) {
    throw new UpstreamError('The ID token from the OIDC provider was not valid (nonce)')
  }
  return payload as JWTPayload & { sub: string }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined

/** Exchanges the provider's code, checks the ID token, and says who signed in. */
export const oidcIdentity = async (
  config: Config,
  outbound: Outbound,
  callback: UpstreamCallback,
): Promise<Identity> => {
  configured(config)
  const document = await discovery(config, outbound)
  const idToken = await exchange(config, outbound, document, callback)
  const claims = await verifyIdToken(config, outbound, document, idToken, callback.nonce)
  const name = text(claims.name) ?? text(claims.preferred_username)
  const email = text(claims.email)
  return {
    subject: `oidc:${claims.sub}`,
    provider: 'oidc',
    ...(name !== undefined ? { name } : {}),
    ...(email !== undefined ? { email } : {}),
  }
}
