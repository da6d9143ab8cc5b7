// The fetch handler for a set of tools, resources and prompts. It routes and applies the HTTP
// rules that hold for every endpoint (Origin, CORS); what the bytes mean is the transport's
// business.
//
//   OPTIONS /mcp, /sse, /messages -> CORS preflight
//   POST    /mcp  -> Streamable HTTP (src/transports/streamable-http.ts); with Mcp-Session-Id,
//                    run in the session's shard (src/sessions/)
//   GET     /mcp  -> with Mcp-Session-Id: the session's SSE stream (or its resumption); else 405
//   DELETE  /mcp  -> with Mcp-Session-Id: ends the session; else 405
//   GET     /sse, POST /messages?sessionId= -> the legacy HTTP+SSE transport (2024-11-05)
//   /admin/kb/... -> the knowledge base's admin API (src/kb/admin.ts)
//   GET /healthz, /admin/health -> health (src/ops/health.ts)
//   anything else -> 404 with a JSON body

import { config, ConfigError, type Config } from './config.ts'
import type { Env } from './env.ts'
import { checkOrigin, preflightHeaders, withCors } from './http/cors.ts'
import { json, methodNotAllowed, notFound, rpcError } from './http/responses.ts'
import { internalError, invalidRequest } from './jsonrpc/errors.ts'
import { admin, isAdminPath } from './kb/admin.ts'
import { adminKeys, isKeysPath } from './auth/admin-keys.ts'
import { hasAuthStore } from './auth/binding.ts'
import { authenticate } from './auth/guard.ts'
import type { Principal } from './auth/types.ts'
import { authMisconfigured, authRoute, isAuthPath } from './auth/routes.ts'
import { supportedScopes } from './auth/scopes.ts'
import type { Prompt } from './prompts/define.ts'
import { promptSet } from './prompts/prompt-set.ts'
import type { ServerFeatures } from './protocol/context.ts'
import type { Resource, ResourceTemplate } from './resources/define.ts'
import { resourceSet } from './resources/resource-set.ts'
import type { ResourceSource } from './resources/source.ts'
import { catalogFor, profileOf, registerServer } from './catalog.ts'
import type { Tool } from './tools/define.ts'
import { toolSet } from './tools/toolset.ts'
import { acceptable } from './http/media-type.ts'
import { MODERN_REVISION } from './protocol/revisions.ts'
import { forward, mintLegacyId, sessionsEnabled, type Forwarded } from './sessions/route.ts'
import { endpointFor } from './transports/legacy-sse.ts'
import { post } from './transports/streamable-http.ts'
import { healthRoute } from './ops/health.ts'

/** R-HT-10, R-HT-15: without a session there is no GET stream and nothing to DELETE. */
const ALLOW = 'POST, OPTIONS'

/** Which endpoint a path is, if any: the MCP endpoint (or one of its tool profiles), or a
 *  legacy one (`/sse`, `/messages`). */
const endpointOf = (path: string, settings: Config): 'mcp' | 'sse' | 'messages' | null => {
  if (profileOf(path, settings) !== undefined) return 'mcp'
  if (path === '/sse' || path === '/sse/') return 'sse'
  if (path === '/messages' || path === '/messages/') return 'messages'
  return null
}

/** What a server offers besides its tools. */
export interface ServerExtras {
  resources?: readonly Resource[]
  templates?: readonly ResourceTemplate[]
  /** Resources that come from data, listed after `resources`; announced when they change. */
  resourceSource?: ResourceSource
  prompts?: readonly Prompt[]
}

/**
 * A Worker serving MCP. Without arguments it serves the catalog the settings and path choose
 * (src/catalog.ts); with them, exactly these: `createServer([echo, add], { resources, prompts })`.
 * Duplicate names or URIs fail here, at startup.
 */
export const createServer = (toolList?: readonly Tool[], extras: ServerExtras = {}) => {
  const fixed: ServerFeatures | null =
    toolList === undefined
      ? null
      : {
          tools: toolSet(toolList),
          resources: resourceSet(extras.resources, extras.templates, extras.resourceSource),
          prompts: promptSet(extras.prompts),
        }
  // Session requests run in a shard, which finds these lists again by this id.
  const catalog = fixed === null ? null : registerServer(fixed)
  return {
    async fetch(request: Request, env: unknown): Promise<Response> {
      try {
        return await route(request, env, fixed, catalog)
      } catch (error) {
        // A bug of ours: the client gets a generic JSON-RPC error, the details stay in the log.
        console.error('unhandled error', error)
        return rpcError(500, internalError())
      }
    },
  } satisfies ExportedHandler
}

