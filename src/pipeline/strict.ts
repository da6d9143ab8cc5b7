// Strict mode as a pipeline stage (src/strict/ holds the rules and checks): whether a request is
// strict (`STRICT=true`, or the `/mcp/strict` endpoint), the refusal of one that broke a rule
// (400, naming and quoting it), and the `Mcp-Strict-Warnings` header on one that is served with
// warnings. Lenient requests (the default) pass none of this.
//
//   POST /mcp/strict                            HTTP/1.1 400
//   Accept: application/json                    {"jsonrpc":"2.0","id":1,"error":{"code":-32600,
//   {"jsonrpc":"2.0","id":1,"method":"ping"}       "message":"R-HT-4 (strict): Accept is ...",
//                                                  "data":{"strict":true,"rule":"R-HT-4",...}}}

import type { Config } from '../settings/config.ts'
import { rpcError } from '../http/responses.ts'
import type { RequestId } from '../jsonrpc/message.ts'
import type { Era } from '../protocol/era.ts'
import {
  refuses,
  strictError,
  warningsHeader,
  WARNING_HEADER,
  type Finding,
} from '../strict/rules.ts'
import type { StrictFacts } from '../strict/session.ts'

/** The endpoint that is strict whatever STRICT says: `<MCP_PATH>/strict`. */
export const isStrictPath = (path: string, config: Config): boolean => {
  const root = config.MCP_PATH.replace(/\/$/, '')
  return path === `${root}/strict` || path === `${root}/strict/`
}

/** The strict facts of a request (null: lenient, the default). */
export const strictFacts = (request: Request, path: string, config: Config): StrictFacts | null =>
  config.STRICT || isStrictPath(path, config)
    ? { versionHeader: request.headers.get('mcp-protocol-version') }
    : null

/** The refusal for the first finding that refuses, if any. */
export const strictRefusal = (
  findings: readonly Finding[],
  id: RequestId | null,
): Response | null => {
  const first = findings.find(refuses)
  return first === undefined ? null : rpcError(400, strictError(first), id)
}

/** An era refusal, naming the client's rule it broke where it names one. */
export const eraRefusal = (era: Era & { ok: false }, strict: boolean): Response => {
  if (!strict || era.rule === undefined) return rpcError(era.status, era.error, era.id)
  const detail = era.error.message.replace(/\.$/, '')
  const error = strictError({ rule: era.rule, detail })
  return rpcError(era.status, { ...error, code: era.error.code }, era.id)
}

/** `response` with the warnings of `findings` in its headers (itself when there are none). */
export const withWarnings = (response: Response, findings: readonly Finding[]): Response => {
  const value = warningsHeader(findings)
  if (value === null) return response
  const previous = response.headers.get(WARNING_HEADER)
  const answer = new Response(response.body, response)
  answer.headers.set(WARNING_HEADER, previous === null ? value : `${previous}, ${value}`)
  return answer
}
