// What `npm run stats` reads and prints. Two sources give the same three tables (operations by
// method and tool, by client, and audit events by name and outcome):
//
//   - a running server's own memory, `GET <url>/admin/stats?window=<s>` (src/ops/stats.ts):
//     `npm start` on this machine, where Analytics Engine stores nothing;
//   - Workers Analytics Engine's SQL API, for a deployment: the dataset of the wrangler
//     environment, queried with CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (a token with
//     Account Analytics: Read).
//
// The columns are those src/observe/points.ts writes: blob1 kind ("op" or "audit"), blob2 the
// method or event, blob3 the tool or prompt, blob4 "ok" or "error", blob6 and blob7 the client's
// name and version, double1 the duration in ms. Counts are sums of `_sample_interval`, and
// percentiles are weighted by it, since Analytics Engine samples what it stores.

export const API_BASE = 'https://api.cloudflare.com/client/v4'

const UNITS = { m: 60, h: 3600, d: 86_400 }

/** "90m", "1h", "1d" -> seconds; null if it is not one. */
export const parseWindow = (text) => {
  const match = /^(\d+)([mhd])$/.exec(String(text).trim())
  if (match === null) return null
  const seconds = Number(match[1]) * UNITS[match[2]]
  return seconds > 0 ? seconds : null
}

/** Seconds in words: 3600 -> "1 h". */
export const windowWords = (seconds) =>
  seconds % 86_400 === 0
    ? `${seconds / 86_400} d`
    : seconds % 3600 === 0
      ? `${seconds / 3600} h`
      : `${Math.round(seconds / 60)} min`

/** A dataset name as SQL may hold it unquoted. */
export const DATASET = /^[A-Za-z0-9_]{1,64}$/

/** The three queries for `dataset` over the last `seconds`. */
export const statsSql = (dataset, seconds) => {
  if (!DATASET.test(dataset)) throw new Error(`not a dataset name: ${dataset}`)
  const since = `timestamp > NOW() - INTERVAL '${Math.max(1, Math.round(seconds / 60))}' MINUTE`
  const latency = [0.5, 0.95, 0.99]
    .map(
      (q) => `quantileExactWeighted(${q})(double1, _sample_interval) AS p${Math.round(q * 100)}_ms`,
    )
    .join(', ')
  const errors = `sumIf(_sample_interval, blob4 = 'error') AS errors`
  return {
    operations:
      `SELECT blob2 AS method, blob3 AS target, SUM(_sample_interval) AS count, ${errors}, ` +
      `${latency} FROM ${dataset} WHERE blob1 = 'op' AND ${since} ` +
      `GROUP BY method, target ORDER BY count DESC LIMIT 100 FORMAT JSON`,
    clients:
      `SELECT blob6 AS client, blob7 AS version, SUM(_sample_interval) AS count, ${errors}, ` +
      `${latency} FROM ${dataset} WHERE blob1 = 'op' AND ${since} ` +
      `GROUP BY client, version ORDER BY count DESC LIMIT 100 FORMAT JSON`,
    auth:
      `SELECT blob2 AS event, blob4 AS outcome, ` +
      `SUM(_sample_interval) AS count FROM ${dataset} WHERE blob1 = 'audit' AND ${since} ` +
      `GROUP BY event, outcome ORDER BY count DESC LIMIT 100 FORMAT JSON`,
  }
}

/** Raised with a sentence for the person running the script. */
export class StatsError extends Error {}

const NUMERIC = ['count', 'errors', 'p50_ms', 'p95_ms', 'p99_ms']

/** A row with its numbers as numbers (the SQL API's JSON may quote 64-bit integers). */
const numeric = (row) =>
  Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, NUMERIC.includes(key) ? Number(value) : value]),
  )

/** The report from the Analytics Engine SQL API. */
export const sqlReport = async ({ accountId, token, dataset, seconds, base = API_BASE }) => {
  const url = `${base.replace(/\/+$/, '')}/accounts/${encodeURIComponent(accountId)}/analytics_engine/sql`
  const queries = statsSql(dataset, seconds)
  const tables = {}
  for (const [name, sql] of Object.entries(queries)) {
    let response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body: sql,
        signal: AbortSignal.timeout(30_000),
      })
    } catch (error) {
      throw new StatsError(`The Analytics Engine SQL API did not answer (${error.message})`)
    }
    const text = await response.text()
    if (!response.ok) {
      const hint =
        response.status === 401 || response.status === 403
          ? ': CLOUDFLARE_API_TOKEN needs the permission Account Analytics: Read'
          : ''
      throw new StatsError(
        `The Analytics Engine SQL API answered ${response.status}${hint}\n${text.slice(0, 500)}`,
      )
    }
    let body
    try {
      body = JSON.parse(text)
    } catch {
      throw new StatsError(`The Analytics Engine SQL API answered something that is not JSON`)
    }
    tables[name] = (Array.isArray(body.data) ? body.data : []).map(numeric)
  }
  // An audit point is "ok" or "error"; the report says success or failure, as the log does.
  for (const row of tables.auth ?? []) row.outcome = row.outcome === 'ok' ? 'success' : 'failure'
  return { source: `Analytics Engine dataset ${dataset}`, window_s: seconds, ...tables }
}

