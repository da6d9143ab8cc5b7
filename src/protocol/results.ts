// What every 2026-07-28 result carries besides its own fields:
//
//   "resultType": "complete"      (or "input_required" for MRTR)        R-JR-11
//   "ttlMs", "cacheScope"          on cacheable complete results         R-SF-35
//   "_meta": {"io.modelcontextprotocol/serverInfo": {name, version}}     R-LC-26
//
// Revisions without these (the revision's `resultType` and `cacheHints`) get results untouched.
//
// https://modelcontextprotocol.io/specification/2026-07-28/server/utilities/caching

import type { Config } from '../settings/config.ts'
import type { RequestContext } from './context.ts'
import { SERVER_INFO } from './server-info.ts'

/** Results a client may cache (R-SF-35), with the setting that gives their `ttlMs`. */
const CACHEABLE = new Map<string, (config: Config) => number>([
  ['server/discover', (config) => config.DISCOVER_TTL_MS],
  ['tools/list', (config) => config.LIST_TTL_MS],
  ['prompts/list', (config) => config.LIST_TTL_MS],
  ['resources/list', (config) => config.LIST_TTL_MS],
  ['resources/templates/list', (config) => config.LIST_TTL_MS],
  ['resources/read', (config) => config.READ_TTL_MS],
])

const SERVER_INFO_META = { name: SERVER_INFO.name, version: SERVER_INFO.version }

/**
 * Shapes a handler's result for the request's revision. Without auth every caller gets the
 * same results, so `cacheScope` is "public"; with AUTH=true results may vary by the caller's
 * token (hidden tools, tools reading `ctx.auth`), so they are "private" (R-AU-19).
 */
export const shapeResult = (
  method: string,
  result: Record<string, unknown>,
  ctx: Pick<RequestContext, 'rules' | 'config'>,
): Record<string, unknown> => {
  if (!ctx.rules.resultType) return result
  const resultType = typeof result.resultType === 'string' ? result.resultType : 'complete'
  const shaped: Record<string, unknown> = { resultType, ...result }
  const ttl = ctx.rules.cacheHints ? CACHEABLE.get(method) : undefined
  if (ttl !== undefined && resultType === 'complete') {
    shaped.ttlMs = ttl(ctx.config)
    shaped.cacheScope = ctx.config.AUTH ? 'private' : 'public'
  }
  const meta = typeof result._meta === 'object' && result._meta !== null ? result._meta : {}
  shaped._meta = { ...meta, 'io.modelcontextprotocol/serverInfo': SERVER_INFO_META }
  return shaped
}
