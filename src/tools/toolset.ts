// The tools one request can see, in listing order, looked up by name.

import type { Tool } from './define.ts'

export interface ToolSet {
  readonly list: readonly Tool[]
  get(name: string): Tool | undefined
  /** Every scope some tool declares (AUTH=true), in first-seen order. */
  readonly scopes: readonly string[]
}

/** Builds a tool set; two tools with one name are a programming error, caught at startup. */
export const toolSet = (tools: readonly Tool[]): ToolSet => {
  const byName = new Map<string, Tool>()
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new TypeError(`Two tools are named "${tool.name}"`)
    byName.set(tool.name, tool)
  }
  const scopes = [...new Set(tools.flatMap((tool) => tool.scopes))]
  return { list: tools, get: (name) => byName.get(name), scopes }
}
