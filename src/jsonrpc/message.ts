// JSON-RPC 2.0 messages: what may arrive in a POST body, parsed into typed values.
//
// Four kinds exist, told apart by their members:
//
//   request       {"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}
//   notification  {"jsonrpc":"2.0","method":"notifications/initialized"}
//   result        {"jsonrpc":"2.0","id":7,"result":{}}
//   error         {"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"..."}}
//
// Parsing never throws: bad input is ordinary input that becomes a JSON-RPC error, carrying the
// request id whenever it could be read.
//
// https://www.jsonrpc.org/specification
// https://modelcontextprotocol.io/specification/2025-11-25/basic#messages

import * as v from 'valibot'
import { invalidRequest, parseError, type JSONRPCErrorObject } from './errors.ts'
import { nestsDeeperThan } from './depth.ts'
import { describeIssues } from './issues.ts'

export const JSONRPC_VERSION = '2.0'

/**
 * R-JR-3 · https://modelcontextprotocol.io/specification/2025-11-25/basic#requests
 * A request id is a string or an integer; null is not allowed (stricter than JSON-RPC).
 */
const ID_RULE = 'must be a string or an integer'
const RequestIdSchema = v.union(
  [v.string(), v.pipe(v.number(), v.integer(ID_RULE), v.safeInteger(ID_RULE))],
  ID_RULE,
)
export type RequestId = v.InferOutput<typeof RequestIdSchema>

/** MCP params are always an object (never a positional array). */
/** A JSON object (not an array, not null), its members left for later schemas to check. */
export const ObjectSchema = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'must be an object',
)
const ParamsSchema = ObjectSchema
export type Params = v.InferOutput<typeof ParamsSchema>

const JsonRpcVersionSchema = v.literal(JSONRPC_VERSION, 'must be exactly "2.0"')
const MethodSchema = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'))

const JSONRPCRequestSchema = v.object({
  jsonrpc: JsonRpcVersionSchema,
  id: RequestIdSchema,
  method: MethodSchema,
  params: v.optional(ParamsSchema),
})
const JSONRPCNotificationSchema = v.object({
  jsonrpc: JsonRpcVersionSchema,
  method: MethodSchema,
  params: v.optional(ParamsSchema),
})
const JSONRPCResultResponseSchema = v.object({
  jsonrpc: JsonRpcVersionSchema,
  id: RequestIdSchema,
  result: ObjectSchema,
})
const JSONRPCErrorResponseSchema = v.object({
  jsonrpc: JsonRpcVersionSchema,
  id: v.nullable(RequestIdSchema),
  error: v.object(
    {
      code: v.pipe(v.number('must be an integer'), v.integer('must be an integer')),
      message: v.string('must be a string'),
      data: v.optional(v.unknown()),
    },
    'must be an object',
  ),
})

export type JSONRPCRequest = v.InferOutput<typeof JSONRPCRequestSchema>
export type JSONRPCNotification = v.InferOutput<typeof JSONRPCNotificationSchema>
export type JSONRPCResultResponse = v.InferOutput<typeof JSONRPCResultResponseSchema>
export interface JSONRPCErrorResponse {
  jsonrpc: typeof JSONRPC_VERSION
  id: RequestId | null
  error: JSONRPCErrorObject
}
export type JSONRPCResponse = JSONRPCResultResponse | JSONRPCErrorResponse

/** What a server sends on a response stream besides the response itself: notifications, and
 *  (legacy sessions only) its own requests to the client. */
export type Outbound = JSONRPCNotification | JSONRPCRequest

export type JSONRPCMessage =
  | { kind: 'request'; message: JSONRPCRequest }
  | { kind: 'notification'; message: JSONRPCNotification }
  | {
      kind: 'response'
      message: JSONRPCResultResponse | v.InferOutput<typeof JSONRPCErrorResponseSchema>
    }

/** The outcome of parsing one message: the message, or the error to answer with. */
export type Parsed<T> =
  { ok: true; value: T } | { ok: false; error: JSONRPCErrorObject; id: RequestId | null }

/** The id an error about `message` names (R-JR-8): a request's id, the id salvaged from one
 *  that failed to parse, else null (a notification or response has none to name). */
export const idOf = (message: Parsed<JSONRPCMessage> | undefined): RequestId | null => {
  if (message === undefined) return null
  if (!message.ok) return message.id
  return message.value.kind === 'request' ? message.value.message.id : null
}

/** What a POST body holds: one message, or (2025-03-26 only) a batch of them. */
export type ParsedBody =
  | { ok: true; batch: false; message: Parsed<JSONRPCMessage> }
  | { ok: true; batch: true; messages: Parsed<JSONRPCMessage>[] }
  | { ok: false; error: JSONRPCErrorObject }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The id of a message if it can be read as a valid id, else null (R-JR-8). */
