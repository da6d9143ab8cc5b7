// The fetch handler for a set of tools, resources and prompts: it routes each request to the
// part of the server that answers it. What happens to an MCP request is the pipeline's business
// (src/pipeline/mcp.ts); what the bytes mean is the transports'.
//
//   /mcp, /mcp/<profile>   Streamable HTTP: POST, and GET / DELETE with Mcp-Session-Id
//   /sse, /messages        the legacy HTTP+SSE transport (2024-11-05)
//   /admin/kb/...          the knowledge base's admin API (src/kb/admin.ts)
//   /admin/keys...         API keys (src/auth/admin-keys.ts)
//   OAuth endpoints        the authorization server, with AUTH=true (src/auth/routes.ts)
//   /healthz, /admin/health  health (src/ops/health.ts)
//   /_wire/...             the wire view (src/wire/routes.ts); /mcp/strict: strict mode
//   /admin/stats           recent operations of this isolate (src/ops/stats.ts)
//   anything else          404 with a JSON body

import { catalogFor, profileOf, registerServer, type ServerFeatures } from './catalog/catalog.ts'
import { config, ConfigError, type Config } from './settings/config.ts'
import type { Env } from './settings/env.ts'
import { json, notFound, rpcError } from './http/responses.ts'
import { internalError } from './jsonrpc/errors.ts'
import { admin, isAdminPath } from './kb/admin.ts'
import { adminKeys, isKeysPath } from './auth/admin-keys.ts'
import { hasAuthStore } from './auth/binding.ts'
import { authMisconfigured, authRoute, isAuthPath } from './auth/routes.ts'
import { supportedScopes } from './auth/scopes.ts'
import type { Prompt } from './prompts/define.ts'
import { promptSet } from './prompts/prompt-set.ts'
import type { Resource, ResourceTemplate } from './resources/define.ts'
import { resourceSet } from './resources/resource-set.ts'
import type { ResourceSource } from './resources/source.ts'
import type { Tool } from './tools/define.ts'
import { toolSet } from './tools/toolset.ts'
import { serveMcp, type Endpoint, type WaitUntil } from './pipeline/mcp.ts'
import { isStrictPath } from './pipeline/strict.ts'
import { isWirePath, wireRoute } from './wire/routes.ts'
import { healthRoute } from './ops/health.ts'
import { stats, STATS_PATH } from './ops/stats.ts'

/** Which endpoint a path is, if any: the MCP endpoint (or one of its tool profiles), or a
 *  legacy one (`/sse`, `/messages`). */
const endpointOf = (path: string, settings: Config): Endpoint | null => {
  if (profileOf(path, settings) !== undefined || isStrictPath(path, settings)) return 'mcp'
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
 * (src/catalog/catalog.ts); with them, exactly these: `createServer([echo, add], { resources,
 * prompts })`. Duplicate names or URIs fail here, at startup.
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
    async fetch(request: Request, env: unknown, ctx?: ExecutionContext): Promise<Response> {
      // Work that outlives the response (telling a shard a client went away) keeps the Worker
      // running where there is a context to ask (not when a test calls fetch directly).
      const waitUntil = (work: Promise<unknown>) =>
        ctx === undefined ? void work.catch(() => {}) : ctx.waitUntil(work)
      try {
        return await route(request, env as Env, fixed, catalog, waitUntil)
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
  env: Env,
  fixed: ServerFeatures | null,
  catalog: string | null,
  waitUntil: WaitUntil,
): Promise<Response> => {
  const url = new URL(request.url)
  const { pathname } = url
  // BM-HEALTH-1, BM-HEALTH-2: before the settings are parsed, so bad settings can be reported.
  const health = healthRoute(request, pathname, env)
  if (health !== null) return health
  let settings: Config
  try {
    settings = config(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    return json({ error: 'server_misconfigured', message: error.message }, 500)
  }
  if (isWirePath(pathname))
    return (await wireRoute(request, env, settings)) ?? notFound(pathname, settings.MCP_PATH)
  if (isAdminPath(pathname)) return admin(request, env, settings)
  if (pathname === STATS_PATH) return stats(request, env)
  if (isKeysPath(pathname) || (settings.AUTH && isAuthPath(pathname))) {
    const tools = (fixed ?? catalogFor(settings, settings.MCP_PATH))?.tools ?? toolSet([])
    const scopes = supportedScopes(settings, tools)
    if (isKeysPath(pathname)) return adminKeys(request, env, settings, scopes)
    if (!hasAuthStore(env)) return authMisconfigured()
    return authRoute(request, env, settings, scopes)
  }
  const endpoint = endpointOf(pathname, settings)
  if (endpoint === null) return notFound(pathname, settings.MCP_PATH)
  const features = fixed ?? catalogFor(settings, pathname)
  if (features === null) {
    const message = `FIXTURES=${settings.FIXTURES} needs the build that includes it (wrangler dev --env ${settings.FIXTURES})`
    console.error(message)
    return json({ error: 'server_misconfigured', message }, 500)
  }
  return serveMcp(endpoint, request, url, settings, features, env, catalog, waitUntil)
}
