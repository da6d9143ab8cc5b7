// `subscriptions/listen` (2026-07-28): a long-lived SSE stream of the change notifications the
// client asked for. It replaces the legacy GET stream and `resources/subscribe`.
//
//   -> {"jsonrpc":"2.0","id":1,"method":"subscriptions/listen",
//       "params":{"notifications":{"toolsListChanged":true},"_meta":{...}}}
//   <- event: message
//      data: {"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged",
//             "params":{"_meta":{"io.modelcontextprotocol/subscriptionId":1},"notifications":{}}}
//      : keep-alive      (every KEEPALIVE_MS, until the client closes the stream)
//   with "resourceSubscriptions":["test://watched-resource"], each change of that resource:
//   <- data: {"jsonrpc":"2.0","method":"notifications/resources/updated","params":{
//             "uri":"test://watched-resource",
//             "_meta":{"io.modelcontextprotocol/subscriptionId":1}}}
//   with "resourcesListChanged":true, on a server whose resource list changes (a resource
//   source, src/resources/source.ts), each change of the list:
//   <- data: {"jsonrpc":"2.0","method":"notifications/resources/list_changed",
//             "params":{"_meta":{"io.modelcontextprotocol/subscriptionId":1}}}
//
// R-SF-47 · https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/subscriptions
// The acknowledgement comes first and lists the subset we honour; every message carries the
// subscription id (the listen request's id); progress and log messages never go here.

import * as v from 'valibot'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { invalidParams } from '../jsonrpc/errors.ts'
import { describeIssues } from '../jsonrpc/issues.ts'
import { notification, type JSONRPCRequest } from '../jsonrpc/message.ts'
import { tooManyRpcRequests } from '../http/rate-limit.ts'
import { rpcError } from '../http/responses.ts'
import { SERVER_CAPABILITIES } from '../catalog/capabilities.ts'
import type { ResourceSet } from '../resources/resource-set.ts'
import { LIST_CHANGED, recentVersionOf, versionOf } from '../resources/source.ts'
import { exists } from '../resources/subscribe.ts'
import { META } from '../protocol/era.ts'
import { callerStreams } from './caller-streams.ts'
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
 * What we can deliver: a list-changed type only where the capability says the list changes
 * (tools and prompts are fixed at deploy time, `listChanged: false`; resources change where a
 * resource source lists them, R-SF-25), and `resourceSubscriptions` for the URIs that name a
 * resource or a template expansion of ours (R-SF-24, R-SF-47); a URI that names nothing is left
 * out of the acknowledgement.
 */
const honoured = (
  asked: v.InferOutput<typeof ListenParamsSchema>['notifications'],
  resources: ResourceSet,
) => {
  const granted: {
    toolsListChanged?: true
    resourcesListChanged?: true
    resourceSubscriptions?: string[]
  } = {}
  if (asked.toolsListChanged === true && SERVER_CAPABILITIES.tools.listChanged) {
    granted.toolsListChanged = true
  }
  if (asked.resourcesListChanged === true && resources.source !== undefined) {
    granted.resourcesListChanged = true
  }
  if (asked.resourceSubscriptions !== undefined) {
    granted.resourceSubscriptions = [...new Set(asked.resourceSubscriptions)].filter((uri) =>
      exists(resources, uri),
    )
  }
  return granted
}

/**
 * Opens the stream; it ends when the client closes it (or `closed` fires). While it is open,
 * each subscribed resource that can change is watched, and each change is sent as
 * `notifications/resources/updated` carrying the subscription id; with `resourcesListChanged`
 * granted, the resource source's version is polled every LIST_CHANGED_POLL_MS in this isolate
 * and each move is sent as `notifications/resources/list_changed` (R-SF-25).
 */
/** Listen streams open in this isolate, per caller (MAX_STREAMS_PER_CALLER). */
const listening = callerStreams()

export const listen = async (
  request: JSONRPCRequest,
  closed: AbortSignal,
  config: Config,
  env: Env,
  resources: ResourceSet,
  caller: string | null,
): Promise<Response> => {
  // A caller holds at most MAX_STREAMS_PER_CALLER listen streams in one isolate; at the cap,
  // its streams are probed first, and those whose client has gone stop counting (BM-LIMIT-9).
  if (!(await listening.admits(caller, config.MAX_STREAMS_PER_CALLER))) {
    return tooManyRpcRequests(
      10,
      request.id,
      `You hold ${config.MAX_STREAMS_PER_CALLER} open streams, the most one caller may (MAX_STREAMS_PER_CALLER): close one first`,
    )
  }
  const parsed = v.safeParse(ListenParamsSchema, request.params ?? {})
  if (!parsed.success) {
    return rpcError(
      400,
      invalidParams(`subscriptions/listen: ${describeIssues(parsed.issues, 'params')}`),
      request.id,
    )
  }
  const granted = honoured(parsed.output.notifications, resources)
  const source = granted.resourcesListChanged === true ? resources.source : undefined
  // The version the client's view starts from, read before the acknowledgement: a change the
  // client could not have seen in a list it fetched before listening is announced.
  const context = { env, config }
  let seen = source === undefined ? null : await versionOf(source, context)
  const stream = openSseStream(config)
  const _meta = { [META.subscriptionId]: request.id }
  const acknowledged = notification('notifications/subscriptions/acknowledged', {
    _meta,
    notifications: granted,
  })
  void stream.send({ event: 'message', data: JSON.stringify(acknowledged) })
  const watching = new AbortController()
  const uncount = caller === null ? () => {} : listening.add(caller, stream)
  const end = () => {
    if (watching.signal.aborted) return
    watching.abort()
    uncount()
    void stream.close()
  }
  closed.addEventListener('abort', end, { once: true })
  stream.closed.addEventListener('abort', end, { once: true })
  if (source !== undefined) {
    let polling = false
    const timer = setInterval(async () => {
      if (polling) return
      polling = true
      // One read per interval in this isolate, however many streams listen (R-SF-25).
      const now = await recentVersionOf(source, context, config.LIST_CHANGED_POLL_MS / 2)
      polling = false
      if (now === null || watching.signal.aborted) return
      if (seen !== null && now !== seen) {
        const changed = notification(LIST_CHANGED, { _meta })
        void stream.send({ event: 'message', data: JSON.stringify(changed) })
      }
      seen = now
    }, config.LIST_CHANGED_POLL_MS)
    watching.signal.addEventListener('abort', () => clearInterval(timer), { once: true })
  }
  for (const uri of granted.resourceSubscriptions ?? []) {
    resources.get(uri)?.watch(() => {
      const updated = notification('notifications/resources/updated', { uri, _meta })
      void stream.send({ event: 'message', data: JSON.stringify(updated) })
    }, watching.signal)
  }
  return new Response(stream.readable, { status: 200, headers: sseHeaders() })
}