const route = async (
  request: Request,
  env: unknown,
  fixed: ServerFeatures | null,
  catalog: string | null,
): Promise<Response> => {
  // BM-HEALTH-1, BM-HEALTH-2: before the settings are parsed, so bad settings can be reported.
  const health = healthRoute(request, env)
  if (health !== null) return health
  let settings: Config
  try {
    settings = config(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    return json({ error: 'server_misconfigured', message: error.message }, 500)
  }
  const { pathname } = new URL(request.url)
  if (isAdminPath(pathname)) return admin(request, env as Env, settings)
  if (isKeysPath(pathname) || (settings.AUTH && isAuthPath(pathname))) {
    const tools = (fixed ?? catalogFor(settings, settings.MCP_PATH))?.tools ?? toolSet([])
    const scopes = supportedScopes(settings, tools)
    if (isKeysPath(pathname)) return adminKeys(request, env as Env, settings, scopes)
    if (!hasAuthStore(env as Env)) return authMisconfigured()
    return authRoute(request, env as Env, settings, scopes)
  }
  const endpoint = endpointOf(pathname, settings)
  if (endpoint === null) return notFound(pathname, settings.MCP_PATH)
  const features = fixed ?? catalogFor(settings, pathname)
  if (features === null) {
    const message = `FIXTURES=${settings.FIXTURES} needs the build that includes it (wrangler dev --env ${settings.FIXTURES})`
    console.error(message)
    return json({ error: 'server_misconfigured', message }, 500)
  }

  // R-HT-2: a present Origin we do not trust is refused with 403 before anything else.
  const origin = checkOrigin(request, settings)
  if (!origin.ok) {
    return rpcError(403, invalidRequest(`Origin ${origin.origin} is not allowed`))
  }
  if (request.method === 'OPTIONS') {
    const headers =
      origin.origin === null
        ? new Headers({ Allow: ALLOW })
        : preflightHeaders(request, origin.origin)
    return new Response(null, { status: 204, headers })
  }
  // R-AU-1, R-AU-2: with AUTH=true every request to an MCP endpoint carries a token, checked
  // here on each request, sessions included.
  let principal: Principal | null = null
  if (settings.AUTH) {
    if (!hasAuthStore(env as Env)) return withCorsOn(authMisconfigured(), origin.origin)
    const scopes = supportedScopes(settings, features.tools)
    const guarded = await authenticate(request, env as Env, settings, scopes)
    if (!guarded.ok) return withCorsOn(guarded.response, origin.origin)
    principal = guarded.principal
  }
  return withCorsOn(
    await serve(endpoint, request, settings, features, env as Env, { principal, catalog }),
    origin.origin,
  )
}

const withCorsOn = (response: Response, origin: string | null): Response => {
  withCors(response.headers, origin)
  return response
}

const serve = async (
  endpoint: 'mcp' | 'sse' | 'messages',
  request: Request,
  settings: Config,
  features: ServerFeatures,
  env: Env,
  via: Forwarded,
): Promise<Response> => {
  const sessions = sessionsEnabled(env, settings)
  if (endpoint === 'sse') {
    if (!sessions) return notFound(new URL(request.url).pathname, settings.MCP_PATH)
    if (request.method !== 'GET') return methodNotAllowed('GET, OPTIONS')
    const id = mintLegacyId(settings)
    return forward(env, settings, id, 'sse-open', request, {
      ...via,
      endpoint: endpointFor(new URL(request.url).pathname, id),
    })
  }
  if (endpoint === 'messages') {
    if (!sessions) return notFound(new URL(request.url).pathname, settings.MCP_PATH)
    if (request.method !== 'POST') return methodNotAllowed('POST, OPTIONS')
    const id = new URL(request.url).searchParams.get('sessionId')
    if (id === null)
      return rpcError(400, invalidRequest('The sessionId query parameter is required'))
    return forward(env, settings, id, 'sse-message', request, via)
  }
  // R-HT-40: a 2026-07-28 request never belongs to a session, whatever headers it carries.
  const sessionId = request.headers.get('mcp-session-id')
  const modern = request.headers.get('mcp-protocol-version')?.trim() === MODERN_REVISION
  if (sessions && sessionId !== null && !modern) {
    const op = request.method === 'POST' ? 'post' : request.method === 'DELETE' ? 'delete' : null
    if (op !== null) return forward(env, settings, sessionId, op, request, via)
    if (request.method === 'GET') {
      if (!acceptable(request.headers.get('accept')).sse) {
        return rpcError(406, invalidRequest('GET needs Accept: text/event-stream'))
      }
      return forward(env, settings, sessionId, 'get', request, via)
    }
  }
  return request.method === 'POST'
    ? post(request, settings, features, env, null, via.principal ?? null)
    : methodNotAllowed(ALLOW)
}
