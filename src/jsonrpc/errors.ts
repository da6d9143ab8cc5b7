// JSON-RPC 2.0 error objects and the codes MCP uses.
//
// An error response carries `{code, message, data?}`. The codes below are the JSON-RPC 2.0
// standard set plus the ones MCP defines itself. One table, so a reader sees every code we can
// emit in one place:
//
//   {"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found: tools/lsit"}}
//
// https://www.jsonrpc.org/specification#error_object
// https://modelcontextprotocol.io/specification/2025-11-25/basic#responses

import { cut } from './issues.ts'

/** Every error code bare-mcp emits (R-JR-12 .. R-JR-16). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Legacy resource-not-found (2024-11-05 .. 2025-11-25). */
  ResourceNotFound: -32002,
  /** 2025-11-25 only: the user must visit URL-mode elicitations first (never in 2026-07-28). */
  UrlElicitationRequired: -32042,
  /** 2026-07-28: a header disagrees with the body, or a required header is missing. */
  HeaderMismatch: -32020,
  /** 2026-07-28: the request lacks a client capability the server needs. */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28 (used for every revision): the protocol version is not one we serve. */
  UnsupportedProtocolVersion: -32022,
  /**
   * bare-mcp's own: the caller is over a rate limit or a cap (HTTP 429 with Retry-After). MCP
   * defines no code for it, and R-JR-16 keeps application codes out of -32768..-32000, so it
   * sits just outside; 429 echoes the status.
   */
  RateLimited: -31429,
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** The `error` member of a JSON-RPC error response. */
export interface JSONRPCErrorObject {
  code: number
  message: string
  data?: unknown
}

const error = (code: ErrorCode, message: string, data?: unknown): JSONRPCErrorObject =>
  data === undefined ? { code, message } : { code, message, data }

export const parseError = (message: string): JSONRPCErrorObject =>
  error(ErrorCode.ParseError, message)
export const invalidRequest = (message: string, data?: unknown): JSONRPCErrorObject =>
  error(ErrorCode.InvalidRequest, message, data)
/**
 * Names the method, cut to 100 characters so a hostile name is not echoed whole; `reason` (as
 * `data.reason`) says why a method that exists elsewhere is not offered here.
 */
export const methodNotFound = (method: string, reason?: string): JSONRPCErrorObject =>
  error(
    ErrorCode.MethodNotFound,
    `Method not found: ${method.length > 100 ? `${method.slice(0, 100)}…` : method}`,
    reason === undefined ? undefined : { reason },
  )
export const invalidParams = (message: string, data?: unknown): JSONRPCErrorObject =>
  error(ErrorCode.InvalidParams, message, data)
/** Internal errors never carry details: those go to the server log only. */
export const internalError = (): JSONRPCErrorObject =>
  error(ErrorCode.InternalError, 'Internal error')
/** 2026-07-28: a header disagrees with the body, or a required header is missing (-32020). */
export const headerMismatch = (message: string): JSONRPCErrorObject =>
  error(ErrorCode.HeaderMismatch, message)
/** Names the version asked for, cut to ECHO characters (BM-ECHO-1): it may be a whole body. */
export const unsupportedProtocolVersion = (
  requested: string,
  supported: readonly string[],
): JSONRPCErrorObject =>
  error(ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version: ${cut(requested)}`, {
    supported,
    requested: cut(requested),
  })

/** Over a rate limit: says when to retry, in seconds, also as `data.retryAfter`. */
export const rateLimited = (
  retryAfter: number,
  message = `Rate limit exceeded: retry after ${retryAfter} s`,
): JSONRPCErrorObject => error(ErrorCode.RateLimited, message, { retryAfter })

/**
 * Thrown by method handlers when a request is wrong in a way the client should hear about.
 * Dispatch turns it into a JSON-RPC error response; any other throw becomes -32603.
 */
export class JsonRpcError extends Error {
  readonly error: JSONRPCErrorObject
  constructor(error: JSONRPCErrorObject) {
    super(error.message)
    this.error = error
  }
}