const readableId = (value: Record<string, unknown>): RequestId | null => {
  const id = v.safeParse(RequestIdSchema, value.id)
  return id.success ? id.output : null
}

const check = <T>(
  schema: v.GenericSchema<unknown, T>,
  value: Record<string, unknown>,
): Parsed<T> => {
  const result = v.safeParse(schema, value)
  if (result.success) return { ok: true, value: result.output }
  return { ok: false, error: invalidRequest(describeIssues(result.issues)), id: readableId(value) }
}

/** Parses one already-decoded JSON value as a JSON-RPC message. */
export const parseMessage = (value: unknown): Parsed<JSONRPCMessage> => {
  if (!isObject(value)) {
    return { ok: false, error: invalidRequest('A JSON-RPC message must be an object'), id: null }
  }
  if ('method' in value) {
    // R-JR-3: `"id": null` is not a notification; it is a request with a forbidden id.
    if ('id' in value) {
      if (value.id === null) {
        return {
          ok: false,
          error: invalidRequest('"id" must be a string or an integer, not null'),
          id: null,
        }
      }
      const parsed = check(JSONRPCRequestSchema, value)
      return parsed.ok ? { ok: true, value: { kind: 'request', message: parsed.value } } : parsed
    }
    const parsed = check(JSONRPCNotificationSchema, value)
    return parsed.ok ? { ok: true, value: { kind: 'notification', message: parsed.value } } : parsed
  }
  if ('result' in value || 'error' in value) {
    if ('result' in value && 'error' in value) {
      // R-JR-6: a response has exactly one of result and error.
      return {
        ok: false,
        error: invalidRequest('A response must not have both "result" and "error"'),
        id: readableId(value),
      }
    }
    const parsed =
      'result' in value
        ? check(JSONRPCResultResponseSchema, value)
        : check(JSONRPCErrorResponseSchema, value)
    return parsed.ok ? { ok: true, value: { kind: 'response', message: parsed.value } } : parsed
  }
  return {
    ok: false,
    error: invalidRequest(
      'A JSON-RPC message needs "method" (request) or "result"/"error" (response)',
    ),
    id: readableId(value),
  }
}

/** What a body may hold: the longest batch, and the deepest nesting (see depth.ts). */
export interface BodyLimits {
  maxBatch: number
  maxDepth: number
}

/**
 * Decodes a POST body. Malformed JSON is a parse error (-32700, id null); an empty array is an
 * invalid request, as JSON-RPC 2.0 says; any other array is a batch whose members are parsed
 * one by one, so one bad member does not spoil the others. A batch longer than
 * `limits.maxBatch`, or a body nesting deeper than `limits.maxDepth`, is one -32600 naming the
 * limit: what a request may cost is bounded before any member runs.
 */
export const parseBody = (text: string, limits: BodyLimits): ParsedBody => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, error: parseError('Parse error: the body is not valid JSON') }
  }
  if (nestsDeeperThan(value, limits.maxDepth)) {
    return {
      ok: false,
      error: invalidRequest(
        `The body nests deeper than ${limits.maxDepth} levels (MAX_JSON_DEPTH)`,
      ),
    }
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return { ok: false, error: invalidRequest('A batch must not be empty') }
    }
    if (value.length > limits.maxBatch) {
      return {
        ok: false,
        error: invalidRequest(
          `A batch may hold at most ${limits.maxBatch} messages (MAX_BATCH); this one holds ${value.length}`,
        ),
      }
    }
    return { ok: true, batch: true, messages: value.map(parseMessage) }
  }
  return { ok: true, batch: false, message: parseMessage(value) }
}

/** A result response (R-JR-5: same id as the request). */
export const resultResponse = (
  id: RequestId,
  result: Record<string, unknown>,
): JSONRPCResultResponse => ({
  jsonrpc: JSONRPC_VERSION,
  id,
  result,
})

/** An error response; `id` is null only when the request id could not be read (R-JR-8). */
export const errorResponse = (
  id: RequestId | null,
  error: JSONRPCErrorObject,
): JSONRPCErrorResponse => ({
  jsonrpc: JSONRPC_VERSION,
  id,
  error,
})

/** A notification from server to client; without `params`, the member is left out. */
export const notification = (
  method: string,
  params?: Record<string, unknown>,
): JSONRPCNotification =>
  params === undefined
    ? { jsonrpc: JSONRPC_VERSION, method }
    : { jsonrpc: JSONRPC_VERSION, method, params }
