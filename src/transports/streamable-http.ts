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
// one JSON object or an SSE stream (see reply.ts). The same function serves a stateless POST in
// the Worker and a session's POST inside its shard (then `session` is set).
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http

import * as v from 'valibot'
import { accessFor } from '../auth/access.ts'
import type { Principal } from '../protocol/principal.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { invalidRequest, type JSONRPCErrorObject } from '../jsonrpc/errors.ts'
import {
  errorResponse,
  ObjectSchema,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from '../jsonrpc/message.ts'
import { accepted, rpcError } from '../http/responses.ts'
import type { RequestContext, ServerFeatures } from '../protocol/context.ts'
import { dispatch, LISTEN } from '../protocol/dispatch.ts'
import { negotiate } from '../protocol/lifecycle.ts'
import { rules } from '../protocol/revisions.ts'
import type { ShardSession } from '../sessions/live.ts'
import { openSession, sessionsEnabled } from '../sessions/route.ts'
import { chooseEra } from './era.ts'
import { intake, type Accepting } from './intake.ts'
import { checkParamHeaders } from './param-headers.ts'
import { listen } from './subscriptions.ts'
import { plainStream, reply, replyNow } from './reply.ts'

/** Legacy Streamable HTTP never reads a disconnect as cancellation (R-HT-8). */
const NEVER = new AbortController().signal

/** Handles a POST to the MCP endpoint. */
export const post = async (
  request: Request,
  config: Config,
  features: ServerFeatures,
  env: Env,
  session: ShardSession | null = null,
  auth: Principal | null = null,
): Promise<Response> => {
  const taken = await intake(request, config)
  if (!taken.ok) return taken.response
  const { accept, messages } = taken
  const parsed = { batch: taken.batch, message: messages[0]! }

  const era = chooseEra(request.headers, messages, parsed.batch)
  if (!era.ok) return rpcError(era.status, era.error, era.id)
  // R-HT-17: inside a session, the revision is the one negotiated at initialize.
  const revision =
    era.era === 'legacy' && session?.row.revision ? session.row.revision : era.revision

  // R-JR-17: batches exist in 2025-03-26 only; later revisions take exactly one message.
  if (parsed.batch && !rules(revision).batches) {
    return rpcError(
      400,
      invalidRequest(
        `Batches are not supported in protocol version ${revision} (only in 2025-03-26)`,
      ),
    )
  }
  // A single malformed message is refused with 400 and its id, if readable.
  if (!parsed.batch && !parsed.message.ok) {
    return rpcError(400, parsed.message.error, parsed.message.id)
  }

  // R-AU-14: a tool call the token lacks scopes for is refused before anything runs.
  const access = accessFor(request, config, features, auth, messages)
  if (!access.ok) return access.response
  const visible = access.features

  // R-JR-21: in 2026-07-28 a client that closes its stream cancels the call; in legacy
  // revisions a disconnect is not a cancellation (R-HT-8), so nothing aborts.
  const cancel = new AbortController()
  if (era.era === 'modern')
    request.signal.addEventListener('abort', () => cancel.abort(), { once: true })
  const ctx = (
    send: RequestContext['send'],
    signal = NEVER,
    closeStream: RequestContext['closeStream'] = async () => false,
  ): RequestContext => ({
    revision,
    config,
    env,
    ...visible,
    signal: era.era === 'modern' ? cancel.signal : signal,
    send,
    closeStream,
    logLevel:
      era.era === 'modern' ? era.meta.logLevel : (session?.row.logLevel ?? config.LOG_LEVEL),
    clientCapabilities:
      era.era === 'modern'
        ? era.meta.clientCapabilities
        : (session?.row.clientCapabilities ?? null),
    session: era.era === 'legacy' ? (session?.handle ?? null) : null,
    auth,
  })
  // In a session, a request can be cancelled by `notifications/cancelled` (R-JR-20).
  const run = async (
    request: JSONRPCRequest,
    send: RequestContext['send'],
    closeStream: RequestContext['closeStream'],
  ) => {
    if (session === null || era.era === 'modern') return dispatch(request, ctx(send))
    try {
      return await dispatch(request, ctx(send, session.track(request.id), closeStream))
    } finally {
      session.untrack(request.id)
    }
  }

  const ready: JSONRPCResponse[] = []
  const requests: JSONRPCRequest[] = []
  for (const message of messages) {
    if (!message.ok) {
      ready.push(errorResponse(message.id, message.error))
    } else if (message.value.kind === 'request') {
      const request = message.value.message
      // R-LC-6: initialize MUST NOT be part of a batch.
      if (parsed.batch && request.method === 'initialize') {
        ready.push(errorResponse(request.id, batchedInitialize))
      } else if (session !== null && era.era === 'legacy' && request.method === 'initialize') {
        ready.push(errorResponse(request.id, alreadyInitialized))
      } else {
        requests.push(request)
      }
    } else if (message.value.kind === 'notification') {
      // Notifications are never answered (R-JR-9). Only cancellation needs action, and only in a
      // session, where the request it names can be found.
      const { method, params } = message.value.message
      if (method === 'notifications/cancelled') session?.cancel(params?.requestId)
    } else {
      // A client's answer to our sampling/elicitation/roots request reaches the waiting call
      // (R-HT-20); without a session we never send any, so it is simply accepted (R-HT-6).
      session?.answer(message.value.message)
    }
  }

  // R-HT-6: only notifications and responses -> 202 Accepted, no body.
  if (requests.length === 0 && ready.length === 0) return accepted()

  const [first] = requests
  if (era.era === 'modern' && first !== undefined) {
    const mismatch = checkParamHeaders(first, request.headers, features.tools)
    if (mismatch !== null) return rpcError(400, mismatch, first.id)
  }
  if (era.era === 'modern' && first?.method === LISTEN) {
    if (!accept.sse) {
      return rpcError(
        406,
        invalidRequest('subscriptions/listen needs Accept: text/event-stream'),
        first.id,
      )
    }
    return listen(first, cancel.signal, config, env, features.resources)
  }

  // R-HT-13: a stateless `initialize` that succeeds opens a session when sessions are on.
  if (session === null && era.era === 'legacy' && !parsed.batch && first?.method === 'initialize') {
    return initialize(
      first,
      ctx(() => false),
      accept,
      env,
    )
  }

  return reply(
    {
      ready,
      batch: parsed.batch,
      era: era.era,
      run: (send, closeStream) => requests.map((request) => run(request, send, closeStream)),
      open: () => session?.open() ?? plainStream(config),
      resumable: era.era === 'legacy' && session !== null && session.resumable,
      primed: era.era === 'legacy' && session !== null && session.primed,
      cancel: () => cancel.abort(),
    },
    accept,
    config,
  )
}

const InitializeSchema = v.looseObject({
  protocolVersion: v.string(),
  capabilities: ObjectSchema,
  clientInfo: ObjectSchema,
})

/** Answers `initialize`, minting `Mcp-Session-Id` on the response when sessions are on. */
const initialize = async (
  request: JSONRPCRequest,
  ctx: RequestContext,
  accept: Accepting,
  env: Env,
): Promise<Response> => {
  const response = (await dispatch(request, ctx)) as JSONRPCResponse
  const headers = new Headers()
  const params = v.safeParse(InitializeSchema, request.params)
  if ('result' in response && params.success && sessionsEnabled(env, ctx.config)) {
    const id = await openSession(env, ctx.config, {
      transport: 'streamable-http',
      revision: negotiate(params.output.protocolVersion),
      clientInfo: params.output.clientInfo,
      clientCapabilities: params.output.capabilities,
      subject: ctx.auth?.subject ?? null,
    })
    headers.set('Mcp-Session-Id', id)
  }
  return replyNow(response, accept, ctx.config, 'legacy', headers)
}

const batchedInitialize: JSONRPCErrorObject = invalidRequest(
  'initialize must not be part of a JSON-RPC batch',
)
const alreadyInitialized: JSONRPCErrorObject = invalidRequest(
  'This session is already initialized; send initialize without Mcp-Session-Id to start a new one',
)
