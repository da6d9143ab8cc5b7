// `server/discover` (2026-07-28): what a client learns before its first real request.
//
//   -> {"jsonrpc":"2.0","id":"d1","method":"server/discover","params":{"_meta":{...}}}
//   <- {"jsonrpc":"2.0","id":"d1","result":{"resultType":"complete",
//       "supportedVersions":["2026-07-28","2025-11-25",...],"capabilities":{...},
//       "instructions":"...","ttlMs":3600000,"cacheScope":"public","_meta":{...serverInfo}}}
//
// R-LC-23 · https://modelcontextprotocol.io/specification/2026-07-28/server/discover

import type { RequestContext } from './context.ts'
import { declaredCapabilities, instructionsFor } from './lifecycle.ts'
import { SUPPORTED_REVISIONS } from './revisions.ts'

/** Lists every version we serve, both eras: a dual-era server (R-LC-29). */
export const discover = (_params: unknown, ctx: RequestContext) => {
  const result: Record<string, unknown> = {
    supportedVersions: SUPPORTED_REVISIONS,
    capabilities: declaredCapabilities(ctx),
  }
  const instructions = instructionsFor(ctx.config)
  if (instructions !== '') result.instructions = instructions
  return result
}
