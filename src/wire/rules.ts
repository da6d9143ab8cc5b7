// Which rules an exchange exercised, read from what it shows: the method and messages sent, the
// era and revision, the status, headers, error codes and SSE frames. One table, one row per
// rule id (SPEC_NOTES.md), each a plain predicate over the exchange's facts; the wire view shows
// the ids that hold, in table order, each linked to its row and to the spec.
//
//   POST notifications/initialized -> 202        R-LC-4, R-JR-9, R-HT-6
//   GET /mcp with Mcp-Session-Id, priming event   R-HT-10, R-HT-9, R-HT-12
//   POST tools/call -> 400, -32022                R-LC-22

import type { Frame } from '../observe/exchange.ts'
import { warningsIn } from '../strict/rules.ts'
import { revisionNamed, rules } from '../protocol/revisions.ts'

/** A JSON-RPC message as the wire view reads it (loosely: it shows what was sent, good or bad). */
export interface Message {
  id?: unknown
  method?: unknown
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: { code?: unknown; data?: unknown }
}

/** What the table reads of one exchange. */
export interface Facts {
  endpoint: 'mcp' | 'sse' | 'messages'
  httpMethod: string
  status: number | null
  era: 'legacy' | 'modern' | null
  revision: string | null
  /** The request body's messages (a batch's members). */
  sent: readonly Message[]
  batch: boolean
  /** Request and response headers, names lower-case. */
  headerNames: readonly string[]
  header(name: string): string | null
  responseHeader(name: string): string | null
  /** The messages the response carried: its JSON body, or the data of its SSE frames. */
  received: readonly Message[]
  frames: readonly Frame[]
}

const kind = (message: Message): 'request' | 'notification' | 'response' =>
  'result' in message || 'error' in message
    ? 'response'
    : message.id === undefined
      ? 'notification'
      : 'request'

const sends = (f: Facts, method: string) => f.sent.some((message) => message.method === method)
const sendsKind = (f: Facts, wanted: ReturnType<typeof kind>) =>
  f.sent.some((message) => kind(message) === wanted)
const receives = (f: Facts, method: string) =>
  f.received.some((message) => message.method === method)
const codes = (f: Facts): number[] =>
  f.received.flatMap((message) =>
    typeof message.error?.code === 'number' ? [message.error.code] : [],
  )
const hasCode = (f: Facts, code: number) => codes(f).includes(code)
const results = (f: Facts) =>
  f.received.flatMap((message) => (message.result ? [message.result] : []))
const isSse = (f: Facts) => (f.responseHeader('content-type') ?? '').startsWith('text/event-stream')
const post = (f: Facts) => f.httpMethod === 'POST'
const legacy = (f: Facts) => f.era === 'legacy'
/** 2026-07-28: decided so, or refused before the era was (its body claimed it). */
const modern = (f: Facts) =>
  f.era === 'modern' ||
  (f.era === null &&
    f.sent.some(
      (m) =>
        isObject(m.params?._meta) && 'io.modelcontextprotocol/protocolVersion' in m.params._meta,
    ))
/** Whether the exchange's revision has the MCP-Protocol-Version header (2025-06-18 on). */
const versionHeader = (f: Facts) => {
  const revision = revisionNamed(f.revision)
  return revision !== null && rules(revision).versionHeader
}
const initialize = (f: Facts) => sends(f, 'initialize')

/** One row: a rule id and when an exchange exercised it. */
export type Row = readonly [id: string, when: (f: Facts) => boolean]

