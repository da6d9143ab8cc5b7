// The method table: which feature answers each request method. This is where the features are
// wired into the dispatcher (src/protocol/dispatch.ts), which knows none of them; which methods
// exist in a revision is the revisions module's business (R-LC-27), so one table serves both
// eras.
//
//   dispatch(request, ctx, METHODS)   {"method":"tools/call",...}  ->  callTool(params, ctx)

import { complete } from '../completion/complete.ts'
import { getPrompt } from '../prompts/get.ts'
import { listPrompts } from '../prompts/list.ts'
import type { RequestContext } from '../protocol/context.ts'
import { discover } from '../protocol/discover.ts'
import type { Handler, Methods } from '../protocol/dispatch.ts'
import { initialize, ping } from '../protocol/lifecycle.ts'
import { setLevel } from '../protocol/logging.ts'
import { listResources, listResourceTemplates } from '../resources/list.ts'
import { readResource } from '../resources/read.ts'
import { subscribe, unsubscribe } from '../resources/subscribe.ts'
import { callTool } from '../tools/call.ts'
import { listTools } from '../tools/list.ts'
import type { ServerFeatures } from './catalog.ts'

/** What a request's handlers see: the protocol's context and the catalog it may use. */
export type McpContext = RequestContext & ServerFeatures

/** Every request method we answer (`subscriptions/listen` streams: the transport serves it). */
export const METHODS: Methods<McpContext> = new Map<string, Handler<McpContext>>([
  ['initialize', initialize],
  ['ping', ping],
  ['server/discover', discover],
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
