// Streamable HTTP (2025-03-26 and later): one endpoint, every client message a new POST.
//
//   POST /mcp
//   Content-Type: application/json
//   Accept: application/json, text/event-stream
//   MCP-Protocol-Version: 2025-11-25
//
//   {"jsonrpc":"2.0","id":2,"method":"tools/list"}
//
// The answer is 202 (no body) when the POST held only notifications or responses, and otherwise
// one JSON object or an SSE stream (reply.ts). By the time a POST gets here its body has been
// read and parsed (intake.ts) and its era decided (src/protocol/era.ts), once, in the Worker; a
// POST with a session runs in the session's shard, which hands in the `session`.
//
// Each era has its own short path: `legacy` (batches, sessions, initialize, server-to-client
// requests) and `modern` (2026-07-28: one request, header cross-checks, cancel on disconnect,
// `subscriptions/listen`).
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http
// https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http

import { METHODS } from '../catalog/methods.ts'
import { invalidRequest, type JSONRPCErrorObject } from '../jsonrpc/errors.ts'
import { errorResponse, type JSONRPCRequest, type JSONRPCResponse } from '../jsonrpc/message.ts'
import { accepted, rpcError } from '../http/responses.ts'
import { dispatch } from '../protocol/dispatch.ts'
import type { EraOf, HeaderView } from '../protocol/era.ts'
import { initialized, unstorable } from '../protocol/lifecycle.ts'
import { rules, type LegacyRevision, type ModernRevision } from '../protocol/revisions.ts'
import { NEVER, UNCANCELLABLE, waitingNow } from '../protocol/timeout.ts'
import { contextFor, type Host } from './context.ts'
import type { Intake } from './intake.ts'
import { checkParamHeaders } from './param-headers.ts'
import { plainStream, reply, replyNow } from './reply.ts'
import { busyRefusal, type Session } from './session.ts'
import { listen } from './subscriptions.ts'

/** What `initialize` opens a session with (R-HT-13). */
export interface SessionInit {
  transport: 'streamable-http' | 'sse'
  revision: LegacyRevision
  clientInfo: Record<string, unknown>
  clientCapabilities: Record<string, unknown>
  subject: string | null
}

/**
 * The Worker's way to open a session (none in a shard: a session is already open there): its
 * id, or null when the caller or the shard holds as many sessions as it may.
 */
export type OpenSession = (init: SessionInit) => Promise<string | null>

/** The parts of the HTTP request a POST still needs once its body is read. */
export interface PostRequest {
  /** Its headers, and its `signal`, which fires when the client disconnects (2026-07-28
   *  cancels the call then, R-JR-21); read only when a call needs it. */
  http: { readonly headers: HeaderView; readonly signal: AbortSignal }
  /** Who the per-caller limits count (src/transports/envelope.ts `Route`). */
  caller: string | null
}

/**
 * 2026-07-28: one request (or a notification), no session. Closing the response stream
 * cancels the call (R-JR-21).
 */
export const postModern = (
  input: Intake,
  era: EraOf & { revision: ModernRevision },
  host: Host,
  request: PostRequest,
): Response | Promise<Response> => {
  const [message] = input.messages
  if (message === undefined || !message.ok) {
    return rpcError(400, message?.ok === false ? message.error : emptyBody, message?.id ?? null)
  }
  // R-HT-31, R-JR-9: a notification is accepted and never answered.
  if (message.value.kind !== 'request') return accepted()
  const call = message.value.message
  // R-HT-38: Mcp-Param-* headers mirror the arguments they name.
  const mismatch = checkParamHeaders(call, request.http.headers, host.features.tools)
  if (mismatch !== null) return rpcError(400, mismatch, call.id)
  const cancel = new Cancellation(request.http)
  if (call.method === 'subscriptions/listen') {
    if (!input.accept.sse) {
      const needsSse = invalidRequest('subscriptions/listen needs Accept: text/event-stream')
      return rpcError(406, needsSse, call.id)
    }
    return listen(
      call,
      cancel.signal,
      host.config,
      host.env,
      host.features.resources,
      request.caller,
    )
  }
  return reply(
    {
      ready: [],
      batch: false,
      rules: rules(era.revision),
      run: (send, _, waiting) => [
        dispatch(
          call,
          contextFor(host, era, null, {
            send,
            cancellation: cancel,
            closeStream: noPolling,
            waiting,
          }),
          METHODS,
        ),
      ],
      open: () => plainStream(host.config),
      resumable: false,
      primed: false,
      cancel: () => cancel.abort(),
    },
    input.accept,
    host.config,
  )
}

/**
 * The initialize era (2024-11-05 .. 2025-11-25 over Streamable HTTP): a batch in 2025-03-26,
 * notifications and responses for the session, `initialize` that opens a session, and replies
 * that are resumable in a session.
 */
