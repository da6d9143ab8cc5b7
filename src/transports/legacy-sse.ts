// The HTTP+SSE transport of 2024-11-05 (deprecated, still used by mcp-remote's sse-only mode,
// older OpenAI `/sse` URLs and the Inspector's SSE mode).
//
//   GET /sse                                   -> 200 text/event-stream, held open:
//     event: endpoint
//     data: messages?sessionId=s3.q8Xk...      (relative: works behind any host or path prefix)
//
//   POST /messages?sessionId=s3.q8Xk...  {"jsonrpc":"2.0","id":1,"method":"initialize",...}
//                                              -> 202; the response arrives on the stream:
//     event: message
//     data: {"jsonrpc":"2.0","id":1,"result":{...}}
//
// R-SSE-1..R-SSE-7 · https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
// Both requests run in the session's shard, where the stream lives.

import { accessFor } from '../auth/access.ts'
import type { Principal } from '../protocol/principal.ts'
import * as v from 'valibot'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { invalidRequest } from '../jsonrpc/errors.ts'
import { ObjectSchema, type JSONRPCResponse, type Outbound } from '../jsonrpc/message.ts'
import { accepted, rpcError } from '../http/responses.ts'
import type { RequestContext, ServerFeatures } from '../protocol/context.ts'
import { dispatch } from '../protocol/dispatch.ts'
import { negotiate } from '../protocol/lifecycle.ts'
import type { LegacyRevision } from '../protocol/revisions.ts'
import type { ShardSession } from '../sessions/live.ts'
import type { SessionRow } from '../sessions/store.ts'
import { intake } from './intake.ts'
import { openSseStream, type SseStream } from './sse.ts'

/** R-SSE-2: the stream opens with the `endpoint` event naming where to POST. */
export const openLegacyStream = (endpoint: string, config: Config): SseStream => {
  const stream = openSseStream(config.KEEPALIVE_MS)
  void stream.send({ event: 'endpoint', data: endpoint })
  return stream
}

/** The endpoint URI for a session, relative to the `/sse` URL the client opened (R-SSE-6). */
export const endpointFor = (ssePath: string, sessionId: string): string => {
  const last = ssePath.split('/').pop() ?? 'sse'
  const base = last === '' ? '../messages' : 'messages'
  return `${base}?sessionId=${encodeURIComponent(sessionId)}`
}

const InitializeSchema = v.looseObject({
  protocolVersion: v.string(),
  capabilities: ObjectSchema,
  clientInfo: ObjectSchema,
})

/**
 * POST /messages: one JSON-RPC message (R-SSE-5: 202); whatever it produces goes out as
 * `event: message` on the session's stream (R-SSE-3).
 */
export const legacyMessage = async (
  request: Request,
  config: Config,
  features: ServerFeatures,
  env: Env,
  session: ShardSession,
  stream: SseStream,
  update: (
    change: Partial<Pick<SessionRow, 'revision' | 'clientInfo' | 'clientCapabilities'>>,
  ) => void,
  auth: Principal | null = null,
): Promise<Response> => {
  const taken = await intake(request, config)
  if (!taken.ok) return taken.response
  if (taken.batch) return rpcError(400, invalidRequest('POST one JSON-RPC message at a time'))
  const [message] = taken.messages
  if (message === undefined || !message.ok) {
    return rpcError(
      400,
      message?.ok === false ? message.error : invalidRequest('Empty body'),
      message?.ok === false ? message.id : null,
    )
  }
  const out = (value: Outbound | JSONRPCResponse): boolean => {
    void stream.send({ event: 'message', data: JSON.stringify(value) })
    return true
  }
  const { value } = message
  if (value.kind === 'response') {
    session.answer(value.message)
    return accepted()
  }
  if (value.kind === 'notification') {
    if (value.message.method === 'notifications/cancelled')
      session.cancel(value.message.params?.requestId)
    return accepted()
  }

  const call = value.message
  // R-AU-14: a tool call the token lacks scopes for is refused before anything runs.
  const access = accessFor(request, config, features, auth, taken.messages)
  if (!access.ok) return access.response
  const revision: LegacyRevision = session.row.revision ?? '2024-11-05'
  const ctx = (signal: AbortSignal): RequestContext => ({
    revision,
    config,
    env,
    ...access.features,
    signal,
    send: out,
    // 2024-11-05 streams have no event ids: nothing to resume from.
    closeStream: async () => false,
    logLevel: session.row.logLevel ?? config.LOG_LEVEL,
    clientCapabilities: session.row.clientCapabilities,
    session: session.handle,
    auth,
  })

  if (call.method === 'initialize') {
    const response = await dispatch(call, ctx(new AbortController().signal))
    const params = v.safeParse(InitializeSchema, call.params)
    if (response !== null && 'result' in response && params.success) {
      // Stored before the answer goes out, so the client's next POST sees the revision.
      update({
        revision: negotiate(params.output.protocolVersion),
        clientInfo: params.output.clientInfo,
        clientCapabilities: params.output.capabilities,
      })
    }
    if (response !== null) out(response)
    return accepted()
  }

  const signal = session.track(call.id)
  // dispatch never rejects; its response (null when cancelled) goes out on the stream.
  void dispatch(call, ctx(signal))
    .then((response) => (response === null ? undefined : out(response)))
    .finally(() => session.untrack(call.id))
  return accepted()
}
