// Dispatch: from a parsed JSON-RPC message to the method that answers it.
//
// A request gets exactly one response with its id (R-JR-5): the handler's result, or an error.
// A notification gets nothing back, ever (R-JR-9). Dispatch knows methods, never HTTP, so the
// same function serves a stateless POST in the Worker and a session's POST in its shard.

import { internalError, JsonRpcError, methodNotFound } from '../jsonrpc/errors.ts'
import {
  errorResponse,
  resultResponse,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type Params,
} from '../jsonrpc/message.ts'
import { getPrompt } from '../prompts/get.ts'
import { listPrompts } from '../prompts/list.ts'
import { listResources, listResourceTemplates } from '../resources/list.ts'
import { readResource } from '../resources/read.ts'
import { subscribe, unsubscribe } from '../resources/subscribe.ts'
import { callTool } from '../tools/call.ts'
import { listTools } from '../tools/list.ts'
import { complete } from './completion.ts'
import { Cancelled, type RequestContext } from './context.ts'
import { initialize, ping, undeclared } from './lifecycle.ts'
import { discover } from './discover.ts'
import { setLevel } from './logging.ts'
import { modernResult } from './results.ts'
import { rules } from './revisions.ts'

type Handler = (
  params: Params | undefined,
  ctx: RequestContext,
) => Record<string, unknown> | Promise<Record<string, unknown>>

/** The request methods of the initialize era. A Map, so `constructor` is just unknown. */
const LEGACY = new Map<string, Handler>([
  ['initialize', initialize],
  ['ping', ping],
  ['tools/list', listTools],
  ['tools/call', callTool],
  ['resources/list', listResources],
  ['resources/templates/list', listResourceTemplates],
  ['resources/read', readResource],
  ['resources/subscribe', subscribe],
  ['resources/unsubscribe', unsubscribe],
  ['prompts/list', listPrompts],
  ['prompts/get', getPrompt],
  ['completion/complete', complete],
  ['logging/setLevel', setLevel],
])

/**
 * The request methods of 2026-07-28 (R-LC-27: no initialize, ping, logging/setLevel,
 * resources/subscribe or unsubscribe). Their results are shaped by `modernResult`.
 * `subscriptions/listen` answers with a stream, not a result, so the transport serves it
 * (src/transports/subscriptions.ts).
 */
const MODERN = new Map<string, Handler>([
  ['server/discover', discover],
  ['tools/list', listTools],
  ['tools/call', callTool],
  ['resources/list', listResources],
  ['resources/templates/list', listResourceTemplates],
  ['resources/read', readResource],
  ['prompts/list', listPrompts],
  ['prompts/get', getPrompt],
  ['completion/complete', complete],
])
export const LISTEN = 'subscriptions/listen'

/** Whether `method` exists in 2026-07-28 (else 404 with -32601, R-HT-35). */
export const isModernMethod = (method: string): boolean => MODERN.has(method) || method === LISTEN

/**
 * Answers one request. Resolves to null when the request was cancelled (no response is sent).
 * Never rejects: a handler's unexpected throw becomes -32603 with the details logged here only.
 */
export const dispatch = async (
  request: JSONRPCRequest,
  ctx: RequestContext,
): Promise<JSONRPCResponse | null> => {
  const modern = rules(ctx.revision).era === 'modern'
  const handler = (modern ? MODERN : LEGACY).get(request.method)
  if (handler === undefined) return errorResponse(request.id, methodNotFound(request.method))
  // R-JR-12: a method of a capability this server does not declare is not offered either.
  const reason = undeclared(request.method, ctx)
  if (reason !== null) return errorResponse(request.id, methodNotFound(request.method, reason))
  try {
    const result = await handler(request.params, ctx)
    return resultResponse(
      request.id,
      modern ? modernResult(request.method, result, ctx.config) : result,
    )
  } catch (error) {
    if (error instanceof JsonRpcError) return errorResponse(request.id, error.error)
    if (error instanceof Cancelled) return null
    console.error(`${request.method} failed`, error)
    return errorResponse(request.id, internalError())
  }
}
