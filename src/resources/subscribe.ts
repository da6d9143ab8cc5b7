// `resources/subscribe` and `resources/unsubscribe` (initialize era, sessions only).
//
//   -> {"jsonrpc":"2.0","id":4,"method":"resources/subscribe",
//       "params":{"uri":"test://watched-resource"}}
//   <- {"jsonrpc":"2.0","id":4,"result":{}}
//   ... later, on the session's GET stream, each time the resource changes:
//   <- {"jsonrpc":"2.0","method":"notifications/resources/updated",
//       "params":{"uri":"test://watched-resource"}}
//
// The URIs are kept in the session row (`subscriptions`); while one is subscribed, the resource's
// `watch` runs in the session's shard and each change it reports becomes
// `notifications/resources/updated` on the session's standalone stream (the `/sse` stream for
// 2024-11-05 sessions). Without a session nothing could carry that notification, so a request
// without one is refused (R-SF-24). 2026-07-28 has no such methods: clients list
// `resourceSubscriptions` on `subscriptions/listen` instead (src/transports/subscriptions.ts).
//
// R-SF-24 · https://modelcontextprotocol.io/specification/2025-11-25/server/resources#subscriptions

import * as v from 'valibot'
import { invalidRequest, JsonRpcError } from '../jsonrpc/errors.ts'
import type { Params } from '../jsonrpc/message.ts'
import { parseParams } from '../protocol/params.ts'
import { ABSOLUTE_URI } from './define.ts'
import { MAX_URI_LENGTH, type ResourcesContext } from './read.ts'
import type { ResourceSet } from './resource-set.ts'

const SubscribeParamsSchema = v.looseObject({
  uri: v.pipe(
    v.string('must be a string'),
    v.maxLength(MAX_URI_LENGTH, `must be at most ${MAX_URI_LENGTH} characters`),
    v.regex(ABSOLUTE_URI, 'must be an absolute URI'),
  ),
})

/** Whether `uri` names one of our resources, or an expansion of one of our templates. */
export const exists = (resources: ResourceSet, uri: string): boolean =>
  resources.get(uri) !== undefined ||
  resources.templates.some((template) => template.match(uri) !== null)

/** The session a subscription belongs to; without one, the error that says why (R-SF-24). */
const sessionOf = (method: string, ctx: ResourcesContext) => {
  if (ctx.session !== null) return ctx.session
  // (Sessions off: `resources.subscribe` is not declared, and dispatch answers -32601.)
  throw new JsonRpcError(
    invalidRequest(
      `${method} needs a session: send the Mcp-Session-Id header that initialize returned ` +
        "(resource updates travel on the session's GET stream)",
    ),
  )
}

export const subscribe = (params: Params | undefined, ctx: ResourcesContext) => {
  const { uri } = parseParams('resources/subscribe', SubscribeParamsSchema, params)
  const session = sessionOf('resources/subscribe', ctx)
  // R-SF-24: a URI that names nothing is the read's not-found error, not a silent success.
  if (!exists(ctx.resources, uri)) {
    throw new JsonRpcError({
      code: ctx.rules.resourceNotFound,
      message: 'Resource not found',
      data: { uri },
    })
  }
  session.subscribe(uri, ctx.resources.get(uri)?.watch)
  return {}
}

export const unsubscribe = (params: Params | undefined, ctx: ResourcesContext) => {
  const { uri } = parseParams('resources/unsubscribe', SubscribeParamsSchema, params)
  // Unsubscribing from something not subscribed is already done: `{}` (idempotent).
  sessionOf('resources/unsubscribe', ctx).unsubscribe(uri)
  return {}
}