/** The table, in the order the wire view lists ids: lifecycle, messages, transport, features. */
export const RULE_TABLE: readonly Row[] = [
  // Lifecycle (legacy): the handshake, then every request in the negotiated revision.
  ['R-LC-1', (f) => initialize(f)],
  ['R-LC-2', (f) => initialize(f) && results(f).some((r) => 'protocolVersion' in r)],
  ['R-LC-3', (f) => initialize(f) && results(f).some((r) => 'protocolVersion' in r)],
  ['R-LC-4', (f) => sends(f, 'notifications/initialized')],
  ['R-LC-9', (f) => sends(f, 'ping')],
  [
    'R-LC-11',
    (f) =>
      f.header('mcp-protocol-version') !== null &&
      ((legacy(f) && !initialize(f) && versionHeader(f)) ||
        (f.httpMethod !== 'POST' && f.header('mcp-session-id') !== null)),
  ],
  [
    'R-HT-17',
    (f) =>
      (f.endpoint === 'mcp' && post(f) && legacy(f) && !initialize(f)) ||
      (hasCode(f, -32022) && !modern(f) && f.header('mcp-protocol-version') !== null),
  ],
  // 2026-07-28: every request says who it is and what it speaks.
  ['R-LC-29', (f) => modern(f)],
  ['R-LC-20', (f) => modern(f) && sendsKind(f, 'request')],
  ['R-HT-34', (f) => modern(f) && f.header('mcp-protocol-version') !== null],
  ['R-HT-36', (f) => f.header('mcp-method') !== null],
  ['R-HT-38', (f) => f.headerNames.some((name) => name.startsWith('mcp-param-'))],
  ['R-LC-23', (f) => sends(f, 'server/discover')],
  ['R-JR-11', (f) => results(f).some((r) => 'resultType' in r)],
  [
    'R-LC-26',
    (f) =>
      results(f).some((r) => isObject(r._meta) && 'io.modelcontextprotocol/serverInfo' in r._meta),
  ],
  ['R-SF-35', (f) => results(f).some((r) => 'ttlMs' in r)],
  ['R-SF-43', (f) => results(f).some((r) => r.resultType === 'input_required')],
  [
    'R-SF-44',
    (f) => results(f).some((r) => r.resultType === 'input_required' && 'inputRequests' in r),
  ],
  [
    'R-SF-45',
    (f) =>
      f.sent.some(
        (m) => isObject(m.params) && ('requestState' in m.params || 'inputResponses' in m.params),
      ),
  ],
  ['R-SF-47', (f) => sends(f, 'subscriptions/listen')],
  // JSON-RPC messages.
  ['R-JR-5', (f) => sendsKind(f, 'request') && f.received.some((m) => kind(m) === 'response')],
  ['R-JR-9', (f) => sendsKind(f, 'notification') && f.status === 202],
  ['R-JR-17', (f) => f.batch],
  ['R-JR-19', (f) => receives(f, 'notifications/progress')],
  ['R-JR-20', (f) => sends(f, 'notifications/cancelled')],
  ['R-JR-12', (f) => codes(f).some((code) => code <= -32600 && code >= -32700)],
  ['R-JR-13', (f) => hasCode(f, -32002)],
  ['R-JR-14', (f) => hasCode(f, -32042)],
  ['R-HT-37', (f) => hasCode(f, -32020)],
  ['R-LC-25', (f) => hasCode(f, -32021)],
  [
    'R-LC-22',
    (f) => hasCode(f, -32022) && (modern(f) || f.header('mcp-protocol-version') === null),
  ],
  ['R-HT-35', (f) => f.status === 404 && hasCode(f, -32601)],
  ['BM-RATE-1', (f) => hasCode(f, -31429)],
  // Streamable HTTP.
  ['R-HT-1', (f) => f.endpoint === 'mcp' && f.status === 405],
  ['R-HT-2', (f) => f.status === 403 && f.header('origin') !== null],
  ['R-HT-4', (f) => f.status === 406],
  ['R-JR-2', (f) => f.status === 415],
  ['BM-BODY-1', (f) => f.status === 413],
  ['R-HT-6', (f) => post(f) && f.status === 202],
  ['R-HT-7', (f) => f.endpoint === 'mcp' && post(f) && sendsKind(f, 'request') && f.status === 200],
  ['R-HT-8', (f) => f.endpoint === 'mcp' && post(f) && legacy(f) && isSse(f)],
  ['R-HT-32', (f) => post(f) && modern(f) && isSse(f)],
  ['R-HT-33', (f) => modern(f) && isSse(f) && f.responseHeader('x-accel-buffering') === 'no'],
  ['R-HT-9', (f) => f.frames.some((frame) => frame.id !== undefined && (frame.data ?? '') === '')],
  [
    'R-HT-12',
    (f) => f.frames.some((frame) => frame.id !== undefined) || f.header('last-event-id') !== null,
  ],
  [
    'R-HT-10',
    (f) => f.endpoint === 'mcp' && f.httpMethod === 'GET' && f.header('mcp-session-id') !== null,
  ],
  ['R-HT-13', (f) => f.responseHeader('mcp-session-id') !== null],
  [
    'R-HT-14',
    (f) => f.status === 404 && (f.header('mcp-session-id') !== null || f.endpoint === 'messages'),
  ],
  ['R-HT-15', (f) => f.httpMethod === 'DELETE'],
  [
    'R-HT-20',
    (f) =>
      f.received.some((m) => kind(m) === 'request') ||
      (sendsKind(f, 'response') && f.header('mcp-session-id') !== null),
  ],
  ['BM-SSE-2', (f) => f.frames.some((frame) => frame.comment !== undefined)],
  // The 2024-11-05 HTTP+SSE transport.
  ['R-SSE-1', (f) => f.endpoint === 'sse'],
  ['R-SSE-2', (f) => f.frames.some((frame) => frame.event === 'endpoint')],
  ['R-SSE-3', (f) => f.endpoint === 'sse' && f.frames.some((frame) => frame.event === 'message')],
  ['R-SSE-5', (f) => f.endpoint === 'messages' && f.status === 202],
  // Server features.
  ['R-SF-2', (f) => sends(f, 'tools/list')],
  ['R-SF-7', (f) => sends(f, 'tools/call')],
  ['R-SF-21', (f) => sends(f, 'resources/list')],
  ['R-SF-22', (f) => sends(f, 'resources/templates/list')],
  ['R-SF-23', (f) => sends(f, 'resources/read')],
  ['R-SF-24', (f) => sends(f, 'resources/subscribe') || sends(f, 'resources/unsubscribe')],
  ['R-SF-25', (f) => receives(f, 'notifications/resources/list_changed')],
  ['R-SF-30', (f) => sends(f, 'prompts/list') || sends(f, 'prompts/get')],
  ['R-SF-33', (f) => sends(f, 'completion/complete')],
  [
    'R-SF-31',
    (f) => sends(f, 'logging/setLevel') || (!modern(f) && receives(f, 'notifications/message')),
  ],
  ['R-SF-32', (f) => modern(f) && receives(f, 'notifications/message')],
  [
    'R-SF-41',
    (f) =>
      f.received.some(
        (m) =>
          m.method === 'elicitation/create' ||
          m.method === 'sampling/createMessage' ||
          m.method === 'roots/list',
      ),
  ],
]

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The strict-mode rules an exchange broke: a refusal names its rule in `error.data`, warnings
 * are listed in the `Mcp-Strict-Warnings` header (src/strict/rules.ts).
 */
export const strictFindings = (
  f: Facts,
): { rule: string; level: 'error' | 'warning'; detail: string }[] => {
  const refused = f.received.flatMap((message) => {
    const data = message.error?.data
    if (!isObject(data) || data.strict !== true || typeof data.rule !== 'string') return []
    return [{ rule: data.rule, level: 'error' as const, detail: String(data.detail ?? '') }]
  })
  const warned = warningsIn(f.responseHeader('mcp-strict-warnings')).map((rule) => ({
    rule,
    level: 'warning' as const,
    detail: '',
  }))
  return [...refused, ...warned]
}

/** The rule ids `facts` exercised, in table order, then the strict rules it broke. */
export const rulesOf = (facts: Facts): string[] => {
  const ids = RULE_TABLE.filter(([, when]) => when(facts)).map(([id]) => id)
  for (const finding of strictFindings(facts))
    if (!ids.includes(finding.rule)) ids.push(finding.rule)
  return ids
}
