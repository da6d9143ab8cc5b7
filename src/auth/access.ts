// What an authenticated caller may list and call (AUTH=true): tools that declare scopes need a
// token holding them (R-AU-14: 403 `insufficient_scope` before anything runs), and with
// AUTH_HIDE_TOOLS `tools/list` shows only what the token can call (R-AU-19: list results MAY
// vary by the authorization on the request).

import type { Config } from '../settings/config.ts'
import type { JSONRPCMessage, Parsed } from '../jsonrpc/message.ts'
import type { ServerFeatures } from '../protocol/context.ts'
import { toolSet, type ToolSet } from '../tools/toolset.ts'
import { insufficientScope } from './guard.ts'
import { missingScopes } from './scopes.ts'
import type { Principal } from '../protocol/principal.ts'

export type Access = { ok: true; features: ServerFeatures } | { ok: false; response: Response }

const visibleCache = new WeakMap<ToolSet, Map<string, ToolSet>>()

/** The tools `principal` holds every scope of, as a set (cached per scope combination). */
const visibleTools = (tools: ToolSet, principal: Principal): ToolSet => {
  const key = [...principal.scopes].sort().join(' ')
  let byScopes = visibleCache.get(tools)
  if (byScopes === undefined) visibleCache.set(tools, (byScopes = new Map()))
  let visible = byScopes.get(key)
  if (visible === undefined) {
    visible = toolSet(tools.list.filter((tool) => missingScopes(tool, principal).length === 0))
    byScopes.set(key, visible)
  }
  return visible
}

/** The features this request may use, or the 403 refusing a tool call it lacks scopes for. */
export const accessFor = (
  request: Request,
  config: Config,
  features: ServerFeatures,
  principal: Principal | null,
  messages: readonly Parsed<JSONRPCMessage>[],
): Access => {
  if (principal === null) return { ok: true, features }
  for (const message of messages) {
    if (!message.ok || message.value.kind !== 'request') continue
    const { method, params } = message.value.message
    if (method !== 'tools/call' || typeof params?.name !== 'string') continue
    const tool = features.tools.get(params.name)
    if (tool === undefined) continue
    const missing = missingScopes(tool, principal)
    if (missing.length > 0) {
      const description = `Tool ${tool.name} needs scope ${missing.join(' ')}`
      return {
        ok: false,
        response: insufficientScope(request, config, principal, tool.scopes, description),
      }
    }
  }
  if (!config.AUTH_HIDE_TOOLS || features.tools.scopes.length === 0) return { ok: true, features }
  return { ok: true, features: { ...features, tools: visibleTools(features.tools, principal) } }
}
