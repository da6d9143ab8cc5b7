// The resource server's side: every request to an MCP endpoint (/mcp and its profiles, /sse,
// /messages) proves who it is with `Authorization: Bearer <token>` when AUTH=true, on every
// request, sessions included (R-AU-2). The token is one of our access tokens (src/auth/tokens.ts)
// or an API key (src/auth/api-keys.ts). What fails gets its challenge:
//
//   no token               401  WWW-Authenticate: Bearer resource_metadata="<PRM url>", scope="mcp"
//   malformed header       400  WWW-Authenticate: Bearer error="invalid_request", ...
//   bad, expired, foreign,
//   or revoked             401  WWW-Authenticate: Bearer error="invalid_token", ...
//   no base scope          403  WWW-Authenticate: Bearer error="insufficient_scope", scope="mcp"
//   tool needs a scope     403  WWW-Authenticate: Bearer error="insufficient_scope", scope=...
//
// R-AU-1 · https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#error-handling
// R-AU-8 · RFC 9728 §5.1; R-AU-13 · RFC 6750 §3; R-AU-14 · 2025-11-25 #scope-challenge-handling
// BM-AUTH-5: a token of a revoked grant is refused (revocations.ts: at once in the isolate that
// revoked it, within 30 s elsewhere). BM-AUTH-28: MCP access needs the base scope
// (AUTH_BASE_SCOPE), which every token we issue carries; a token or key without it is 403.

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { json } from '../http/responses.ts'
import { findApiKey, isApiKey } from './api-keys.ts'
import { prmUrlFor } from './metadata.ts'
import { isRevoked } from './revocations.ts'
import { verifyAccessToken } from './tokens.ts'
import type { Principal } from '../protocol/principal.ts'
import { canonicalResource, issuerOf } from './urls.ts'
import { audit } from '../observe/audit.ts'

/** Who is calling, or the refusal and why (the reason goes to the audit trail, not the client). */
export type Guarded =
  | { ok: true; principal: Principal }
  | { ok: false; response: Response; reason: string; principal?: Principal }

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/** RFC 7230 quoted-string content: our values never hold `"` or `\`, but make sure. */
const quote = (value: string): string => `"${value.replace(/["\\]/g, '')}"`

/** The resource a request path belongs to: a profile is its own; /messages belongs to /sse. */
export const resourceOfPath = (path: string, issuer: string, config: Config): string => {
  const trimmed = path.replace(/\/+$/, '')
  if (trimmed === '/messages' || trimmed === '/sse') return `${issuer}/sse`
  return trimmed === '' ? canonicalResource(issuer, config) : `${issuer}${trimmed}`
}

/**
 * A token bound to `audience` is good at `resource` when they are the same, or the audience is
 * the whole server (the origin) or the MCP endpoint, whose profiles and legacy endpoints are
 * narrower views of it. A token for a profile (/mcp/readonly) is good only there.
 */
const covers = (audience: string, resource: string, issuer: string, config: Config): boolean =>
  audience === resource || audience === issuer || audience === canonicalResource(issuer, config)

/** The `WWW-Authenticate` challenge: RFC 6750 §3 parameters in a fixed order. */
export const challenge = (params: {
  error?: string
  description?: string
  scope?: readonly string[]
  prm: string
}): string => {
  const parts: string[] = []
  if (params.error !== undefined) parts.push(`error=${quote(params.error)}`)
  if (params.description !== undefined) parts.push(`error_description=${quote(params.description)}`)
  parts.push(`resource_metadata=${quote(params.prm)}`)
  if (params.scope !== undefined && params.scope.length > 0) {
    parts.push(`scope=${quote(params.scope.join(' '))}`)
  }
  return `Bearer ${parts.join(', ')}`
}

const refuse = (status: number, header: string, error: string, description: string): Response => {
  const headers = new Headers({ 'WWW-Authenticate': header, 'Cache-Control': 'no-store' })
  return json({ error, error_description: description }, status, headers)
}

/**
 * Who `request` is, or the response refusing it. `scopes` are the scopes a client should ask
 * for (R-AU-13: named in the 401 challenge); `offline_access` is never among them (R-AU-18).
 * BM-AUDIT-4: every refusal is an audit event with its status and reason.
 */