/** The report of a running server (GET /admin/stats). */
export const localReport = async ({ url, seconds, adminToken }) => {
  const target = `${url.replace(/\/+$/, '')}/admin/stats?window=${seconds}`
  let response
  try {
    response = await fetch(target, {
      headers: adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` },
      signal: AbortSignal.timeout(10_000),
    })
  } catch {
    throw new StatsError(
      `Nothing answered at ${url}: start the server with npm start, or pass --url. For a ` +
        'deployment, set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN to read Analytics Engine.',
    )
  }
  const text = await response.text()
  if (response.status === 401 || response.status === 503) {
    throw new StatsError(
      `${target} answered ${response.status}: off this machine the stats endpoint needs ` +
        '--admin-token <ADMIN_TOKEN> (or ADMIN_TOKEN in the environment).',
    )
  }
  if (!response.ok)
    throw new StatsError(`${target} answered ${response.status}: ${text.slice(0, 300)}`)
  const report = JSON.parse(text)
  const since = report.since === null ? 'nothing kept yet' : `kept since ${report.since}`
  return {
    ...report,
    source: `${url} (the server's own memory: ${report.kept} points, ${since})`,
  }
}

const pad = (value, width, right = false) => {
  const text = String(value)
  return right ? text.padStart(width) : text.padEnd(width)
}

const ms = (value) =>
  Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : value.toFixed(0)) : '-'

const LABEL = 40

/** A table of latency rows under `title`. */
const latencyTable = (title, rows, label) => {
  const head = `${pad(title, LABEL)}${['count', 'errors', 'p50 ms', 'p95 ms', 'p99 ms'].map((h) => pad(h, 9, true)).join('')}`
  const lines = rows.map(
    (row) =>
      `${pad(label(row).slice(0, LABEL - 2), LABEL)}${pad(row.count, 9, true)}${pad(row.errors, 9, true)}` +
      `${pad(ms(row.p50_ms), 9, true)}${pad(ms(row.p95_ms), 9, true)}${pad(ms(row.p99_ms), 9, true)}`,
  )
  return [head, ...(lines.length === 0 ? ['  (none)'] : lines)]
}

/** The report as text. */
export const formatReport = (report) => {
  const operations = report.operations ?? []
  const total = operations.reduce((sum, row) => sum + row.count, 0)
  const errors = operations.reduce((sum, row) => sum + row.errors, 0)
  const rate = total === 0 ? '0' : ((100 * errors) / total).toFixed(1)
  const auth = report.auth ?? []
  const authLines = auth.map(
    (row) =>
      `${pad(`${row.event} ${row.outcome}`.slice(0, LABEL - 2), LABEL)}${pad(row.count, 9, true)}`,
  )
  return [
    `bare-mcp stats, last ${windowWords(report.window_s)}: ${report.source}`,
    `${total} operations, ${errors} errors (${rate}%)`,
    '',
    ...latencyTable('Operations', operations, (row) =>
      row.target === '' ? row.method : `${row.method} ${row.target}`,
    ),
    '',
    ...latencyTable('Clients', report.clients ?? [], (row) =>
      row.client === '' ? '(unnamed)' : `${row.client} ${row.version}`.trim(),
    ),
    '',
    `${pad('Authentication', LABEL)}${pad('count', 9, true)}`,
    ...(authLines.length === 0 ? ['  (none)'] : authLines),
    '',
  ].join('\n')
}

/**
 * Alert checks over a report: the share of operations that failed, the worst p99 of any method
 * (GET streams left out: their "latency" is how long a stream stayed open), and the number of
 * failed authentication events. Each breached limit is a sentence; none: [].
 */
export const breaches = (report, { maxErrorRate, maxP99, maxAuthFailures }) => {
  const found = []
  const operations = report.operations ?? []
  const total = operations.reduce((sum, row) => sum + row.count, 0)
  const errors = operations.reduce((sum, row) => sum + row.errors, 0)
  const rate = total === 0 ? 0 : (100 * errors) / total
  if (maxErrorRate !== undefined && rate > maxErrorRate) {
    found.push(
      `error rate ${rate.toFixed(1)}% > ${maxErrorRate}% (${errors} of ${total} operations)`,
    )
  }
  if (maxP99 !== undefined) {
    for (const row of operations) {
      if (row.method.startsWith('GET ')) continue
      if (row.p99_ms > maxP99) {
        const name = row.target === '' ? row.method : `${row.method} ${row.target}`
        found.push(`p99 of ${name} ${ms(row.p99_ms)} ms > ${maxP99} ms`)
      }
    }
  }
  if (maxAuthFailures !== undefined) {
    const failures = (report.auth ?? [])
      .filter((row) => row.outcome === 'failure')
      .reduce((sum, row) => sum + row.count, 0)
    if (failures > maxAuthFailures) {
      found.push(`${failures} failed authentication events > ${maxAuthFailures}`)
    }
  }
  return found
}
