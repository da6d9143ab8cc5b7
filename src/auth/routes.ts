// The authorization server's HTTP surface (only when AUTH=true): which path goes where.
//
//   GET  /.well-known/oauth-protected-resource[<path>]   RFC 9728 (metadata.ts)
//   GET  /.well-known/oauth-authorization-server          RFC 8414 (metadata.ts)
//   GET  /.well-known/openid-configuration                OIDC Discovery 1.0, same document
//   GET|POST /authorize                                   authorize.ts
//   POST /token                                           token.ts
//   POST /register                                        register.ts (RFC 7591)
//   POST /revoke                                          revoke.ts (RFC 7009)
//   GET|POST /signin, GET /callback                       signin.ts (dev form, upstream)
//   GET|POST /consent                                     consent.ts
//
// The metadata and the endpoints clients call from a browser (token, register, revoke) answer
// any origin with CORS: they hold nothing a cookie could unlock. The pages a person sees are
// same-origin only.

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { json, methodNotAllowed } from '../http/responses.ts'
import { authorize } from './authorize.ts'
import { consent } from './consent.ts'
import { authorizationServerMetadata, protectedResourceMetadata, PRM_PATH } from './metadata.ts'
import { register } from './register.ts'
import { revoke } from './revoke.ts'
import { callback, signin } from './signin.ts'
import { token } from './token.ts'
import type { AuthContext } from './types.ts'
import { AUTH_PATHS, issuerOf } from './urls.ts'

type Handler = (ctx: AuthContext) => Promise<Response>

interface Route {
  methods: readonly string[]
  handler: Handler
  /** Callable from any browser origin (CORS `*`). */
  cors: boolean
}

const ROUTES: Record<string, Route> = {
  '/.well-known/oauth-authorization-server': {
    methods: ['GET'],
    handler: authorizationServerMetadata,
    cors: true,
  },
  '/.well-known/openid-configuration': {
    methods: ['GET'],
    handler: authorizationServerMetadata,
    cors: true,
  },
  // OIDC Discovery names a JWKS; we sign no ID tokens, so it is empty (access tokens are ours
  // alone to check).
  '/.well-known/jwks.json': {
    methods: ['GET'],
    handler: async () => json({ keys: [] }),
    cors: true,
  },
  [AUTH_PATHS.authorize]: { methods: ['GET', 'POST'], handler: authorize, cors: false },
  [AUTH_PATHS.token]: { methods: ['POST'], handler: token, cors: true },
  [AUTH_PATHS.register]: { methods: ['POST'], handler: register, cors: true },
  [AUTH_PATHS.revoke]: { methods: ['POST'], handler: revoke, cors: true },
  [AUTH_PATHS.signin]: { methods: ['GET', 'POST'], handler: signin, cors: false },
  [AUTH_PATHS.callback]: { methods: ['GET'], handler: callback, cors: false },
  [AUTH_PATHS.consent]: { methods: ['GET', 'POST'], handler: consent, cors: false },
}

const routeOf = (path: string): Route | null => {
  if (path === PRM_PATH || path.startsWith(`${PRM_PATH}/`)) {
    return { methods: ['GET'], handler: protectedResourceMetadata, cors: true }
  }
  return ROUTES[path] ?? null
}

/** Whether `path` belongs to the authorization server (when AUTH=true). */
export const isAuthPath = (path: string): boolean => routeOf(path) !== null

const PUBLIC_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization, MCP-Protocol-Version',
  'Access-Control-Max-Age': '86400',
} as const

/** Serves an authorization-server path; call only when `isAuthPath(path)`. */
export const authRoute = async (
  request: Request,
  env: Env,
  config: Config,
  scopes: readonly string[],
): Promise<Response> => {
  const path = new URL(request.url).pathname
  const route = routeOf(path)!
  if (request.method === 'OPTIONS') {
    const headers = new Headers(route.cors ? PUBLIC_CORS : {})
    headers.set('Allow', [...route.methods, 'OPTIONS'].join(', '))
    return new Response(null, { status: 204, headers })
  }
  const response = route.methods.includes(request.method)
    ? await route.handler({ request, env, config, issuer: issuerOf(request, config), scopes })
    : methodNotAllowed([...route.methods, 'OPTIONS'].join(', '))
  if (!route.cors) return response
  const headers = new Headers(response.headers)
  headers.set('Access-Control-Allow-Origin', '*')
  headers.set('Access-Control-Expose-Headers', 'WWW-Authenticate')
  return new Response(response.body, { status: response.status, headers })
}

/** 503 when AUTH=true but the Worker lacks the AuthStore binding. */
export const authMisconfigured = (): Response =>
  json(
    {
      error: 'server_misconfigured',
      message: 'AUTH=true needs the AUTH_STORE Durable Object binding (see wrangler.toml)',
    },
    503,
  )
