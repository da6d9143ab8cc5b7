// The metrics: one data point per operation and per audit event, the same record written to
// Workers Analytics Engine (deployed) and kept in the isolate's memory (local-stats.ts, which
// `npm run stats` reads from a running `npm start`, where Analytics Engine stores nothing).
//
// The dataset's columns (the SQL of scripts/lib/stats.mjs reads them by these positions):
//
//   index1   the operation's name (the sampling key: each name is sampled on its own)
//   blob1    "op" or "audit"          blob6   client name (audit: the OAuth client id)
//   blob2    method or event name     blob7   client version
//   blob3    tool or prompt name      blob8   protocol revision
//   blob4    "ok" or "error"          blob9   transport (streamable-http, sse)
//   blob5    error.type               blob10  how the caller authenticated (oauth, api-key)
//   double1  duration (ms)            double3 tool arguments (bytes)
//   double2  HTTP status              double4 tool result (bytes)
//
// Writing never waits: `writeDataPoint` queues the point and returns (Analytics Engine docs,
// "Write data"); a point that cannot be written is dropped, never an error for the client.

import type { Env } from '../settings/env.ts'

export interface Point {
  kind: 'op' | 'audit'
  /** The method (or, without one, `<HTTP method> <path>`), or the audit event's name. */
  name: string
  /** The tool or prompt the operation named. */
  target: string
  ok: boolean
  errorType: string
  client: string
  clientVersion: string
  revision: string
  transport: string
  via: string
  durationMs: number
  status: number
  argumentBytes: number
  resultBytes: number
  /** When it ended (epoch ms). */
  at: number
}

/** The binding of the dataset (wrangler.toml `[[analytics_engine_datasets]]`). */
export const DATASET_BINDING = 'ANALYTICS'

interface Dataset {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void
}

/** The Analytics Engine binding, if the Worker has one. */
export const datasetOf = (env: Env): Dataset | null => {
  const binding = env[DATASET_BINDING] as { writeDataPoint?: unknown } | undefined
  return typeof binding?.writeDataPoint === 'function' ? (binding as Dataset) : null
}

/** Blobs are kept short: an index may hold 96 bytes, all blobs of a point 16 KiB. */
const blob = (value: string, max = 256): string => value.slice(0, max)

/** Writes `point` to the dataset; a failure is logged, never thrown. */
export const writePoint = (dataset: Dataset, point: Point): void => {
  try {
    dataset.writeDataPoint({
      indexes: [blob(point.name, 96)],
      blobs: [
        point.kind,
        blob(point.name),
        blob(point.target),
        point.ok ? 'ok' : 'error',
        blob(point.errorType),
        blob(point.client),
        blob(point.clientVersion),
        blob(point.revision),
        point.transport,
        point.via,
      ],
      doubles: [point.durationMs, point.status, point.argumentBytes, point.resultBytes],
    })
  } catch (error) {
    console.error('metrics: writeDataPoint failed', error)
  }
}
