// Dispatch: from a parsed JSON-RPC message to the method that answers it.
//
// A request gets exactly one response with its id (R-JR-5): the handler's result, or an error.
// A notification gets nothing back, ever (R-JR-9). Dispatch knows methods, never HTTP, so the
// same function serves a stateless POST in the Worker and (later) a session's shard.

import { internalError, JsonRpcError, methodNotFound } from '../jsonrpc/errors.ts'
import {
  errorResponse,
  resultResponse,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type Params,
} from '../jsonrpc/message.ts'
import { callTool } from '../tools/call.ts'
import { listTools } from '../tools/list.ts'
import { Cancelled, type RequestContext } from './context.ts'
import { initialize, ping } from './lifecycle.ts'
import { setLevel } from './logging.ts'

type Handler = (
  params: Params | undefined,
  ctx: RequestContext,
) => Record<string, unknown> | Promise<Record<string, unknown>>

/** Every request method we serve. A Map, so `constructor` or `__proto__` are just unknown. */
const METHODS = new Map<string, Handler>([
  ['initialize', initialize],
  ['ping', ping],
  ['tools/list', listTools],
  ['tools/call', callTool],
  ['logging/setLevel', setLevel],
])

/** Whether `method` is a request method we serve. */
export const isKnownMethod = (method: string): boolean => METHODS.has(method)

/**
 * Answers one request. Resolves to null when the request was cancelled (no response is sent).
 * Never rejects: a handler's unexpected throw becomes -32603 with the details logged here only.
 */
export const dispatch = async (
  request: JSONRPCRequest,
  ctx: RequestContext,
): Promise<JSONRPCResponse | null> => {
  const handler = METHODS.get(request.method)
  if (handler === undefined) return errorResponse(request.id, methodNotFound(request.method))
  try {
    return resultResponse(request.id, await handler(request.params, ctx))
  } catch (error) {
    if (error instanceof JsonRpcError) return errorResponse(request.id, error.error)
    if (error instanceof Cancelled) return null
    console.error(`${request.method} failed`, error)
    return errorResponse(request.id, internalError())
  }
}

/**
 * Receives a notification. `notifications/initialized`, `notifications/cancelled` and
 * `notifications/roots/list_changed` need no action without a session; unknown ones are ignored,
 * as JSON-RPC requires of notifications.
 */
export const receive = (_notification: JSONRPCNotification, _ctx: RequestContext): void => {}
