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
//
// Rate limits per client address (src/http/rate-limit.ts; BM-RATE-2..4): /register; /token and
// /revoke; /authorize and the sign-in pages. Over the limit: 429 with Retry-After, an OAuth
// error body (`temporarily_unavailable`) where a client calls, a page where a person looks.

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { rateLimit, clientKey, retryAfterHeaders, type LimiterName } from '../http/rate-limit.ts'
import { json, methodNotAllowed } from '../http/responses.ts'
import { authorize } from './authorize.ts'
import { consent } from './consent.ts'
import { errorPage } from './html.ts'
import { authorizationServerMetadata, protectedResourceMetadata, PRM_PATH } from './metadata.ts'
import { oauthError } from './oauth-errors.ts'
import { outboundFor } from './upstream/outbound.ts'
import { register } from './register.ts'
import { revoke } from './revoke.ts'
import { callback, signin } from './signin.ts'
import { token } from './token.ts'
import type { AuthContext } from './types.ts'
import { AUTH_PATHS, issuerOf } from './urls.ts'
import { audit } from '../observe/audit.ts'

type Handler = (ctx: AuthContext) => Promise<Response>

interface Route {
  methods: readonly string[]
  handler: Handler
  /** Callable from any browser origin (CORS `*`). */
  cors: boolean
  /** The rate limit it counts against, per client address. */
  limiter?: LimiterName
  /** A page a person's browser shows (so a refusal is a page, not JSON). */
  page?: boolean
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
  [AUTH_PATHS.authorize]: {
    methods: ['GET', 'POST'],
    handler: authorize,
    cors: false,
    limiter: 'AUTHORIZE_RATE_LIMIT',
    page: true,
  },
  [AUTH_PATHS.token]: {
    methods: ['POST'],
    handler: token,
    cors: true,
    limiter: 'TOKEN_RATE_LIMIT',
  },
  [AUTH_PATHS.register]: {
    methods: ['POST'],
    handler: register,
    cors: true,
    limiter: 'REGISTER_RATE_LIMIT',
  },
  [AUTH_PATHS.revoke]: {
    methods: ['POST'],
    handler: revoke,
    cors: true,
    limiter: 'TOKEN_RATE_LIMIT',
  },
  [AUTH_PATHS.signin]: {
    methods: ['GET', 'POST'],
    handler: signin,
    cors: false,
    limiter: 'AUTHORIZE_RATE_LIMIT',
    page: true,
  },
  [AUTH_PATHS.callback]: {
    methods: ['GET'],
    handler: callback,
    cors: false,
    limiter: 'AUTHORIZE_RATE_LIMIT',
    page: true,
  },
  [AUTH_PATHS.consent]: {
    methods: ['GET', 'POST'],
    handler: consent,
    cors: false,
    limiter: 'AUTHORIZE_RATE_LIMIT',
    page: true,
  },
}

/** 429 with Retry-After: a page for a person, an OAuth error for a client (BM-RATE-1). */
const tooManyRequests = (route: Route, retryAfter: number): Response => {
  const headers = retryAfterHeaders(retryAfter)
  if (route.page === true) {
    const response = errorPage(
      429,
      'Too many requests',
      `Too many sign-in requests came from your network. Wait ${retryAfter} seconds and try again.`,
    )
    for (const [name, value] of headers) response.headers.set(name, value)
    return response
  }
  // RFC 6749 defines no rate-limit error; temporarily_unavailable (§4.1.2.1) is the closest.
  return oauthError(
    'temporarily_unavailable',
    `Too many requests from this address: retry after ${retryAfter} s`,
    429,
    headers,
  )
}

/** The handler's answer, unless the route's rate limit refuses the request first. */
const limited = async (route: Route, ctx: AuthContext): Promise<Response> => {
  if (route.limiter !== undefined) {
    const key = clientKey(ctx.request)
    const outcome = await rateLimit(ctx.env, ctx.config.RATE_LIMITS, route.limiter, key)
    if (!outcome.ok) {
      audit(ctx.env, ctx.request, {
        name: 'rate_limit.refused',
        outcome: 'failure',
        limiter: route.limiter,
        status: 429,
      })
      return tooManyRequests(route, outcome.retryAfter)
    }
  }
  return route.handler(ctx)
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
  const issuer = issuerOf(request, config)
  const outbound = outboundFor(request, issuer, config)
  const response = route.methods.includes(request.method)
    ? await limited(route, { request, env, config, issuer, scopes, outbound })
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
