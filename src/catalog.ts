// The catalog: which tools, resources and prompts a request sees. Chosen per request from the
// settings and the path, in one place for the Worker and the session shards alike:
//
//   FIXTURES=demo (default)   src/tools, src/resources, src/prompts
//   FIXTURES=conformance      the fixtures the official conformance suite calls (src/fixtures)
//   /mcp/<profile>            only the tools TOOL_PROFILES names for <profile>
//                             (default: /mcp/readonly = read-only tools, /mcp/research = search, fetch)

import type { Config } from './config.ts'
import { CONFORMANCE } from './fixtures/conformance.ts'
import { PROMPTS } from './prompts/index.ts'
import { promptSet } from './prompts/prompt-set.ts'
import type { ServerFeatures } from './protocol/context.ts'
import { RESOURCES, TEMPLATES } from './resources/index.ts'
import { resourceSet } from './resources/resource-set.ts'
import { TOOLS } from './tools/index.ts'
import { toolSet } from './tools/toolset.ts'

let demo: ServerFeatures | undefined
let conformance: ServerFeatures | undefined

/** The full catalog a FIXTURES setting names. */
const base = (config: Config): ServerFeatures => {
  if (config.FIXTURES === 'conformance') {
    conformance ??= {
      tools: toolSet(CONFORMANCE.tools),
      resources: resourceSet(CONFORMANCE.resources, CONFORMANCE.templates),
      prompts: promptSet(CONFORMANCE.prompts),
    }
    return conformance
  }
  demo ??= {
    tools: toolSet(TOOLS),
    resources: resourceSet(RESOURCES, TEMPLATES),
    prompts: promptSet(PROMPTS),
  }
  return demo
}

const profiled = new WeakMap<ServerFeatures, Map<string, ServerFeatures>>()

/** The endpoint a path names: the MCP endpoint itself, one of its profiles, or neither. */
export const profileOf = (path: string, config: Config): string | null | undefined => {
  const root = config.MCP_PATH.replace(/\/$/, '')
  if (path === root || path === `${root}/`) return null
  if (!path.startsWith(`${root}/`)) return undefined
  const name = path.slice(root.length + 1).replace(/\/$/, '')
  return config.TOOL_PROFILES.some((profile) => profile.name === name) ? name : undefined
}

/** What a request to `path` may list and call. */
export const catalogFor = (config: Config, path: string): ServerFeatures => {
  const full = base(config)
  const name = profileOf(path, config)
  if (name === null || name === undefined) return full
  let cache = profiled.get(full)
  if (cache === undefined) profiled.set(full, (cache = new Map()))
  const cached = cache.get(name)
  if (cached !== undefined) return cached
  const selectors = config.TOOL_PROFILES.find((profile) => profile.name === name)?.selectors ?? []
  const tools = full.tools.list.filter(
    (tool) =>
      selectors.includes(tool.name) ||
      (selectors.includes('@readonly') && tool.annotations.readOnlyHint === true),
  )
  const features = { ...full, tools: toolSet(tools) }
  cache.set(name, features)
  return features
}
