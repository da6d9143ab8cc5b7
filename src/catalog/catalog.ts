// The catalog: which tools, resources and prompts a request sees. Chosen per request from the
// settings and the path, in one place for the Worker and the session shards alike:
//
//   FIXTURES=demo (default)   src/tools, src/resources, src/prompts
//   FIXTURES=conformance      the fixtures the official conformance suite calls (src/fixtures),
//                             registered only by the conformance build (src/conformance.ts,
//                             `wrangler dev --env conformance`), so the deployed bundle stays small
//   /mcp/<profile>            only the tools TOOL_PROFILES names for <profile>
//                             (default: /mcp/readonly = read-only tools, /mcp/research = search, fetch)

import type { Config } from '../settings/config.ts'
import { PROMPTS } from '../prompts/index.ts'
import type { PromptSet } from '../prompts/prompt-set.ts'
import { promptSet } from '../prompts/prompt-set.ts'
import { RESOURCES, SOURCE, TEMPLATES } from '../resources/index.ts'
import { resourceSet, type ResourceSet } from '../resources/resource-set.ts'
import { TOOLS } from '../tools/index.ts'
import { toolSet, type ToolSet } from '../tools/toolset.ts'

/** What a server offers (its server features), built once and shared by every request. */
export interface ServerFeatures {
  /** The tools a request may list and call. */
  tools: ToolSet
  /** The resources and resource templates it may list and read. */
  resources: ResourceSet
  /** The prompts it may list and get. */
  prompts: PromptSet
}

/** The catalog of each fixture pack a build registered (src/conformance.ts). */
const packs = new Map<string, ServerFeatures>()

/** Registers a fixture pack under the FIXTURES value that selects it. */
export const registerFixtures = (
  name: string,
  pack: Pick<ServerFeatures, 'tools' | 'resources' | 'prompts'>,
): void => void packs.set(name, pack)

/**
 * Catalogs of servers built with explicit lists (`createServer(tools, extras)`), by id. The
 * Worker forwards the id with each session request, so the shard serves the same lists: it runs
 * this same script, whose servers are created in the same order in every isolate.
 */
const servers: ServerFeatures[] = []

/** Registers the catalog of a `createServer(tools)` server; its id. */
export const registerServer = (features: ServerFeatures): string =>
  String(servers.push(features) - 1)

/** The catalog registered under `id`, if any. */
export const serverCatalog = (id: string | null): ServerFeatures | undefined =>
  id === null ? undefined : servers[Number(id)]

let demo: ServerFeatures | undefined

/** The full catalog a FIXTURES setting names; null when this build lacks that pack. */
const base = (config: Config): ServerFeatures | null => {
  if (config.FIXTURES !== 'demo') return packs.get(config.FIXTURES) ?? null
  demo ??= {
    tools: toolSet(TOOLS),
    resources: resourceSet(RESOURCES, TEMPLATES, SOURCE),
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

/** What a request to `path` may list and call; null when FIXTURES names a pack not built in. */
export const catalogFor = (config: Config, path: string): ServerFeatures | null => {
  const full = base(config)
  if (full === null) return null
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
