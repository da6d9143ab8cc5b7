// The initialize-era lifecycle: `initialize`, `notifications/initialized` and `ping`.
//
//   -> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
//       "capabilities":{},"clientInfo":{"name":"demo","version":"1.0"}}}
//   <- {"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18",
//       "capabilities":{"logging":{},"tools":{}},"serverInfo":{"name":"bare-mcp",...}}}
//
// What a successful `initialize` leaves behind (a session and what it remembers) is the
// transport's business; the params it reads are parsed here, once, for both.
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle

import * as v from 'valibot'
import type { Config } from '../settings/config.ts'
import { nestsDeeperThan } from '../jsonrpc/depth.ts'
import { invalidParams, type JSONRPCErrorObject } from '../jsonrpc/errors.ts'
import { ObjectSchema, type Params } from '../jsonrpc/message.ts'
import type { RequestContext } from './context.ts'
import { parseParams } from './params.ts'
import { negotiate, rules, type LegacyRevision } from './revisions.ts'
import { SERVER_INFO } from './server-info.ts'

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

/** What a session remembers of a successful `initialize`. */
export interface Initialized {
  revision: LegacyRevision
  clientInfo: Record<string, unknown>
  clientCapabilities: Record<string, unknown>
}

/** The negotiated revision and what the client declared, from `initialize` params that parse. */
export const initialized = (params: Params | undefined): Initialized | null => {
  const parsed = v.safeParse(InitializeParamsSchema, params ?? {})
  if (!parsed.success) return null
  return {
    revision: negotiate(parsed.output.protocolVersion),
    clientInfo: parsed.output.clientInfo,
    clientCapabilities: parsed.output.capabilities,
  }
}

/**
 * What a session keeps of `initialize` is bounded: `clientInfo` and `capabilities` of at most
 * MAX_CLIENT_INFO_BYTES of JSON and MAX_CLIENT_INFO_DEPTH levels. Larger is -32602, answered
 * with 400 before anything is stored (a session row is read on every request it makes).
 */
export const unstorable = (
  params: Params | undefined,
  config: Config,
): JSONRPCErrorObject | null => {
  const kept = { clientInfo: params?.clientInfo, capabilities: params?.capabilities }
  if (nestsDeeperThan(kept, config.MAX_CLIENT_INFO_DEPTH + 1)) {
    return invalidParams(
      `initialize: "params.clientInfo" and "params.capabilities" may nest at most ${config.MAX_CLIENT_INFO_DEPTH} levels (MAX_CLIENT_INFO_DEPTH)`,
    )
  }
  const bytes = new TextEncoder().encode(JSON.stringify(kept)).byteLength
  if (bytes > config.MAX_CLIENT_INFO_BYTES) {
    return invalidParams(
      `initialize: "params.clientInfo" and "params.capabilities" may hold at most ${config.MAX_CLIENT_INFO_BYTES} bytes of JSON (MAX_CLIENT_INFO_BYTES); these hold ${bytes}`,
    )
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
    capabilities: ctx.capabilities,
    serverInfo,
  }
  const instructions = instructionsFor(ctx.config)
  if (instructions !== '') result.instructions = instructions
  return result
}

/** The `instructions` text: the SERVER_INSTRUCTIONS setting, or the built-in one. */
export const instructionsFor = (config: Config): string =>
  config.SERVER_INSTRUCTIONS || SERVER_INFO.instructions

/** R-LC-9: `ping` is answered promptly with an empty result, at any time. */
export const ping = () => ({})
