// Intake: what every POST of JSON-RPC goes through before its messages mean anything, on both
// HTTP transports: media types, the body size limit, UTF-8, JSON. Each refusal is a JSON-RPC
// error with its own status; none is a 500.

import type { Config } from '../settings/config.ts'
import { invalidRequest, parseError } from '../jsonrpc/errors.ts'
import {
  idOf,
  parseBody,
  type JSONRPCMessage,
  type Parsed,
  type RequestId,
} from '../jsonrpc/message.ts'
import { readBody } from '../http/body.ts'
import { acceptable, isJsonContentType, type Acceptable } from '../http/media-type.ts'
import { rpcError } from '../http/responses.ts'

/** What the client accepts, and whether its replies should stream from the first byte. */
export interface Accepting extends Acceptable {
  /** SSE even for a call that sends nothing before its result (RESPONSE_MODE, SSE_USER_AGENTS). */
  sseFirst: boolean
}

/** A POST's messages and how its client accepts replies: read once, in the Worker, and carried
 *  to the session's shard as they are (src/transports/envelope.ts). */
export interface Intake {
  accept: Accepting
  /** A JSON array body (2025-03-26 only; the era and revision decide whether that is allowed). */
  batch: boolean
  messages: Parsed<JSONRPCMessage>[]
}

/** The id of the one request a POST holds, for an error to name (R-JR-8); none for a batch. */
export const singleIdOf = (intake: Intake): RequestId | null =>
  intake.batch ? null : idOf(intake.messages[0])

/** The intake, and the body's text (for the tap: src/observe/tap.ts). */
export type Taken =
  | { ok: true; intake: Intake; text: string }
  | { ok: false; response: Response; text: string | null }

const refuse = (response: Response, text: string | null = null): Taken => ({
  ok: false,
  response,
  text,
})

/** Checks the request's framing and parses its body into messages. */
export const intake = async (request: Request, config: Config): Promise<Taken> => {
  // R-JR-2 (deliberately strict, as every real client sends it): the body is UTF-8 JSON.
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return refuse(rpcError(415, invalidRequest('Content-Type must be application/json (UTF-8)')))
  }
  // R-HT-4 (deliberately lenient): clients MUST accept both types, but some send only one;
  // we serve whichever they accept and refuse only an Accept that admits neither.
  const accept = acceptable(request.headers.get('accept'))
  if (!accept.json && !accept.sse) {
    return refuse(
      rpcError(406, invalidRequest('Accept must allow application/json or text/event-stream')),
    )
  }
  const body = await readBody(request, config.MAX_BODY_BYTES)
  if (!body.ok) {
    return refuse(
      body.reason === 'too-large'
        ? rpcError(413, invalidRequest(`The body exceeds ${config.MAX_BODY_BYTES} bytes`))
        : rpcError(400, parseError('Parse error: the body is not valid UTF-8')),
    )
  }
  const parsed = parseBody(body.text, {
    maxBatch: config.MAX_BATCH,
    maxDepth: config.MAX_JSON_DEPTH,
  })
  if (!parsed.ok) return refuse(rpcError(400, parsed.error), body.text)
  const sseFirst =
    accept.sse &&
    (!accept.json || config.RESPONSE_MODE === 'sse' || sseAgent(request, config.SSE_USER_AGENTS))
  const accepting = ACCEPTING[(accept.json ? 4 : 0) + (accept.sse ? 2 : 0) + (sseFirst ? 1 : 0)]!
  return parsed.batch
    ? {
        ok: true,
        intake: { accept: accepting, batch: true, messages: parsed.messages },
        text: body.text,
      }
    : {
        ok: true,
        intake: { accept: accepting, batch: false, messages: [parsed.message] },
        text: body.text,
      }
}

/** Whether the client's User-Agent starts with one of `prefixes` (SSE_USER_AGENTS). */
const sseAgent = (request: Request, prefixes: readonly string[]): boolean => {
  if (prefixes.length === 0) return false
  const agent = (request.headers.get('user-agent') ?? '').toLowerCase()
  return prefixes.some((prefix) => agent.startsWith(prefix))
}

/** Every way of accepting, made once (indexed by json, sse, sseFirst as bits). */
const ACCEPTING: readonly Accepting[] = Array.from({ length: 8 }, (_, bits) =>
  Object.freeze({ json: (bits & 4) !== 0, sse: (bits & 2) !== 0, sseFirst: (bits & 1) !== 0 }),
)
