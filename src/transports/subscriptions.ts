// `subscriptions/listen` (2026-07-28): a long-lived SSE stream of the change notifications the
// client asked for. It replaces the legacy GET stream and `resources/subscribe`.
//
//   -> {"jsonrpc":"2.0","id":1,"method":"subscriptions/listen",
//       "params":{"notifications":{"toolsListChanged":true},"_meta":{...}}}
//   <- event: message
//      data: {"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged",
//             "params":{"_meta":{"io.modelcontextprotocol/subscriptionId":1},"notifications":{}}}
//      : keep-alive      (every KEEPALIVE_MS, until the client closes the stream)
//
// R-SF-47 · https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/subscriptions
// The acknowledgement comes first and lists the subset we honour; every message carries the
// subscription id (the listen request's id); progress and log messages never go here.

import * as v from 'valibot'
import type { Config } from '../config.ts'
import { invalidParams } from '../jsonrpc/errors.ts'
import { describeIssues } from '../jsonrpc/issues.ts'
import { notification, type JSONRPCRequest } from '../jsonrpc/message.ts'
import { rpcError } from '../http/responses.ts'
import { SERVER_CAPABILITIES } from '../protocol/lifecycle.ts'
import { META } from './era.ts'
import { openSseStream, sseHeaders } from './sse.ts'

const ListenParamsSchema = v.looseObject({
  notifications: v.optional(
    v.looseObject({
      toolsListChanged: v.optional(v.boolean('must be a boolean')),
      promptsListChanged: v.optional(v.boolean('must be a boolean')),
      resourcesListChanged: v.optional(v.boolean('must be a boolean')),
      resourceSubscriptions: v.optional(v.array(v.string(), 'must be an array of URIs')),
    }),
    {},
  ),
})

/**
 * What we can deliver: a list-changed type only where the capability says the list changes.
 * Our tool list is fixed at deploy time (`tools.listChanged: false`), so today nothing is
 * honoured and the stream carries only its acknowledgement and keep-alives.
 */
const honoured = (asked: v.InferOutput<typeof ListenParamsSchema>['notifications']) => {
  const granted: Record<string, unknown> = {}
  if (asked.toolsListChanged === true && SERVER_CAPABILITIES.tools.listChanged) {
    granted.toolsListChanged = true
  }
  return granted
}

/** Opens the stream; it ends when the client closes it (or `closed` fires). */
export const listen = (request: JSONRPCRequest, closed: AbortSignal, config: Config): Response => {
  const parsed = v.safeParse(ListenParamsSchema, request.params ?? {})
  if (!parsed.success) {
    return rpcError(
      400,
      invalidParams(`subscriptions/listen: ${describeIssues(parsed.issues, 'params')}`),
      request.id,
    )
  }
  const stream = openSseStream(config.KEEPALIVE_MS)
  const acknowledged = notification('notifications/subscriptions/acknowledged', {
    _meta: { [META.subscriptionId]: request.id },
    notifications: honoured(parsed.output.notifications),
  })
  void stream.send({ event: 'message', data: JSON.stringify(acknowledged) })
  const end = () => void stream.close()
  closed.addEventListener('abort', end, { once: true })
  stream.closed.addEventListener('abort', end, { once: true })
  return new Response(stream.readable, { status: 200, headers: sseHeaders() })
}
