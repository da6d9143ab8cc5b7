// Dispatch: from a parsed JSON-RPC request to the method that answers it.
//
// A request gets exactly one response with its id (R-JR-5): the handler's result, or an error.
// Which methods exist is the revision's business (src/protocol/revisions.ts `methods`); what
// answers each is handed in as a method table (src/catalog/methods.ts wires the features in), so
// the protocol layer knows no feature. Dispatch knows methods, never HTTP: the same function
// serves a stateless POST in the Worker and a session's POST in its shard.
//
//   dispatch({"jsonrpc":"2.0","id":1,"method":"tools/lsit"}, ctx, methods)
//     -> {"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found: tools/lsit"}}

import { internalError, JsonRpcError, methodNotFound } from '../jsonrpc/errors.ts'
import {
  errorResponse,
  resultResponse,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type Params,
} from '../jsonrpc/message.ts'
import type { RequestContext } from './context.ts'
import { Cancelled } from './errors.ts'
import { shapeResult } from './results.ts'

/** Answers one method: its result, or a thrown `JsonRpcError`. */
export type Handler<C extends RequestContext = RequestContext> = (
  params: Params | undefined,
  ctx: C,
) => Record<string, unknown> | Promise<Record<string, unknown>>

/** The server capability (and the flag in it) each feature method needs; the rest need none. */
const CAPABILITY_OF = new Map<string, readonly [capability: string, flag?: string]>([
  ['tools/list', ['tools']],
  ['tools/call', ['tools']],
  ['resources/list', ['resources']],
  ['resources/templates/list', ['resources']],
  ['resources/read', ['resources']],
  ['resources/subscribe', ['resources', 'subscribe']],
  ['resources/unsubscribe', ['resources', 'subscribe']],
  ['prompts/list', ['prompts']],
  ['prompts/get', ['prompts']],
  ['completion/complete', ['completions']],
  ['logging/setLevel', ['logging']],
])

/**
 * R-JR-12, R-SF-33 · schema `MethodNotFoundError`: a method behind a server capability this
 * request was not declared (R-LC-7: `ctx.capabilities`) is not offered, and is answered -32601
 * like an unknown one. The reason why, or null when the method is offered.
 */
const undeclared = (method: string, capabilities: Record<string, unknown>): string | null => {
  const needs = CAPABILITY_OF.get(method)
  if (needs === undefined) return null
  const [capability, flag] = needs
  const declared = capabilities[capability] as Record<string, unknown> | undefined
  if (declared === undefined) return `This server does not declare the ${capability} capability`
  if (flag !== undefined && declared[flag] !== true) {
    return `This server does not declare ${capability}.${flag}`
  }
  return null
}

/** Method name -> handler. A Map, so `constructor` is just an unknown method. */
export type Methods<C extends RequestContext = RequestContext> = ReadonlyMap<string, Handler<C>>

/**
 * Answers one request. Resolves to null when the request was cancelled (no response is sent).
 * Never rejects: a handler's unexpected throw becomes -32603 with the details logged here only.
 */
export const dispatch = async <C extends RequestContext>(
  request: JSONRPCRequest,
  ctx: C,
  methods: Methods<C>,
): Promise<JSONRPCResponse | null> => {
  // R-JR-12, R-LC-27: a method this revision lacks, or that nothing here answers, is -32601.
  const handler = ctx.rules.methods.has(request.method) ? methods.get(request.method) : undefined
  if (handler === undefined) return errorResponse(request.id, methodNotFound(request.method))
  const reason = undeclared(request.method, ctx.capabilities)
  if (reason !== null) return errorResponse(request.id, methodNotFound(request.method, reason))
  try {
    const result = await handler(request.params, ctx)
    return resultResponse(request.id, shapeResult(request.method, result, ctx))
  } catch (error) {
    if (error instanceof JsonRpcError) return errorResponse(request.id, error.error)
    if (error instanceof Cancelled) return null
    console.error(`${request.method} failed`, error)
    return errorResponse(request.id, internalError())
  }
}
