// The fetch handler for a set of tools. It routes and applies the HTTP rules that hold for every
// endpoint (Origin, CORS); what the bytes mean is the transport's business.
//
//   OPTIONS /mcp  -> CORS preflight
//   POST    /mcp  -> Streamable HTTP (src/transports/streamable-http.ts)
//   GET/DELETE /mcp -> 405 (no sessions or standalone streams yet)
//   anything else -> 404 with a JSON body

import { config, ConfigError, type Config } from './config.ts'
import type { Env } from './env.ts'
import { checkOrigin, preflightHeaders, withCors } from './http/cors.ts'
import { json, methodNotAllowed, notFound, rpcError } from './http/responses.ts'
import { internalError, invalidRequest } from './jsonrpc/errors.ts'
import type { Tool } from './tools/define.ts'
import { toolSet, type ToolSet } from './tools/toolset.ts'
import { post } from './transports/streamable-http.ts'

/** R-HT-10, R-HT-15: without sessions there is no GET stream and nothing to DELETE. */
const ALLOW = 'POST, OPTIONS'

const isMcpPath = (path: string, settings: Config): boolean =>
  path === settings.MCP_PATH || path === `${settings.MCP_PATH}/`

/** A Worker serving MCP with `tools`: `export default createServer([echo, add])`. */
export const createServer = (toolList: readonly Tool[]) => {
  const tools = toolSet(toolList)
  return {
    async fetch(request: Request, env: unknown): Promise<Response> {
      try {
        return await route(request, env, tools)
      } catch (error) {
        // A bug of ours: the client gets a generic JSON-RPC error, the details stay in the log.
        console.error('unhandled error', error)
        return rpcError(500, internalError())
      }
    },
  } satisfies ExportedHandler
}

const route = async (request: Request, env: unknown, tools: ToolSet): Promise<Response> => {
  let settings: Config
  try {
    settings = config(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    return json({ error: 'server_misconfigured', message: error.message }, 500)
  }
  const { pathname } = new URL(request.url)
  if (!isMcpPath(pathname, settings)) return notFound(pathname, settings.MCP_PATH)

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
  const response =
    request.method === 'POST'
      ? await post(request, settings, tools, env as Env)
      : methodNotAllowed(ALLOW)
  withCors(response.headers, origin.origin)
  return response
}
