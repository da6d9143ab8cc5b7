// Which scopes exist and who holds them.

import type { Config } from '../config.ts'
import type { Tool } from '../tools/define.ts'
import type { ToolSet } from '../tools/toolset.ts'
import type { Principal } from './types.ts'

/** Every scope a token may hold: AUTH_SCOPES first, then those the tools declare. */
export const supportedScopes = (config: Config, tools: ToolSet): readonly string[] => [
  ...new Set([...config.AUTH_SCOPES, ...tools.scopes]),
]

/** The scopes `tool` needs that `principal` lacks (empty: it may call it). */
export const missingScopes = (tool: Tool, principal: Principal): string[] =>
  tool.scopes.filter((scope) => !principal.scopes.includes(scope))
