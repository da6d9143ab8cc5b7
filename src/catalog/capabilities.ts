// The capabilities a server declares (R-LC-7): truthfully, one entry per feature it has. They
// follow from the catalog (which tools, resources and prompts it serves) and from whether the
// request's era can carry resource updates, so they are computed here, once per catalog, and
// handed to `initialize` and `server/discover` in the request's context.
//
//   a server with tools only      {"logging":{},"tools":{"listChanged":false}}
//   + prompts and a template      + "completions":{}, "prompts":{}, "resources":{"subscribe":true}

import type { ServerFeatures } from './catalog.ts'

/**
 * R-LC-7: every capability we can declare, in the schema's order. `logging`: tools send
 * `notifications/message`; `completions` (R-SF-33, 2025-03-26+; older clients ignore the key);
 * `prompts` (R-SF-30) and `tools`: no `listChanged` (their lists never change at run time);
 * `resources` (R-SF-20): `listChanged` only with a resource source (R-SF-25), see below.
 */
export const SERVER_CAPABILITIES = {
  logging: {},
  completions: {},
  prompts: {},
  resources: {},
  tools: { listChanged: false },
} as const

/**
 * R-LC-7: `tools` and `logging` with tools (tools are what logs), `prompts` with prompts,
 * `resources` with resources or templates, `completions` with prompts or templates (something
 * to complete). R-SF-20, R-SF-24: `resources.subscribe` where subscribing works (`streams`): in
 * the initialize era when sessions are on (updates need the session's stream), and always in
 * 2026-07-28 (`resourceSubscriptions` on `subscriptions/listen`). R-SF-25:
 * `resources.listChanged` where, besides, the list can change (a resource source).
 */
const capabilitiesOf = (
  { tools, resources, prompts }: ServerFeatures,
  streams: boolean,
): Record<string, unknown> => {
  const hasResources =
    resources.list.length > 0 || resources.templates.length > 0 || resources.source !== undefined
  const capabilities: Record<string, unknown> = {}
  if (tools.list.length > 0) capabilities.logging = SERVER_CAPABILITIES.logging
  if (prompts.list.length > 0 || resources.templates.length > 0) {
    capabilities.completions = SERVER_CAPABILITIES.completions
  }
  if (prompts.list.length > 0) capabilities.prompts = SERVER_CAPABILITIES.prompts
  if (hasResources) {
    capabilities.resources = !streams
      ? {}
      : resources.source === undefined
        ? { subscribe: true }
        : { subscribe: true, listChanged: true }
  }
  if (tools.list.length > 0) capabilities.tools = SERVER_CAPABILITIES.tools
  return capabilities
}

const cache = new WeakMap<ServerFeatures, [Record<string, unknown>, Record<string, unknown>]>()

/** The capabilities `features` declare, with or without streams for resource updates (cached). */
export const serverCapabilities = (
  features: ServerFeatures,
  streams: boolean,
): Record<string, unknown> => {
  let both = cache.get(features)
  if (both === undefined) {
    both = [capabilitiesOf(features, false), capabilitiesOf(features, true)]
    cache.set(features, both)
  }
  return both[streams ? 1 : 0]
}
