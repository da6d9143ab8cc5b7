// The HTTP status of a reply that carries one JSON-RPC error, by era. One table, one test.
//
// Legacy (2025-03-26 .. 2025-11-25): a request that reached dispatch is answered 200 whatever
// its outcome; only transport-level refusals (malformed JSON, bad message) are 4xx.
// 2026-07-28: the status mirrors the error, so intermediaries and dual-era clients can tell
// (R-HT-34, R-HT-35, R-LC-21, R-LC-25).

import { ErrorCode } from '../jsonrpc/errors.ts'

const MODERN = new Map<number, number>([
  [ErrorCode.ParseError, 400],
  [ErrorCode.InvalidRequest, 400],
  [ErrorCode.MethodNotFound, 404],
  [ErrorCode.InvalidParams, 400],
  [ErrorCode.InternalError, 500],
  [ErrorCode.HeaderMismatch, 400],
  [ErrorCode.MissingRequiredClientCapability, 400],
  [ErrorCode.UnsupportedProtocolVersion, 400],
])

/** The status for a JSON reply holding one error response with `code`. */
export const statusFor = (code: number, era: 'legacy' | 'modern'): number =>
  era === 'modern' ? (MODERN.get(code) ?? 400) : 200