export const authenticate = async (
  request: Request,
  env: Env,
  config: Config,
  scopes: readonly string[],
): Promise<Guarded> => {
  const guarded = await guard(request, env, config, scopes)
  if (!guarded.ok) {
    audit(env, request, {
      name: 'auth.refused',
      outcome: 'failure',
      status: guarded.response.status,
      reason: guarded.reason,
      subject: guarded.principal?.subject,
      client: guarded.principal?.clientId,
    })
  }
  return guarded
}

const guard = async (
  request: Request,
  env: Env,
  config: Config,
  scopes: readonly string[],
): Promise<Guarded> => {
  const issuer = issuerOf(request, config)
  const resource = resourceOfPath(new URL(request.url).pathname, issuer, config)
  const prm = prmUrlFor(issuer, resource)
  const asked = scopes.filter((scope) => scope !== 'offline_access')
  const header = request.headers.get('authorization')
  // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
  if (header === null || header.trim() === '') {
    return {
      ok: false,
      response: refuse(
        401,
        challenge({ scope: asked, prm }),
        'invalid_token',
        'This server needs an access token: Authorization: Bearer <token>',
      ),
      reason: 'no token',
    }
  }
  const match = /^Bearer +(\S+) *$/i.exec(header)
  if (match === null || !B64TOKEN.test(match[1]!)) {
    const description = 'The Authorization header must be: Bearer <token>'
    return {
      ok: false,
      response: refuse(
        400,
        challenge({ error: 'invalid_request', description, prm }),
        'invalid_request',
        description,
      ),
      reason: 'malformed Authorization header',
    }
  }
  const token = match[1]!
  const invalid = (description: string): Guarded => ({
    ok: false,
    response: refuse(
      401,
      challenge({ error: 'invalid_token', description, scope: asked, prm }),
      'invalid_token',
      description,
    ),
    reason: description,
  })

  const withBaseScope = (principal: Principal): Guarded =>
    principal.scopes.includes(config.AUTH_BASE_SCOPE)
      ? { ok: true, principal }
      : {
          ok: false,
          response: insufficientScope(
            request,
            config,
            principal,
            [config.AUTH_BASE_SCOPE],
            `MCP access needs scope ${config.AUTH_BASE_SCOPE}`,
          ),
          reason: `no scope ${config.AUTH_BASE_SCOPE}`,
          principal,
        }

  if (isApiKey(token)) {
    const key = await findApiKey(env, token, request)
    if (key === null) return invalid('The API key is unknown or revoked')
    return withBaseScope(key)
  }
  const verified = await verifyAccessToken(env, config, issuer, token)
  if (!verified.ok) {
    return invalid(
      verified.why === 'expired'
        ? 'The access token expired'
        : verified.why === 'audience'
          ? 'The access token was issued for another resource'
          : 'The access token is not valid here',
    )
  }
  // R-AU-10 · RFC 8707: a token for another of our resources is refused here too.
  if (!covers(verified.resource, resource, issuer, config)) {
    return invalid(`The access token was issued for ${verified.resource}, not ${resource}`)
  }
  if (await isRevoked(env, config, verified.grantId)) return invalid('The access token was revoked')
  return withBaseScope(verified.principal)
}

/**
 * R-AU-14: 403 when a valid token lacks the scopes an operation needs. `scope` names what this
 * operation needs (2026-07-28 wording) plus what the token already holds (2025-11-25's
 * recommendation), so a client that replaces its token loses nothing.
 */
export const insufficientScope = (
  request: Request,
  config: Config,
  principal: Principal,
  needed: readonly string[],
  description: string,
): Response => {
  const issuer = issuerOf(request, config)
  const prm = prmUrlFor(issuer, resourceOfPath(new URL(request.url).pathname, issuer, config))
  // R-AU-18: offline_access is never named in a challenge.
  const scope = [...new Set([...principal.scopes, ...needed])].filter(
    (name) => name !== 'offline_access',
  )
  return refuse(
    403,
    challenge({ error: 'insufficient_scope', description, scope, prm }),
    'insufficient_scope',
    description,
  )
}
