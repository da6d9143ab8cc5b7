// The upstream identity providers behind AUTH_PROVIDER=github|oidc, one module each, behind one
// small interface: where to send the browser, and who came back.
//
//   beginSignIn  -> authorizeUrl({redirectUri, state, codeChallenge, nonce})  -> 302 upstream
//   /callback    -> identity({code, redirectUri, verifier, nonce})            -> Identity

import type { Config } from '../../settings/config.ts'
import type { Outbound } from './outbound.ts'
import type { Identity, SignInStart, UpstreamCallback } from './identity.ts'
import { githubAuthorizeUrl, githubIdentity } from './github.ts'
import { oidcAuthorizeUrl, oidcIdentity } from './oidc.ts'

export interface Upstream {
  /** Whether the provider's ID token carries our nonce (OIDC). */
  usesNonce: boolean
  /** RFC 9207: the `iss` the provider puts on its answers, if it does (OIDC). */
  issuer(config: Config): string | null
  authorizeUrl(config: Config, outbound: Outbound, start: SignInStart): Promise<string>
  identity(config: Config, outbound: Outbound, callback: UpstreamCallback): Promise<Identity>
}

/** The upstream for AUTH_PROVIDER, or null for "dev" (our own form). */
export const upstreamFor = (config: Config): Upstream | null => {
  switch (config.AUTH_PROVIDER) {
    case 'github':
      return {
        usesNonce: false,
        issuer: () => null,
        authorizeUrl: githubAuthorizeUrl,
        identity: githubIdentity,
      }
    case 'oidc':
      return {
        usesNonce: true,
        issuer: (config) => config.OIDC_ISSUER,
        authorizeUrl: oidcAuthorizeUrl,
        identity: oidcIdentity,
      }
    case 'dev':
      return null
  }
}
