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
// Both requests run in the session's shard, where the stream lives. A message is handled as on
// Streamable HTTP (the same context, initialize and notification handling); only where the
// answers go differs.

import { METHODS } from '../catalog/methods.ts'
import type { Config } from '../settings/config.ts'
import { invalidRequest } from '../jsonrpc/errors.ts'
import type { JSONRPCResponse, Outbound } from '../jsonrpc/message.ts'
import { accepted, rpcError } from '../http/responses.ts'
import { dispatch } from '../protocol/dispatch.ts'
import { initialized, unstorable } from '../protocol/lifecycle.ts'
import { LEGACY_SSE_REVISION } from '../protocol/revisions.ts'
import { NEVER, waitingNow } from '../protocol/timeout.ts'
import { contextFor, type Host } from './context.ts'
import type { Intake } from './intake.ts'
import { busyRefusal, type Session } from './session.ts'
import { openSseStream, type SseStream } from './sse.ts'

/** R-SSE-2: the stream opens with the `endpoint` event naming where to POST. */
export const openLegacyStream = (endpoint: string, config: Config): SseStream => {
  const stream = openSseStream(config)
  void stream.send({ event: 'endpoint', data: endpoint })
  return stream
}

/** The endpoint URI for a session, relative to the `/sse` URL the client opened (R-SSE-6). */
export const endpointFor = (ssePath: string, sessionId: string): string => {
  const last = ssePath.split('/').pop() ?? 'sse'
  const base = last === '' ? '../messages' : 'messages'
  return `${base}?sessionId=${encodeURIComponent(sessionId)}`
}

/**
 * POST /messages: one JSON-RPC message (R-SSE-5: 202); whatever it produces goes out as
 * `event: message` on the session's stream (R-SSE-3).
 */
export const legacyMessage = async (
  input: Intake,
  host: Host,
  session: Session,
  stream: SseStream,
): Promise<Response> => {
  if (input.batch) return rpcError(400, invalidRequest('POST one JSON-RPC message at a time'))
  const [message] = input.messages
  if (message === undefined || !message.ok) {
    return rpcError(
      400,
      message?.ok === false ? message.error : invalidRequest('Empty body'),
      message?.ok === false ? message.id : null,
    )
  }
  if (message.value.kind !== 'request') {
    session.receive(message.value)
    return accepted()
  }
  const out = (value: Outbound | JSONRPCResponse): boolean => {
    void stream.send({ event: 'message', data: JSON.stringify(value) })
    return true
  }
  const call = message.value.message
  const era = { era: 'legacy', revision: session.revision ?? LEGACY_SSE_REVISION } as const
  // 2024-11-05 streams have no event ids: nothing to resume from.
  const io = (signal: AbortSignal) => ({
    send: out,
    cancellation: { signal },
    closeStream: async () => false,
    // Nothing here tells quick calls apart: what deadlines need is set up at once.
    waiting: waitingNow,
  })

  if (call.method === 'initialize') {
    const oversized = unstorable(call.params, host.config)
    if (oversized !== null) return rpcError(400, oversized, call.id)
    const response = await dispatch(call, contextFor(host, era, session, io(NEVER)), METHODS)
    const init = response !== null && 'result' in response ? initialized(call.params) : null
    // Stored before the answer goes out, so the client's next POST sees the revision.
    if (init !== null) session.initialized(init)
    if (response !== null) out(response)
    return accepted()
  }

  const busy = busyRefusal(session, [call], host.config)
  if (busy !== null) return busy
  const signal = session.track(call.id)
  // dispatch never rejects; its response (null when cancelled) goes out on the stream. The call
  // counts as in flight until the stream has taken its answer (BM-LIMIT-8: a stream at its mark
  // makes writers wait), so MAX_INFLIGHT_PER_SESSION bounds the answers waiting for a client.
  void dispatch(call, contextFor(host, era, session, io(signal)), METHODS)
    .then((response) =>
      response === null
        ? false
        : stream.send({ event: 'message', data: JSON.stringify(response) }, { paced: true }),
    )
    .finally(() => session.done(call.id))
  return accepted()
}
