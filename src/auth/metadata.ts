// The two metadata documents clients discover us by.
//
// R-AU-7, R-AU-8 · RFC 9728: Protected Resource Metadata, at the root well-known path and at the
// well-known path of each of our resources (the MCP path, its profiles, /sse). `resource` is the
// identifier the path was derived from (RFC 9728 §3.3): the root names the origin, whose tokens
// serve every endpoint (R-AU-10); `/.well-known/oauth-protected-resource/mcp` names `…/mcp`.
//
//   GET /.well-known/oauth-protected-resource/mcp
//   {"resource":"https://mcp.example.com/mcp","authorization_servers":["https://mcp.example.com"],
//    "scopes_supported":["mcp"],"bearer_methods_supported":["header"],...}
//
// R-AU-4, R-AU-9, R-AU-15, R-AU-16, R-AU-17 · RFC 8414: Authorization Server Metadata, the same
// document at the OIDC discovery path (clients probe both).

import { json } from '../http/responses.ts'
import { oauthJson } from './oauth-errors.ts'
import type { AuthContext } from './types.ts'
import { AUTH_PATHS, ourResource } from './urls.ts'

export const PRM_PATH = '/.well-known/oauth-protected-resource'

/** The PRM URL for the resource a request was made to: what 401 challenges point at. */
export const prmUrlFor = (issuer: string, resource: string): string =>
  `${issuer}${PRM_PATH}${resource.slice(issuer.length)}`

/** R-AU-18: `offline_access` is never advertised by the resource (2026-07-28). */
const resourceScopes = (scopes: readonly string[]): string[] =>
  scopes.filter((scope) => scope !== 'offline_access')

export const protectedResourceMetadata = async (ctx: AuthContext): Promise<Response> => {
  const path = new URL(ctx.request.url).pathname.slice(PRM_PATH.length)
  const resource =
    path === '' ? ctx.issuer : ourResource(`${ctx.issuer}${path}`, ctx.issuer, ctx.config)
  if (resource === null) {
    return json({ error: 'not_found', message: `No protected resource at ${path}` }, 404)
  }
  const body = {
    resource,
    authorization_servers: [ctx.issuer],
    scopes_supported: resourceScopes(ctx.scopes),
    bearer_methods_supported: ['header'],
    resource_name: 'bare-mcp',
  }
  const headers = new Headers({ 'Cache-Control': 'public, max-age=3600' })
  headers.set('Content-Type', 'application/json')
  return new Response(JSON.stringify(body), { headers })
}

export const authorizationServerMetadata = async (ctx: AuthContext): Promise<Response> => {
  const at = (path: string) => `${ctx.issuer}${path}`
  return oauthJson({
    issuer: ctx.issuer,
    authorization_endpoint: at(AUTH_PATHS.authorize),
    token_endpoint: at(AUTH_PATHS.token),
    registration_endpoint: at(AUTH_PATHS.register),
    revocation_endpoint: at(AUTH_PATHS.revoke),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: [
      'none',
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'PS256', 'EdDSA'],
    revocation_endpoint_auth_methods_supported: [
      'none',
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ],
    scopes_supported: [...ctx.scopes, 'offline_access'],
    client_id_metadata_document_supported: ctx.config.AUTH_CIMD,
    authorization_response_iss_parameter_supported: true,
    // OIDC Discovery requires these three; we issue no ID tokens, but clients that probe the
    // OIDC path parse the document with them.
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    jwks_uri: at('/.well-known/jwks.json'),
  })
}
