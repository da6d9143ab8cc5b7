// Strict mode's checks that need a session's history, run in the session's shard
// (src/transports/session-shard.ts) on a request the Worker marked strict: the version header
// against what initialize negotiated, batches in that revision, request ids already used,
// responses to requests never sent, Last-Event-ID of a stream the session never had, a
// capability used without being declared, and requests before `notifications/initialized`.
//
// What a session remembers for this is in memory only (`StrictMemory`): after its shard
// restarts, ids from before are forgotten and the wait for `notifications/initialized` is not
// judged, so nothing is refused or warned about on a guess.

import type { JSONRPCMessage, Parsed, RequestId } from '../jsonrpc/message.ts'
import { isLegacyRevision, rules } from '../protocol/revisions.ts'
import type { Finding } from './rules.ts'

/** What the Worker tells the shard about a strict request (absent: lenient). */
export interface StrictFacts {
  /** The `MCP-Protocol-Version` header as sent (null: none). */
  versionHeader: string | null
}

/** The request ids a session remembers (oldest forgotten first). */
export const REMEMBERED_IDS = 1000

/** A session's memory for strict checks. */
export interface StrictMemory {
  /** Request ids the client used in this session (strict requests only), bounded. */
  ids: Set<string>
  /** Whether `notifications/initialized` arrived; null: not known (the shard restarted). */
  initialized: boolean | null
}

/** Memory for a session first seen now; `born` says whether the shard saw it begin. */
export const newMemory = (born: boolean): StrictMemory => ({
  ids: new Set(),
  initialized: born ? false : null,
})

/** What the shard knows of the session, for the checks. */
export interface SessionView {
  /** The revision initialize negotiated (null: a /sse session before its initialize). */
  revision: string | null
  clientCapabilities: Record<string, unknown> | null
  /** Whether `id` names a request this session's server sent the client (R-HT-20). */
  sentByUs(id: RequestId): boolean
  /** Whether `stream` is one of this session's SSE streams (live, or in its event log). */
  hasStream(stream: string): boolean
}

const idKey = (id: RequestId): string => `${typeof id}:${id}`

/** R-LC-11: the version header on a request after initialize (2025-06-18 and later). */
const versionFindings = (view: SessionView, facts: StrictFacts): Finding[] => {
  const { revision } = view
  if (revision === null || !isLegacyRevision(revision) || !rules(revision).versionHeader) return []
  if (facts.versionHeader === revision) return []
  const sent =
    facts.versionHeader === null
      ? 'MCP-Protocol-Version is missing'
      : `MCP-Protocol-Version is ${facts.versionHeader}`
  return [{ rule: 'R-LC-11', detail: `${sent}; this session negotiated ${revision}` }]
}

/** The findings of a POST (Streamable HTTP or /messages) in a session. */
export const postFindings = (
  memory: StrictMemory,
  view: SessionView,
  facts: StrictFacts | null,
  messages: readonly Parsed<JSONRPCMessage>[],
  batch: boolean,
): Finding[] => {
  const findings = facts === null ? [] : versionFindings(view, facts)
  const revision = view.revision !== null && isLegacyRevision(view.revision) ? view.revision : null
  if (batch && revision !== null && !rules(revision).batches) {
    findings.push({
      rule: 'R-JR-17',
      detail: `a JSON-RPC batch in a session that negotiated ${revision}`,
    })
  }
  const fresh: string[] = []
  for (const parsed of messages) {
    if (!parsed.ok) continue
    const { value } = parsed
    if (value.kind === 'request') {
      const key = idKey(value.message.id)
      if (memory.ids.has(key) || fresh.includes(key)) {
        findings.push({
          rule: 'R-JR-4',
          detail: `request id ${JSON.stringify(value.message.id)} (${value.message.method}) was already used in this session`,
        })
      }
      fresh.push(key)
      const method = value.message.method
      if (memory.initialized === false && method !== 'ping' && method !== 'initialize') {
        findings.push({
          rule: 'R-LC-4',
          detail: `${method} came before notifications/initialized`,
        })
      }
    } else if (value.kind === 'response') {
      if (value.message.id === null || !view.sentByUs(value.message.id)) {
        findings.push({
          rule: 'R-JR-5',
          detail: `a response to id ${JSON.stringify(value.message.id)}, which this server never sent in this session`,
        })
      }
    } else if (value.message.method === 'notifications/roots/list_changed') {
      const roots = view.clientCapabilities?.roots as { listChanged?: unknown } | undefined
      if (roots?.listChanged !== true) {
        findings.push({
          rule: 'R-LC-8',
          detail:
            'notifications/roots/list_changed, but initialize did not declare roots: { listChanged: true }',
        })
      }
    }
  }
  return findings
}

/** Remembers a served POST: its request ids, and whether it said initialized. */
export const remember = (
  memory: StrictMemory,
  messages: readonly Parsed<JSONRPCMessage>[],
): void => {
  for (const parsed of messages) {
    if (!parsed.ok) continue
    const { value } = parsed
    if (value.kind === 'request') {
      memory.ids.add(idKey(value.message.id))
      if (memory.ids.size > REMEMBERED_IDS) {
        const oldest = memory.ids.values().next().value
        if (oldest !== undefined) memory.ids.delete(oldest)
      }
      // A /sse session initializes in-band: from then on it must say initialized.
      if (value.message.method === 'initialize' && memory.initialized === null)
        memory.initialized = false
    } else if (
      value.kind === 'notification' &&
      value.message.method === 'notifications/initialized'
    ) {
      memory.initialized = true
    }
  }
}

/** The findings of a GET (the session's stream, or a resumption) or a DELETE. */
export const streamFindings = (
  view: SessionView,
  facts: StrictFacts,
  lastEventId: string | null,
  stream: string | null,
): Finding[] => {
  const findings = versionFindings(view, facts)
  if (lastEventId !== null && (stream === null || !view.hasStream(stream))) {
    findings.push({
      rule: 'R-HT-12',
      detail: `Last-Event-ID ${JSON.stringify(lastEventId)} names no stream of this session`,
    })
  }
  return findings
}
