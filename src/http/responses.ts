// The HTTP responses bare-mcp sends that are not a streamed reply: JSON bodies, JSON-RPC error
// bodies with their status, 202, 204, 405 and 404. Every refusal carries a JSON body, never an
// empty page or a stack trace.

import { errorResponse, type RequestId } from '../jsonrpc/message.ts'
import type { JSONRPCErrorObject } from '../jsonrpc/errors.ts'
import { cut } from '../jsonrpc/issues.ts'

const JSON_TYPE = 'application/json'
const JSON_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': JSON_TYPE }

/** A JSON response. */
export const json = (body: unknown, status = 200, headers?: Headers): Response => {
  if (headers === undefined) {
    return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS })
  }
  headers.set('Content-Type', JSON_TYPE)
  return new Response(JSON.stringify(body), { status, headers })
}

/** `{error, message}` with a status: how the admin APIs (knowledge base, API keys) refuse. */
export const failure = (
  status: number,
  error: string,
  message: string,
  headers?: Headers,
): Response => json({ error, message }, status, headers)

/** A JSON-RPC error response with its HTTP status; `id` is null when it could not be read. */
export const rpcError = (
  status: number,
  error: JSONRPCErrorObject,
  id: RequestId | null = null,
  headers?: Headers,
): Response => json(errorResponse(id, error), status, headers)

/**
 * R-HT-6 · https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#sending-messages-to-the-server
 * A body of only notifications or responses that the server accepts gets 202 Accepted, no body.
 */
export const accepted = (headers?: Headers): Response =>
  new Response(null, headers === undefined ? { status: 202 } : { status: 202, headers })

/** 405 with the `Allow` header RFC 9110 §15.5.6 requires. */
export const methodNotAllowed = (allow: string, headers = new Headers()): Response => {
  headers.set('Allow', allow)
  return json(
    { error: 'method_not_allowed', message: `This endpoint accepts ${allow}` },
    405,
    headers,
  )
}

/**
 * 404 for a path we do not serve, naming it (cut to 64 characters, BM-ECHO-1). Deliberately
 * not a JSON-RPC body: a 2026-07-28 client reads a JSON-RPC error on 404 as "modern server,
 * unknown method" (R-HT-41), which a wrong path is not.
 */
export const notFound = (path: string, mcpPath: string): Response =>
  json(
    { error: 'not_found', message: `Nothing at ${cut(path)}; the MCP endpoint is ${mcpPath}` },
    404,
  )
