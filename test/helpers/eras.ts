// Requests in every revision, and the tables revision-dependent tests run over. A legacy request
// names its revision in the `MCP-Protocol-Version` header; a 2026-07-28 one by the `_meta` claim
// plus its headers. What each revision introduced is read from src/protocol/revisions.ts
// (`rules`), so a test asks "does this revision have titles?", never "is it 2025-06-18 or
// later?"; the literal corpus (test/fixtures, test/wire/fixtures.test.ts) pins that same table
// to the spec, revision by revision.
//
//   describe.each(REVISIONS)('%s', (revision) => {
//     test('R-SF-8 structured output where the revision has it', async () => {
//       const res = await send(requestIn(revision, 'tools/call', toolCall('add', { a: 2, b: 3 })))
//       ... has(revision, 'structuredContent') ...
//     })
//   })

import {
  LEGACY_REVISIONS,
  MODERN_REVISION,
  rules,
  type LegacyRevision,
  type Revision,
  type RevisionRules,
} from '../../src/protocol/revisions.ts'
import { SERVER_INFO } from '../../src/protocol/server-info.ts'
import { CLIENT_HEADERS, type RawRequest } from './wire.ts'

export const MODERN = MODERN_REVISION

/** The initialize-era revisions, oldest first. */
export const LEGACY: readonly LegacyRevision[] = [...LEGACY_REVISIONS].reverse()

/** Every revision we serve, oldest first: the table of `describe.each(REVISIONS)`. */
export const REVISIONS: readonly Revision[] = [...LEGACY, MODERN]

/** The rules a revision has or lacks (the boolean flags of `RevisionRules`). */
export type Rule = {
  [K in keyof RevisionRules]: RevisionRules[K] extends boolean ? K : never
}[keyof RevisionRules]

/** Whether `revision` has `rule`. */
export const has = (revision: Revision, rule: Rule): boolean => rules(revision)[rule]

/** The revisions (of `among`, oldest first) that have `rule`: `revisionsWith('sessions')`. */
export const revisionsWith = <R extends Revision>(
  rule: Rule,
  among: readonly R[] = REVISIONS as readonly R[],
): R[] => among.filter((revision) => has(revision, rule))

/** The HTTP status of a reply holding one error with `code`: 200 in the legacy era. */
export const statusIn = (revision: Revision, code: number): number => rules(revision).status(code)

export const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
}

/** What every 2026-07-28 result carries in `_meta`. */
export const SERVER_META = {
  'io.modelcontextprotocol/serverInfo': { name: 'bare-mcp', version: SERVER_INFO.version },
}

/** A legacy request for `method` in `version` (default 2025-11-25). */
export const legacyRequest = (
  method: string,
  params?: Record<string, unknown>,
  version = '2025-11-25',
  id: string | number = 1,
): RawRequest => ({
  headers: { ...CLIENT_HEADERS, 'mcp-protocol-version': version },
  body: JSON.stringify(
    params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params },
  ),
})

interface ModernOptions {
  id?: string | number
  meta?: Record<string, unknown>
  /** Header overrides; undefined removes one. */
  headers?: Record<string, string | undefined>
}

/** The methods whose `Mcp-Name` header mirrors `params.name` or `params.uri`. */
const NAMED = new Set(['tools/call', 'prompts/get', 'resources/read'])

/** A 2026-07-28 request: `_meta` claim, `Mcp-Method`, and `Mcp-Name` from params.name or .uri. */
export const modernRequest = (
  method: string,
  params: Record<string, unknown> = {},
  { id = 1, meta = MODERN_META, headers = {} }: ModernOptions = {},
): RawRequest => {
  const name = params.name ?? params.uri
  const merged: Record<string, string | undefined> = {
    ...CLIENT_HEADERS,
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
    // R-HT-36, R-HT-37: Mcp-Name mirrors the tool or prompt name, or the resource URI.
    ...(typeof name === 'string' && NAMED.has(method) ? { 'mcp-name': name } : {}),
    ...headers,
  }
  return {
    headers: Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } }),
  }
}

/**
 * A request for `method` as a client of `revision` sends it. `meta` (a progress token, say) goes
 * into `params._meta`, beside the 2026-07-28 claim in that revision.
 */
export const requestIn = (
  revision: Revision,
  method: string,
  params?: Record<string, unknown>,
  { id = 1, meta }: { id?: string | number; meta?: Record<string, unknown> } = {},
): RawRequest => {
  if (revision === MODERN) {
    return modernRequest(method, params, { id, meta: { ...MODERN_META, ...meta } })
  }
  const withMeta = meta === undefined ? params : { ...params, _meta: meta }
  return legacyRequest(method, withMeta, revision, id)
}

/** A JSON-RPC result and error, as the tables expect them. */
export const result = (value: unknown, id: string | number = 1) => ({
  jsonrpc: '2.0',
  id,
  result: value,
})
export const rpcError = (
  code: number,
  message: string,
  data?: unknown,
  id: string | number | null = 1,
) => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
})

/** The exact bytes of `rpcError(...)`, for tables that compare bodies byte for byte. */
export const rpcErrorBody = (
  code: number,
  message: string,
  data?: unknown,
  id: string | number | null = 1,
): string => JSON.stringify(rpcError(code, message, data, id))

/**
 * A result as `revision` frames it: 2026-07-28 adds `resultType` (R-JR-11) and the server's
 * identity (R-LC-26); cacheable results there also carry `ttlMs` and `cacheScope`, given in
 * `value` by the caller (R-SF-35).
 */
export const resultIn = (
  revision: Revision,
  value: Record<string, unknown>,
  id: string | number = 1,
) =>
  revision === MODERN
    ? result({ resultType: 'complete', ...value, _meta: SERVER_META }, id)
    : result(value, id)

/** The cache hints of a cacheable result where the revision has them (R-SF-35), else none. */
export const cacheHintsIn = (revision: Revision, ttlMs: number) =>
  has(revision, 'cacheHints') ? { ttlMs, cacheScope: 'public' } : {}

/** A tool error result (`isError`) with one text block, as `revision` frames it. */
export const toolError = (
  message: string,
  revision: Revision = '2025-11-25',
  id: string | number = 1,
) => resultIn(revision, { content: [{ type: 'text', text: message }], isError: true }, id)
