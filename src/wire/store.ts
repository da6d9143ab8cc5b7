// The wire view's memory: a bounded window of recent exchanges (WIRE_VIEW_MAX_EXCHANGES and
// WIRE_VIEW_MAX_BYTES, the oldest dropped first), the pages watching it live, and the strict-mode
// report per client. It lives in the isolate's memory: under `npm start` there is one isolate,
// so it sees everything; deployed, each isolate keeps and shows its own (README, "The wire view").
//
// It is an Observer of the pipeline's tap (src/observe/): each exchange is recorded when it
// begins, updated with each SSE frame, and completed when it ends.

import type { Exchange, Observer } from '../observe/exchange.ts'
import { STRICT_RULES, type StrictRuleId } from '../strict/rules.ts'
import { recordOf, sizeOf, type WireRecord } from './record.ts'

/** What a watching page is told: an exchange as it stands now (new, one more frame, or done). */
export interface WireEvent {
  type: 'exchange'
  record: WireRecord
}

/** One client's line in the strict-mode report: each rule it broke, how often, and the fix. */
export interface ClientReport {
  client: string
  violations: {
    rule: string
    level: 'error' | 'warning'
    count: number
    /** What happened the last time, and in which exchange. */
    detail: string
    exchange: string
    at: number
    quote: string
    spec: string
    fix: string
  }[]
}

/** Clients the report keeps (the least recently seen go first), and sessions whose client it knows. */
const REPORT_CLIENTS = 100
const KNOWN_SESSIONS = 1000

export interface WireLimits {
  maxExchanges: number
  maxBytes: number
}

export interface WireStore {
  readonly observer: Observer
  /** The exchanges in the window, oldest first. */
  list(): WireRecord[]
  /** Calls `listener` with every change until the returned function is called. */
  watch(listener: (event: WireEvent) => void): () => void
  readonly watchers: number
  /** The strict-mode findings per client, most recent client first. */
  report(): ClientReport[]
}

/** Deletes the oldest keys of `map` until it holds `max`. */
const trim = <K, V>(map: Map<K, V>, max: number) => {
  for (const key of map.keys()) {
    if (map.size <= max) break
    map.delete(key)
  }
}

export const wireStore = (limits: WireLimits): WireStore => {
  const records = new Map<string, { record: WireRecord; bytes: number }>()
  let bytes = 0
  const listeners = new Set<(event: WireEvent) => void>()
  const clients = new Map<string, string>()
  const reports = new Map<string, Map<string, ClientReport['violations'][number]>>()
  const emit = (event: WireEvent) => {
    for (const listener of listeners) listener(event)
  }
  const knownClient = (session: string | null) =>
    session === null ? null : (clients.get(session) ?? null)
  const put = (exchange: Exchange): WireRecord => {
    const record = recordOf(exchange, knownClient)
    const size = sizeOf(record)
    const previous = records.get(record.id)
    bytes += size - (previous?.bytes ?? 0)
    records.set(record.id, { record, bytes: size })
    for (const [id, kept] of records) {
      if (records.size <= limits.maxExchanges && bytes <= limits.maxBytes) break
      if (id === record.id) continue
      records.delete(id)
      bytes -= kept.bytes
    }
    return record
  }
  const learn = (record: WireRecord) => {
    if (record.session !== null && record.client !== null && !clients.has(record.session)) {
      clients.set(record.session, record.client)
      trim(clients, KNOWN_SESSIONS)
    }
    if (record.findings.length === 0) return
    const client = record.client ?? 'an unnamed client'
    const lines = reports.get(client) ?? new Map()
    reports.delete(client)
    reports.set(client, lines)
    trim(reports, REPORT_CLIENTS)
    for (const finding of record.findings) {
      const rule = STRICT_RULES[finding.rule as StrictRuleId]
      if (rule === undefined) continue
      const line = lines.get(finding.rule)
      lines.set(finding.rule, {
        rule: finding.rule,
        level: finding.level,
        count: (line?.count ?? 0) + 1,
        detail: finding.detail,
        exchange: record.id,
        at: record.endedAt ?? record.startedAt,
        quote: rule.quote,
        spec: rule.spec,
        fix: rule.fix,
      })
    }
  }
  const observer: Observer = {
    begin: (exchange) => emit({ type: 'exchange', record: put(exchange) }),
    frame: (exchange) => emit({ type: 'exchange', record: put(exchange) }),
    end: (exchange) => {
      const record = put(exchange)
      learn(record)
      emit({ type: 'exchange', record })
    },
  }
  return {
    observer,
    list: () => [...records.values()].map(({ record }) => record),
    watch: (listener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    get watchers() {
      return listeners.size
    },
    report: () =>
      [...reports]
        .reverse()
        .map(([client, lines]) => ({ client, violations: [...lines.values()] })),
  }
}
