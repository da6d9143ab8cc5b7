// Which scopes exist and who holds them.

import type { Config } from '../settings/config.ts'
import type { ToolSet } from '../tools/toolset.ts'

const supported = new WeakMap<ToolSet, WeakMap<Config, readonly string[]>>()

/**
 * Every scope a token may hold: the base scope (AUTH_BASE_SCOPE, BM-AUTH-28) first, then
 * AUTH_SCOPES, then those the tools declare. Asked on every
 * authenticated request, so kept per tool set and settings (both fixed for the isolate).
 */
export const supportedScopes = (config: Config, tools: ToolSet): readonly string[] => {
  let byConfig = supported.get(tools)
  if (byConfig === undefined) supported.set(tools, (byConfig = new WeakMap()))
  let scopes = byConfig.get(config)
  if (scopes === undefined) {
    scopes = [...new Set([config.AUTH_BASE_SCOPE, ...config.AUTH_SCOPES, ...tools.scopes])]
    byConfig.set(config, scopes)
  }
  return scopes
}
