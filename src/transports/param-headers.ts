// `Mcp-Param-<Name>` headers (2026-07-28): arguments a tool marks with `x-mcp-header` travel in
// headers too, so a load balancer can route on them without reading the body. The server that
// reads the body checks that both say the same.
//
//   Mcp-Param-Region: us-west1          <->   "arguments": {"region": "us-west1", ...}
//
// R-HT-38 · https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#custom-headers-from-tool-parameters
// Value present in the body: the header MUST be there and match (after Base64 decoding; integers
// compared as numbers). Value null or absent: the header is not expected. Failures: 400, -32020.

import { headerMismatch as mismatch, type JSONRPCErrorObject } from '../jsonrpc/errors.ts'
import type { JSONRPCRequest } from '../jsonrpc/message.ts'
import type { HeaderView } from '../protocol/era.ts'
import { decodeHeaderValue } from '../http/header-value.ts'
import type { ToolSet } from '../tools/toolset.ts'

const matches = (header: string, body: unknown): boolean => {
  if (typeof body === 'string') return header === body
  if (typeof body === 'boolean') return header === String(body)
  if (typeof body === 'number') return header.trim() !== '' && Number(header) === body
  return false
}

/** The -32020 error for a `tools/call` whose `Mcp-Param-*` headers disagree with its body. */
export const checkParamHeaders = (
  request: JSONRPCRequest,
  headers: HeaderView,
  tools: ToolSet,
): JSONRPCErrorObject | null => {
  if (request.method !== 'tools/call') return null
  const name = request.params?.name
  const tool = typeof name === 'string' ? tools.get(name) : undefined
  if (tool === undefined || tool.headerParams.size === 0) return null
  const args = request.params?.arguments
  const values = typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {}
  for (const [argument, param] of tool.headerParams) {
    const body = values[argument]
    if (body === undefined || body === null) continue
    const raw = headers.get(`mcp-param-${param}`)
    if (raw === null) return mismatch(`Missing Mcp-Param-${param} header`)
    const decoded = decodeHeaderValue(raw)
    if (decoded === null) return mismatch(`Mcp-Param-${param} header has invalid characters`)
    if (!matches(decoded, body)) {
      return mismatch(
        `Header mismatch: Mcp-Param-${param} '${decoded}' does not match argument ${argument}`,
      )
    }
  }
  return null
}
