// The isolate's own memory of recent operations and audit events, for `npm run stats` against a
// running `npm start` (where Analytics Engine stores nothing): the last LOCAL_STATS_MAX points,
// oldest dropped first, and the report over a window of them. Under `wrangler dev` one isolate
// serves every request, so this is the whole server; deployed, each isolate has its own, and
// the whole is Analytics Engine's (scripts/stats.mjs asks its SQL API).
//
// It holds counts and timings only: names of methods, tools, prompts and clients, never a
// subject, an address, an argument or a result.

import type { Point } from './points.ts'

const points: Point[] = []
/** Where the next point goes once the buffer is full (it then wraps around). */
let next = 0
/** Points dropped to make room since the isolate started. */
let dropped = 0

/** Keeps `point`, within `capacity` (0: keeps nothing). */
export const keepPoint = (point: Point, capacity: number): void => {
  if (capacity <= 0) return
  if (points.length > capacity) {
    // The setting shrank: keep the newest `capacity`, in order.
    const ordered = [...points.slice(next), ...points.slice(0, next)].slice(-capacity)
    dropped += points.length - ordered.length
    points.splice(0, points.length, ...ordered)
    next = 0
  }
  if (points.length < capacity) {
    points.push(point)
    return
  }
  points[next] = point
  next = (next + 1) % capacity
  dropped += 1
}

/** Quantile `q` of sorted `values` (nearest rank). */
const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0

interface Latencies {
  count: number
  errors: number
  p50_ms: number
  p95_ms: number
  p99_ms: number
}

const latencies = (group: readonly Point[]): Latencies => {
  const sorted = group.map((point) => point.durationMs).sort((a, b) => a - b)
  return {
    count: group.length,
    errors: group.filter((point) => !point.ok).length,
    p50_ms: quantile(sorted, 0.5),
    p95_ms: quantile(sorted, 0.95),
    p99_ms: quantile(sorted, 0.99),
  }
}

/** Groups `items` by `key`, in first-seen order. */
const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [item])
    else group.push(item)
  }
  return groups
}

const byCount = (a: { count: number }, b: { count: number }) => b.count - a.count

/** Rows at most per table (the SQL asks for as many). */
export const REPORT_ROWS = 100

/**
 * The report over the last `windowMs` (the same tables `npm run stats` reads from Analytics
 * Engine): operations by method and tool, by client, and audit events by name and outcome.
 */
export const localReport = (windowMs: number, now = Date.now()) => {
  const recent = points.filter((point) => point.at > now - windowMs)
  const ops = recent.filter((point) => point.kind === 'op')
  const operations = [...groupBy(ops, (p) => `${p.name}\u0000${p.target}`).values()]
    .map((group) => ({ method: group[0]!.name, target: group[0]!.target, ...latencies(group) }))
    .sort(byCount)
  const clients = [...groupBy(ops, (p) => `${p.client}\u0000${p.clientVersion}`).values()]
    .map((group) => ({
      client: group[0]!.client,
      version: group[0]!.clientVersion,
      ...latencies(group),
    }))
    .sort(byCount)
  const audits = recent.filter((point) => point.kind === 'audit')
  const auth = [...groupBy(audits, (p) => `${p.name}\u0000${p.ok}`).values()]
    .map((group) => ({
      event: group[0]!.name,
      outcome: group[0]!.ok ? 'success' : 'failure',
      count: group.length,
    }))
    .sort(byCount)
  const oldest = points.reduce((min, point) => Math.min(min, point.at), Infinity)
  return {
    source: 'isolate' as const,
    window_s: Math.round(windowMs / 1000),
    kept: points.length,
    dropped,
    since: Number.isFinite(oldest) ? new Date(oldest).toISOString() : null,
    operations: operations.slice(0, REPORT_ROWS),
    clients: clients.slice(0, REPORT_ROWS),
    auth: auth.slice(0, REPORT_ROWS),
  }
}
