// Raw requests in either era, for tables that run the same case through both: legacy by the
// `MCP-Protocol-Version` header, 2026-07-28 by the `_meta` claim plus its headers.

import { SERVER_INFO } from '../../src/protocol/server-info.ts'
import { CLIENT_HEADERS, type RawRequest } from './wire.ts'

export const MODERN = '2026-07-28'

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
  id: string | number = 1,
) => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
})
