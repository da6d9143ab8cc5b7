// npm run stats: how the server is doing, without reading its logs: operations, errors and
// latency percentiles per method and tool, per client, and authentication events, over the last
// hour (or --since).
//
//   npm run stats                                  the running `npm start` (its own memory)
//   npm run stats -- --since 1d --url http://127.0.0.1:8788
//   CLOUDFLARE_ACCOUNT_ID=... CLOUDFLARE_API_TOKEN=... npm run stats -- --env production
//                                                  a deployment, from Analytics Engine
//
// Options: --since <n>m|<n>h|<n>d (default 1h; the running server keeps at most 1 d), --url
// (default http://127.0.0.1:8787), --admin-token (a deployed server's own memory; or
// ADMIN_TOKEN), --env (the wrangler environment whose dataset to read), --dataset (instead of
// --env), --json. STATS_API_URL replaces https://api.cloudflare.com/client/v4 (tests).
//
// Alerts (README, "Alert recipes"): --max-error-rate <percent>, --max-p99 <ms> and
// --max-auth-failures <count> check the report; any limit passed prints ALERT lines and exits 3,
// so a scheduled job (cron, a GitHub Actions schedule) fails and notifies.
// Exits 0 with a report, 1 when it could not be read, 2 on a usage error, 3 on an alert.

import { parseArgs } from 'node:util'
import {
  API_BASE,
  breaches,
  DATASET,
  formatReport,
  localReport,
  parseWindow,
  sqlReport,
  StatsError,
} from './lib/stats.mjs'

const USAGE = `Usage: npm run stats -- [--since 1h] [--url http://127.0.0.1:8787] [--admin-token T]
       CLOUDFLARE_ACCOUNT_ID=... CLOUDFLARE_API_TOKEN=... npm run stats -- [--env NAME | --dataset NAME] [--since 1d]`

/** The local report covers at most a day (src/ops/stats.ts WINDOW_MAX_S). */
const LOCAL_MAX_S = 86_400
/** Analytics Engine keeps three months. */
const SQL_MAX_S = 90 * 86_400

const usage = (message) => {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

/** The dataset wrangler.toml binds as ANALYTICS in `environment` (top level when undefined). */
const datasetOf = async (environment) => {
  const { ROOT } = await import('./lib/wrangler.mjs')
  const { unstable_readConfig } = await import('wrangler')
  const config = unstable_readConfig({ config: `${ROOT}/wrangler.toml`, env: environment })
  const binding = config.analytics_engine_datasets.find((entry) => entry.binding === 'ANALYTICS')
  if (binding?.dataset === undefined) {
    throw new StatsError(
      `wrangler.toml binds no ANALYTICS dataset${environment === undefined ? '' : ` in [env.${environment}]`}`,
    )
  }
  return binding.dataset
}

const main = async () => {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        since: { type: 'string', default: '1h' },
        url: { type: 'string', default: process.env.STATS_URL ?? 'http://127.0.0.1:8787' },
        'admin-token': { type: 'string' },
        env: { type: 'string' },
        dataset: { type: 'string' },
        json: { type: 'boolean', default: false },
        'max-error-rate': { type: 'string' },
        'max-p99': { type: 'string' },
        'max-auth-failures': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }))
  } catch (error) {
    usage(error.message)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  const limit = (name) => {
    const text = values[name]
    if (text === undefined) return undefined
    if (!/^\d+(\.\d+)?$/.test(text)) usage(`--${name} must be a number`)
    return Number(text)
  }
  const limits = {
    maxErrorRate: limit('max-error-rate'),
    maxP99: limit('max-p99'),
    maxAuthFailures: limit('max-auth-failures'),
  }
  const seconds = parseWindow(values.since)
  if (seconds === null) usage(`--since must be like 30m, 1h or 1d, not ${values.since}`)
  const accountId = process.env.CLOUDFLARE_ACCOUNT_ID ?? ''
  const token = process.env.CLOUDFLARE_API_TOKEN ?? ''
  const deployed = accountId !== '' && token !== ''
  let report
  if (deployed) {
    if (seconds > SQL_MAX_S) usage('--since may be at most 90d (what Analytics Engine keeps)')
    if (values.dataset !== undefined && !DATASET.test(values.dataset)) {
      usage('--dataset must be letters, digits and _')
    }
    const dataset = values.dataset ?? (await datasetOf(values.env))
    const base = process.env.STATS_API_URL ?? API_BASE
    report = await sqlReport({ accountId, token, dataset, seconds, base })
  } else {
    if (values.env !== undefined || values.dataset !== undefined) {
      usage(
        '--env and --dataset read Analytics Engine: set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN',
      )
    }
    if (seconds > LOCAL_MAX_S) usage('a running server keeps at most 1d: --since 1d or less')
    const adminToken = values['admin-token'] ?? process.env.ADMIN_TOKEN
    report = await localReport({ url: values.url, seconds, adminToken })
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report))
  const alerts = breaches(report, limits)
  for (const alert of alerts) console.error(`ALERT: ${alert}`)
  if (alerts.length > 0) process.exit(3)
}

main().catch((error) => {
  if (!(error instanceof StatsError)) throw error
  console.error(error.message)
  process.exit(1)
})