export const postLegacy = async (
  input: Intake,
  era: EraOf & { revision: LegacyRevision },
  host: Host,
  session: Session | null,
  openSession: OpenSession | null = null,
): Promise<Response> => {
  // R-HT-17: inside a session, the revision is the one negotiated at initialize.
  const allowed = rules(session?.revision ?? era.revision)
  // R-JR-17: batches exist in 2025-03-26 only; later revisions take exactly one message.
  if (input.batch && !allowed.batches) {
    const refused = invalidRequest(
      `Batches are not supported in protocol version ${allowed.revision} (only in 2025-03-26)`,
    )
    return rpcError(400, refused)
  }
  const [first] = input.messages
  // A single malformed message is refused with 400 and its id, if readable.
  if (!input.batch && first !== undefined && !first.ok) return rpcError(400, first.error, first.id)

  const ready: JSONRPCResponse[] = []
  const requests: JSONRPCRequest[] = []
  for (const message of input.messages) {
    if (!message.ok) ready.push(errorResponse(message.id, message.error))
    else if (message.value.kind !== 'request') session?.receive(message.value)
    // R-LC-6: initialize MUST NOT be part of a batch; a session is initialized once.
    else if (message.value.message.method === 'initialize' && (input.batch || session !== null))
      ready.push(
        errorResponse(message.value.message.id, input.batch ? batched : initializedAlready),
      )
    else requests.push(message.value.message)
  }
  // R-HT-6: only notifications and responses -> 202 Accepted, no body. (R-HT-20: a response to
  // our request reached the call waiting for it; without a session we never send any.)
  if (requests.length === 0 && ready.length === 0) return accepted()

  const [only] = requests
  // R-HT-13: a stateless `initialize` that succeeds opens a session when sessions are on.
  if (session === null && !input.batch && only?.method === 'initialize') {
    const oversized = unstorable(only.params, host.config)
    if (oversized !== null) return rpcError(400, oversized, only.id)
    const ctx = contextFor(host, era, null, {
      send: () => false,
      cancellation: UNCANCELLABLE,
      closeStream: noPolling,
      waiting: waitingNow,
    })
    const response = (await dispatch(only, ctx, METHODS))!
    const headers = new Headers()
    const init = 'result' in response ? initialized(only.params) : null
    if (init !== null && openSession !== null) {
      const subject = host.principal?.subject ?? null
      // A caller or shard at its session cap is still answered, without a session: the id is
      // optional (R-HT-13), and clients that ignore it (ChatGPT) lose nothing.
      const opened = await openSession({ transport: 'streamable-http', ...init, subject })
      if (opened !== null) headers.set('Mcp-Session-Id', opened)
    }
    return replyNow(response, input.accept, host.config, allowed, headers)
  }

  const busy = session === null ? null : busyRefusal(session, requests, host.config)
  if (busy !== null) return busy

  return reply(
    {
      ready,
      batch: input.batch,
      rules: allowed,
      run: (send, closeStream, waiting) =>
        requests.map(async (request) => {
          // In a session, a request can be cancelled by `notifications/cancelled` (R-JR-20); a
          // disconnect is not a cancellation (R-HT-8).
          const signal = session?.track(request.id) ?? NEVER
          try {
            return await dispatch(
              request,
              contextFor(host, era, session, {
                send,
                cancellation: { signal },
                closeStream,
                waiting,
              }),
              METHODS,
            )
          } finally {
            session?.done(request.id)
          }
        }),
      open: () => session?.open() ?? plainStream(host.config),
      resumable: session?.resumable === true,
      primed: session?.primed === true,
      cancel: () => {},
    },
    input.accept,
    host.config,
  )
}

/**
 * R-JR-21: a 2026-07-28 call is cancelled when its client disconnects or closes the response
 * stream. The signal is made only if something reads it (most calls finish first). A class for
 * that getter (why: src/protocol/with-signal.ts).
 */
class Cancellation {
  #controller: AbortController | null = null
  #closed = false
  readonly #request: { readonly signal: AbortSignal }

  constructor(request: { readonly signal: AbortSignal }) {
    this.#request = request
  }

  get signal(): AbortSignal {
    if (this.#controller === null) {
      const own = (this.#controller = new AbortController())
      // The request's own signal is read only now: a call that never looks costs nothing.
      const disconnected = this.#request.signal
      if (this.#closed || disconnected.aborted) own.abort()
      else disconnected.addEventListener('abort', () => own.abort(), { once: true })
    }
    return this.#controller.signal
  }

  abort(): void {
    this.#closed = true
    this.#controller?.abort()
  }
}

/** SSE polling needs a resumable stream: without one, `closeStream` does nothing. */
const noPolling = async () => false

const emptyBody: JSONRPCErrorObject = invalidRequest('Empty body')
const batched: JSONRPCErrorObject = invalidRequest(
  'initialize must not be part of a JSON-RPC batch',
)
const initializedAlready: JSONRPCErrorObject = invalidRequest(
  'This session is already initialized; send initialize without Mcp-Session-Id to start a new one',
)
