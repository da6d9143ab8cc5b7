// The shapes the authorization modules hand each other. The flow, end to end:
//
//   client  GET /authorize ...             authorize.ts  checks client, redirect_uri, PKCE,
//                                                        scope, resource; stores a Pending
//   browser -> sign-in                     signin.ts     beginSignIn(): upstream (GitHub, OIDC)
//                                                        or the dev form
//   browser GET /callback                  signin.ts     identity from upstream -> consent
//   browser GET/POST /consent              consent.ts    remembered or approved by the user
//           -> finishAuthorization()       authorize.ts  stores a code, redirects with
//                                                        code, state and iss (RFC 9207)
//   client  POST /token                    token.ts      code + PKCE verifier -> tokens;
//                                                        refresh rotation
//   client  POST /revoke                   revoke.ts     RFC 7009
//   client  Authorization: Bearer ...      guard.ts      -> Principal, or 401/403

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import type { Identity } from './upstream/identity.ts'
import type { Outbound } from './upstream/outbound.ts'

/** A JSON Web Key (RFC 7517) as plain JSON members: what can cross Durable Object RPC. */
export type Jwk = Readonly<Record<string, string | number | boolean | readonly string[]>>

/** A client as registered (DCR) or described by its metadata document (CIMD). */
export interface Client {
  clientId: string
  clientName: string
  redirectUris: readonly string[]
  tokenEndpointAuthMethod: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt'
  /** private_key_jwt: where the client's keys are (CIMD `jwks_uri`), or the keys themselves. */
  jwksUri?: string
  jwks?: { keys: readonly Jwk[] }
  kind: 'dcr' | 'cimd'
}

/** An authorization request that passed every check, waiting for sign-in and consent. */
export interface Pending {
  id: string
  clientId: string
  clientName: string
  redirectUri: string
  /** The client's `state`, returned untouched. */
  state: string | null
  codeChallenge: string
  scopes: readonly string[]
  /** RFC 8707: the resource the token will be bound to (our canonical MCP URL). */
  resource: string
  /** Epoch ms. */
  expiresAt: number
  /** Set once the user signed in upstream. */
  identity?: Identity
  /** The consent form's CSRF token, set with the identity. */
  csrf?: string
  /** `prompt=consent`: ask for consent even when the user approved this client before. */
  promptConsent?: boolean
  /** Whether the client sent `redirect_uri` (then /token must see the same one, RFC 6749 §4.1.3). */
  redirectUriGiven?: boolean
  /** Upstream sign-in's own state: PKCE verifier and OIDC nonce for our client side. */
  upstream?: { verifier: string; nonce?: string }
}

/** What every auth endpoint gets. */
export interface AuthContext {
  request: Request
  env: Env
  config: Config
  /** Our issuer and public origin, e.g. "https://mcp.example.com" (no trailing slash). */
  issuer: string
  /** Every scope a token may hold: the base scope, AUTH_SCOPES and those the tools declare. */
  scopes: readonly string[]
  /** How this request's fetches (documents, key sets, upstream) are made. */
  outbound: Outbound
}
