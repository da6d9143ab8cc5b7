// What a caller may see of a catalog (AUTH=true): tools that declare scopes need a token holding
// them. A call without them is refused before anything runs (R-AU-14, the resource server's
// 403: src/auth/resource-server.ts); with AUTH_HIDE_TOOLS such tools are also left out of
// `tools/list` (R-AU-19: list results MAY vary by the authorization on the request).

import type { Config } from '../settings/config.ts'
import type { Principal } from '../protocol/principal.ts'
import type { Tool } from '../tools/define.ts'
import { toolSet, type ToolSet } from '../tools/toolset.ts'
import type { ServerFeatures } from './catalog.ts'

/** The scopes `tool` needs that `principal` lacks (empty: it may call it). */
export const missingScopes = (tool: Tool, principal: Principal): string[] =>
  tool.scopes.filter((scope) => !principal.scopes.includes(scope))

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

/** What `principal` may list and call of `features`. */
export const visibleTo = (
  features: ServerFeatures,
  principal: Principal | null,
  config: Config,
): ServerFeatures => {
  if (principal === null || !config.AUTH_HIDE_TOOLS || features.tools.scopes.length === 0) {
    return features
  }
  return { ...features, tools: visibleTools(features.tools, principal) }
}
