// The initialize-era lifecycle: `initialize`, `notifications/initialized` and `ping`.
//
//   -> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
//       "capabilities":{},"clientInfo":{"name":"demo","version":"1.0"}}}
//   <- {"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18",
//       "capabilities":{"logging":{},"tools":{}},"serverInfo":{"name":"bare-mcp",...}}}
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle

import * as v from 'valibot'
import type { Config } from '../config.ts'
import { ObjectSchema, type Params } from '../jsonrpc/message.ts'
import type { RequestContext, ServerFeatures } from './context.ts'
import { parseParams } from './params.ts'
import {
  isLegacyRevision,
  LATEST_LEGACY_REVISION,
  rules,
  type LegacyRevision,
} from './revisions.ts'
import { SERVER_INFO } from './server-info.ts'
import { sessionsEnabled } from '../sessions/route.ts'

const ImplementationSchema = v.looseObject({
  name: v.string('must be a string'),
  version: v.string('must be a string'),
})

/** R-LC-1: `initialize` carries protocolVersion, capabilities and clientInfo. */
const InitializeParamsSchema = v.looseObject({
  protocolVersion: v.string('must be a string'),
  capabilities: ObjectSchema,
  clientInfo: ImplementationSchema,
})

/**
 * R-LC-3 · https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation
 * If we serve the requested revision we MUST answer with it; otherwise we answer with another
 * we serve (SHOULD be our latest). An unknown version, 2026-07-28 included, is a counter-proposal,
 * never an error.
 */
export const negotiate = (requested: string): LegacyRevision =>
  isLegacyRevision(requested) ? requested : LATEST_LEGACY_REVISION

/**
 * R-LC-7: every capability we can declare, in the schema's order. `logging`: tools send
 * `notifications/message`; `completions` (R-SF-33, 2025-03-26+; older clients ignore the key);
 * `prompts` (R-SF-30) and `tools`: no `listChanged` (their lists never change at run time);
 * `resources` (R-SF-20): `listChanged` only with a resource source (R-SF-25), see below.
 * `serverCapabilities` declares those a server has.
 */
export const SERVER_CAPABILITIES = {
  logging: {},
  completions: {},
  prompts: {},
  resources: {},
  tools: { listChanged: false },
} as const

/**
 * R-LC-7: capabilities declared truthfully, one entry per feature this server has: `tools` and
 * `logging` with tools (tools are what logs), `prompts` with prompts, `resources` with resources
 * or templates, `completions` with prompts or templates (something to complete).
 * R-SF-20, R-SF-24: `resources.subscribe` where subscribing works (`streams`): in the initialize
 * era when sessions are on (updates need the session's stream), and always in 2026-07-28
 * (`resourceSubscriptions` on `subscriptions/listen`). R-SF-25: `resources.listChanged` where,
 * besides, the list can change: the server has a resource source (src/resources/source.ts).
 */
export const serverCapabilities = (
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

/**
 * The capabilities this request's server declares, as `initialize` and `server/discover` state
 * them: subscribing needs sessions in the initialize era, and nothing in 2026-07-28, where it is
 * `resourceSubscriptions` on `subscriptions/listen` (R-SF-47).
 */
export const declaredCapabilities = (ctx: RequestContext): Record<string, unknown> =>
  serverCapabilities(
    ctx,
    rules(ctx.revision).era === 'modern' || sessionsEnabled(ctx.env, ctx.config),
  )

/** The capability (and the flag in it) each feature method needs; other methods need none. */
const CAPABILITY_OF = new Map<string, readonly [capability: string, flag?: string]>([
  ['tools/list', ['tools']],
  ['tools/call', ['tools']],
  ['resources/list', ['resources']],
  ['resources/templates/list', ['resources']],
  ['resources/read', ['resources']],
  ['resources/subscribe', ['resources', 'subscribe']],
  ['resources/unsubscribe', ['resources', 'subscribe']],
  ['prompts/list', ['prompts']],
  ['prompts/get', ['prompts']],
  ['completion/complete', ['completions']],
  ['logging/setLevel', ['logging']],
])

/**
 * R-JR-12, R-SF-33 · schema `MethodNotFoundError`: a method behind a server capability we did
 * not declare is not offered, and is answered -32601 like an unknown one. Returns the reason
 * when `method` is such a method here, else null.
 */
export const undeclared = (method: string, ctx: RequestContext): string | null => {
  const needs = CAPABILITY_OF.get(method)
  if (needs === undefined) return null
  const [capability, flag] = needs
  const declared = declaredCapabilities(ctx)[capability] as Record<string, unknown> | undefined
  if (declared === undefined) return `This server does not declare the ${capability} capability`
  if (flag !== undefined && declared[flag] !== true) {
    return `This server does not declare ${capability}.${flag}`
  }
  return null
}

/** R-LC-2: the InitializeResult for the negotiated revision. */
export const initialize = (params: Params | undefined, ctx: RequestContext) => {
  const { protocolVersion } = parseParams('initialize', InitializeParamsSchema, params)
  const revision = negotiate(protocolVersion)
  const allowed = rules(revision)
  const { name, title, version } = SERVER_INFO
  const serverInfo = allowed.titles ? { name, title, version } : { name, version }
  const result: Record<string, unknown> = {
    protocolVersion: revision,
    capabilities: declaredCapabilities(ctx),
    serverInfo,
  }
  const instructions = instructionsFor(ctx.config)
  if (allowed.instructions && instructions !== '') result.instructions = instructions
  return result
}

/** The `instructions` text: the SERVER_INSTRUCTIONS setting, or the built-in one. */
export const instructionsFor = (config: Config): string =>
  config.SERVER_INSTRUCTIONS || SERVER_INFO.instructions

/** R-LC-9: `ping` is answered promptly with an empty result, at any time. */
export const ping = () => ({})
