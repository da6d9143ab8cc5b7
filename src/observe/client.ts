// Which client is calling, and in which revision, for the exchange's record. A request says it
// itself where it can: 2026-07-28 names its client in every request's `_meta`, and `initialize`
// in its `clientInfo`. A request of a legacy session does not: its session row remembers both,
// and only the session's shard reads that row. So the shard notes them on its answer in an
// internal header, which the Worker reads and always removes before the answer goes on: a client
// never sees it, and nothing a client sends is ever read as one.
//
//   SessionShard   Bare-Mcp-Session-Note: %7B%22r%22%3A%222025-11-25%22%2C%22n%22%3A...
//   Worker         exchange.client = {name, version}; exchange.era.revision = the session's

import type { Exchange } from './exchange.ts'
import type { ClientInfo } from './operations.ts'
import type { Tapped } from './tap.ts'
import type { JSONRPCMessage, Parsed } from '../jsonrpc/message.ts'
import { META } from '../protocol/era.ts'

/** The internal header a session's shard answers with (never sent to a client). */
export const SESSION_NOTE = 'bare-mcp-session-note'

/** Client names and versions are logged at most this long. */
const MAX_CHARS = 100

const cut = (value: unknown): string | null =>
  typeof value === 'string' ? value.slice(0, MAX_CHARS) : null

/** A `clientInfo`-shaped value as logged, or null. */
export const clientInfoOf = (value: unknown): ClientInfo | null => {
  if (typeof value !== 'object' || value === null) return null
  const info = value as Record<string, unknown>
  const name = cut(info.name)
  return name === null ? null : { name, version: cut(info.version) ?? '' }
}

/**
 * What a request says of its client: 2026-07-28 in every request's `_meta`
 * (`io.modelcontextprotocol/clientInfo`), `initialize` in its `clientInfo`.
 */
export const clientOf = (messages: readonly Parsed<JSONRPCMessage>[]): ClientInfo | null => {
  for (const message of messages) {
    if (!message.ok || message.value.kind === 'response') continue
    const { method, params } = message.value.message
    const meta = params?._meta
    if (typeof meta === 'object' && meta !== null && META.clientInfo in meta) {
      return clientInfoOf((meta as Record<string, unknown>)[META.clientInfo])
    }
    if (method === 'initialize') return clientInfoOf(params?.clientInfo)
  }
  return null
}

/** The shard's side: `response` with the session's revision and client noted. */
export const noteSession = (
  response: Response,
  session: { revision: string | null; clientInfo: unknown },
): Response => {
  const client = clientInfoOf(session.clientInfo)
  const note = { r: session.revision, n: client?.name ?? null, v: client?.version ?? null }
  const noted = new Response(response.body, response)
  noted.headers.set(SESSION_NOTE, encodeURIComponent(JSON.stringify(note)))
  return noted
}

/**
 * The Worker's side, for a shard's answer to an observed exchange (only those carry the note:
 * `Envelope.observed`): the note is removed, and what it says is recorded, unless the request
 * said it itself.
 */
export const takeSessionNote = (response: Response, tapped: Tapped): Response => {
  const raw = response.headers.get(SESSION_NOTE)
  if (raw === null) return response
  response.headers.delete(SESSION_NOTE)
  recordNote(tapped.exchange, raw)
  return response
}

const recordNote = (exchange: Exchange, raw: string): void => {
  let note: unknown
  try {
    note = JSON.parse(decodeURIComponent(raw))
  } catch {
    return
  }
  if (typeof note !== 'object' || note === null) return
  const { r, n, v } = note as { r?: unknown; n?: unknown; v?: unknown }
  exchange.client ??= clientInfoOf({ name: n, version: v })
  // A session's requests are answered in the revision its initialize negotiated.
  if (typeof r === 'string') exchange.era = { era: 'legacy', revision: r }
}
