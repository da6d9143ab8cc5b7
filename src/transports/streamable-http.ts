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
// one JSON object or an SSE stream (see reply.ts). Every refusal is a JSON-RPC error body with
// the status given below; none is a 500.
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http

import type { Config } from '../config.ts'
import type { Env } from '../env.ts'
import { invalidRequest, parseError, type JSONRPCErrorObject } from '../jsonrpc/errors.ts'
import {
  errorResponse,
  parseBody,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from '../jsonrpc/message.ts'
import { readBody } from '../http/body.ts'
import { acceptable, isJsonContentType } from '../http/media-type.ts'
import { accepted, rpcError } from '../http/responses.ts'
import type { RequestContext } from '../protocol/context.ts'
import { dispatch, LISTEN, receive } from '../protocol/dispatch.ts'
import { rules } from '../protocol/revisions.ts'
import type { ToolSet } from '../tools/toolset.ts'
import { chooseEra } from './era.ts'
import { checkParamHeaders } from './param-headers.ts'
import { listen } from './subscriptions.ts'
import { plainStream, reply } from './reply.ts'

/** Legacy Streamable HTTP never reads a disconnect as cancellation (R-HT-8). */
const NEVER = new AbortController().signal

/** Handles a POST to the MCP endpoint. */
export const post = async (
  request: Request,
  config: Config,
  tools: ToolSet,
  env: Env,
): Promise<Response> => {
  // R-JR-2 (deliberately strict, as every real client sends it): the body is UTF-8 JSON.
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return rpcError(415, invalidRequest('Content-Type must be application/json (UTF-8)'))
  }
  // R-HT-4 (deliberately lenient): clients MUST accept both types, but some send only one;
  // we serve whichever they accept and refuse only an Accept that admits neither.
  const accept = acceptable(request.headers.get('accept'))
  if (!accept.json && !accept.sse) {
    return rpcError(406, invalidRequest('Accept must allow application/json or text/event-stream'))
  }

  const body = await readBody(request, config.MAX_BODY_BYTES)
  if (!body.ok) {
    return body.reason === 'too-large'
      ? rpcError(413, invalidRequest(`The body exceeds ${config.MAX_BODY_BYTES} bytes`))
      : rpcError(400, parseError('Parse error: the body is not valid UTF-8'))
  }
  const parsed = parseBody(body.text)
  if (!parsed.ok) return rpcError(400, parsed.error)
  const messages = parsed.batch ? parsed.messages : [parsed.message]

  const era = chooseEra(request.headers, messages, parsed.batch)
  if (!era.ok) return rpcError(era.status, era.error, era.id)
  const { revision } = era

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

  // R-JR-21: in 2026-07-28 a client that closes its stream cancels the call; in legacy
  // revisions a disconnect is not a cancellation (R-HT-8), so nothing aborts.
  const cancel = new AbortController()
  if (era.era === 'modern')
    request.signal.addEventListener('abort', () => cancel.abort(), { once: true })
  const ctx = (send: RequestContext['send']): RequestContext => ({
    revision,
    config,
    env,
    tools,
    signal: era.era === 'modern' ? cancel.signal : NEVER,
    send,
    logLevel: era.era === 'modern' ? era.meta.logLevel : config.LOG_LEVEL,
    clientCapabilities: era.era === 'modern' ? era.meta.clientCapabilities : null,
  })

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
      } else {
        requests.push(request)
      }
    } else if (message.value.kind === 'notification') {
      receive(
        message.value.message,
        ctx(() => false),
      )
    }
    // Responses from the client answer server-to-client requests; without a session we never
    // send any, so there is nothing to match them with. They are accepted (R-HT-6).
  }

  // R-HT-6: only notifications and responses -> 202 Accepted, no body.
  if (requests.length === 0 && ready.length === 0) return accepted()

  const [first] = requests
  if (era.era === 'modern' && first !== undefined) {
    const mismatch = checkParamHeaders(first, request.headers, tools)
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
    return listen(first, cancel.signal, config)
  }

  return reply(
    {
      ready,
      batch: parsed.batch,
      era: era.era,
      run: (send) => requests.map((request) => dispatch(request, ctx(send))),
      open: () => plainStream(config),
      cancel: () => cancel.abort(),
    },
    accept,
    config,
  )
}

const batchedInitialize: JSONRPCErrorObject = invalidRequest(
  'initialize must not be part of a JSON-RPC batch',
)
