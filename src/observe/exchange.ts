// One HTTP exchange with an MCP endpoint, as the pipeline's tap sees it (src/pipeline/mcp.ts):
// what came in (method, path, headers, the body as text and as parsed messages), what the
// pipeline decided (era and revision, who is calling, which session), and what went out (the
// status, headers, and the body: one JSON text, or each SSE frame as it is written). Every
// observer (structured logs, metrics, the wire view) reads the same record, once, and none of
// them sees a secret: credentials and cookies are redacted before anything is recorded.
//
//   begin(exchange)          the request is in (its messages once the body is read)
//   frame(exchange, frame)   each SSE event or comment, as it is sent
//   end(exchange)            the response is complete, or its client went away

import type { JSONRPCMessage, Parsed } from '../jsonrpc/message.ts'
import type { Principal } from '../protocol/principal.ts'

/** Which MCP endpoint an exchange is with. */
export type EndpointKind = 'mcp' | 'sse' | 'messages'

/** One SSE event or comment as written, with when. */
export interface Frame {
  at: number
  id?: string
  event?: string
  retry?: number
  data?: string
  /** A `:` comment line (keep-alive). */
  comment?: string
}

export interface Exchange {
  readonly id: string
  readonly endpoint: EndpointKind
  readonly startedAt: number
  readonly request: {
    method: string
    /** Path and query, as sent. */
    target: string
    /** Header names lower-cased, credentials redacted (`redactHeaders`). */
    headers: readonly (readonly [string, string])[]
  }
  /** The request body as read (UTF-8), cut to `BODY_LIMIT` bytes; null before it is read. */
  requestBody: string | null
  /** The body's JSON-RPC messages, once parsed. */
  messages: readonly Parsed<JSONRPCMessage>[] | null
  /** The era and revision the request was decided to speak (POST /mcp). */
  era: { era: 'legacy' | 'modern'; revision: string } | null
  /** Who is calling (AUTH=true). */
  principal: Principal | null
  /** Who the per-caller limits count. */
  caller: string | null
  /** The session the request belongs to (its header), or the one its `initialize` opened. */
  session: string | null
  /** What the client said it is (2026-07-28 `_meta`, or `initialize`'s `clientInfo`). */
  client: { name: string; version: string } | null
  status: number | null
  responseHeaders: readonly (readonly [string, string])[] | null
  /** A JSON (or other non-stream) response body, cut to `BODY_LIMIT` bytes. */
  responseBody: string | null
  /** The SSE frames sent, the latest `FRAME_LIMIT` of them (`framesDropped` counts the rest). */
  frames: Frame[]
  framesDropped: number
  /** When the response was complete (or its client went away). */
  endedAt: number | null
  /** The client went away before the response was complete. */
  abandoned: boolean
}

/**
 * What observes exchanges: the structured log, metrics, the wire view. `response` gets a JSON
 * (non-stream) body whole, before it is cut to BODY_LIMIT. Work `end` returns outlives the
 * response (ExecutionContext.waitUntil): it is not awaited before the client is answered.
 */
export interface Observer {
  /** Whether to observe `request` at all (absent: every request); decided before any cost. */
  accepts?(request: Request, url: URL): boolean
  begin?(exchange: Exchange): void
  frame?(exchange: Exchange, frame: Frame): void
  response?(exchange: Exchange, body: string): void
  end(exchange: Exchange): void | Promise<void>
}

/** The most of a body an exchange keeps, and the most frames. */
export const BODY_LIMIT = 64 * 1024
export const FRAME_LIMIT = 200

/** Headers whose values are credentials or identify a browser session: never recorded. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'cf-access-jwt-assertion',
])

/** A header list with every credential replaced by "[redacted]", names lower-cased. */
export const redactHeaders = (headers: Headers): (readonly [string, string])[] =>
  [...headers].map(([name, value]) => {
    const lower = name.toLowerCase()
    return [lower, SECRET_HEADERS.has(lower) ? '[redacted]' : value] as const
  })

/** `text` cut to BODY_LIMIT bytes (at a character boundary), marked when cut. */
export const keepBody = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  if (bytes.byteLength <= BODY_LIMIT) return text
  const cut = new TextDecoder().decode(bytes.subarray(0, BODY_LIMIT)).replace(/\uFFFD$/, '')
  return `${cut}… [${bytes.byteLength - BODY_LIMIT} more bytes]`
}
