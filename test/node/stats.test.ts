// Observability end to end: a real `wrangler dev` with AUTH=true, a few calls with curl's
// equivalent (fetch), then its output holds one JSON line per operation and an audit line per
// authentication event, with no key or token in it (BM-LOG-6), and `npm run stats` prints them
// with their latencies from the running server (BM-METRICS-3). The Analytics Engine side of
// `npm run stats` is proven against a stand-in for the SQL API: the exact SQL it sends, with
// the account and token, and the report it prints from the answer (BM-METRICS-3); every
// wrangler environment binds the dataset and keeps its logs (BM-METRICS-4, BM-LOG-6).

import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { unstable_readConfig } from 'wrangler'
import { ROOT, startWrangler } from '../../scripts/lib/wrangler.mjs'

const run = promisify(execFile)
const LOG = `${ROOT}/.wrangler/test-stats.log`
const ADMIN = 'stats-admin-token-0123456789'

/** Runs `npm run stats` (the script itself) with `args` and `env`; stdout, stderr, exit code. */
const stats = async (args: string[], env: Record<string, string> = {}) => {
  const clean = { ...process.env }
  delete clean.CLOUDFLARE_ACCOUNT_ID
  delete clean.CLOUDFLARE_API_TOKEN
  delete clean.ADMIN_TOKEN
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/stats.mjs', ...args], {
      cwd: ROOT,
      env: { ...clean, ...env },
      timeout: 60_000,
    })
    return { stdout, stderr, code: 0 }
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number }
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code }
  }
}

type Line = Record<string, unknown>

/** The JSON lines of the server's output. */
const jsonLines = (): Line[] =>
  readFileSync(LOG, 'utf8')
    .split('\n')
    .flatMap((text) => {
      // wrangler dev marks warnings and errors (and colours them): the JSON is inside.
      const start = text.indexOf('{"time"')
      if (start === -1) return []
      try {
        return [JSON.parse(text.slice(start, text.lastIndexOf('}') + 1)) as Line]
      } catch {
        return []
      }
    })

describe('BM-LOG-6 BM-METRICS-3 a running server: its output and npm run stats', () => {
  let worker: { url: string; stop: () => Promise<void> }
  let key = ''
  let keyId = ''

  let session = ''
  const mcp = (body: unknown, token: string | null) =>
    fetch(`${worker.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        ...(session === '' ? {} : { 'mcp-session-id': session }),
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    })

  beforeAll(async () => {
    worker = await startWrangler({
      vars: { AUTH: 'true', ADMIN_TOKEN: ADMIN, AUTH_SECRET: 'stats-test-secret-0123456789abcdef' },
      log: LOG,
      readyMs: 90_000,
    })
    const created = await fetch(`${worker.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'stats', scopes: [] }),
    })
    expect(created.status).toBe(201)
    const body = (await created.json()) as { key: string; id: string }
    key = body.key
    keyId = body.id
    const init = {
      jsonrpc: '2.0',
      id: 'e2e-init',
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'stats-e2e', version: '1.0' },
      },
    }
    const initialized = await mcp(init, key)
    expect(initialized.status).toBe(200)
    // The calls belong to the session: their client is the one its initialize named.
    session = initialized.headers.get('mcp-session-id') ?? ''
    expect(session).not.toBe('')
    for (const id of ['e2e-1', 'e2e-2', 'e2e-3']) {
      const call = {
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'add', arguments: { a: 1, b: 2 } },
      }
      expect((await mcp(call, key)).status).toBe(200)
    }
    expect((await mcp({ jsonrpc: '2.0', id: 'e2e-x', method: 'no/such' }, key)).status).toBe(200)
    expect((await mcp({ jsonrpc: '2.0', id: 'e2e-401', method: 'ping' }, null)).status).toBe(401)
    // Lines are written after each response; give the last one a moment.
    await new Promise((resolve) => setTimeout(resolve, 500))
  }, 120_000)

  afterAll(() => worker?.stop())

  test('BM-LOG-6 one JSON line per operation, with the OpenTelemetry MCP fields', () => {
    const operations = jsonLines().filter((line) => line.kind === 'operation')
    const byId = (id: string) => operations.filter((line) => line['jsonrpc.request.id'] === id)
    for (const id of ['e2e-init', 'e2e-1', 'e2e-2', 'e2e-3', 'e2e-x'])
      expect(byId(id)).toHaveLength(1)
    expect(byId('e2e-1')[0]).toMatchObject({
      level: 'info',
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'add',
      'mcp.protocol.version': '2025-11-25',
      'mcp.transport': 'streamable-http',
      'http.response.status_code': 200,
      'enduser.id': `key:${keyId}`,
      'oauth.client.id': 'api-key',
      'enduser.auth': 'api-key',
      'mcp.tool.arguments.size': 13,
    })
    expect(byId('e2e-init')[0]).toMatchObject({
      'mcp.client.name': 'stats-e2e',
      'mcp.client.version': '1.0',
    })
    expect(byId('e2e-2')[0]).toMatchObject({
      'mcp.client.name': 'stats-e2e',
      'mcp.session.id': session,
    })
    expect(byId('e2e-x')[0]).toMatchObject({ level: 'warn', 'error.type': '-32601' })
    expect(typeof byId('e2e-1')[0]!.duration_ms).toBe('number')
  })

  test('BM-LOG-6 an audit line per authentication event, and no key or token anywhere', () => {
    const audits = jsonLines().filter((line) => line.kind === 'audit')
    const names = audits.map(
      (line) => `${String(line['event.name'])} ${String(line['event.outcome'])}`,
    )
    expect(names).toContain('auth.api_key.created success')
    expect(names).toContain('auth.api_key.used success')
    expect(names).toContain('auth.refused failure')
    const refused = audits.find((line) => line['event.name'] === 'auth.refused')
    expect(refused).toMatchObject({ reason: 'no token', 'http.response.status_code': 401 })
    const output = readFileSync(LOG, 'utf8')
    expect(output).not.toContain(key)
    expect(output).not.toContain(ADMIN)
  })

  test('BM-METRICS-3 npm run stats prints the calls with their latencies', async () => {
    const { stdout, stderr, code } = await stats(['--url', worker.url, '--since', '30m'])
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(
      /^bare-mcp stats, last 30 min: http:\/\/127\.0\.0\.1:\d+ \(the server's own memory/,
    )
    expect(stdout).toMatch(/^tools\/call add +3 +0 +[\d.]+ +[\d.]+ +[\d.]+$/m)
    expect(stdout).toMatch(/^no\/such +1 +1 /m)
    expect(stdout).toMatch(/^stats-e2e 1\.0 +5 +1 /m)
    // The readiness probe's ping (no token) is refused too.
    expect(stdout).toMatch(/^auth\.refused failure +[12]$/m)
    expect(stdout).toMatch(/^auth\.api_key\.created success +1$/m)
    const json = await stats(['--url', worker.url, '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ window_s: 3600 })
  })

  test('BM-METRICS-3 usage errors exit 2; no server answering exits 1 with what to do', async () => {
    expect((await stats(['--since', 'forever'])).code).toBe(2)
    expect((await stats(['--since', '2d', '--url', worker.url])).code).toBe(2)
    const none = await stats(['--url', 'http://127.0.0.1:9'])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('start the server with npm start')
  })
})

describe('BM-METRICS-3 npm run stats reads Analytics Engine with the SQL API', () => {
  const seen: { url: string; authorization: string | undefined; sql: string }[] = []
  let status = 200
  const standIn = createServer((request: IncomingMessage, response) => {
    let sql = ''
    request.on('data', (chunk: Buffer) => (sql += chunk.toString('utf8')))
    request.on('end', () => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization, sql })
      const data = sql.includes("blob1 = 'audit'")
        ? [{ event: 'auth.refused', outcome: 'error', count: '12' }]
        : sql.includes('blob6 AS client')
          ? [
              {
                client: 'ChatGPT',
                version: '1.0',
                count: '40',
                errors: '2',
                p50_ms: 12.5,
                p95_ms: 80,
                p99_ms: 140,
              },
            ]
          : [
              {
                method: 'tools/call',
                target: 'search',
                count: '40',
                errors: '2',
                p50_ms: 12.5,
                p95_ms: 80,
                p99_ms: 140,
              },
            ]
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(
        status === 200
          ? JSON.stringify({ meta: [], data, rows: data.length })
          : '{"errors":[{"message":"no"}]}',
      )
    })
  })
  let base = ''
  beforeAll(async () => {
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/client/v4`
  })
  afterAll(() => new Promise<void>((resolve) => standIn.close(() => resolve())))
  const account = { CLOUDFLARE_ACCOUNT_ID: 'acct123', CLOUDFLARE_API_TOKEN: 'cf-token-abc' }

  test('BM-METRICS-3 the SQL sent for --env production --since 1d, and the report printed', async () => {
    seen.length = 0
    status = 200
    const { stdout, stderr, code } = await stats(['--env', 'production', '--since', '1d'], {
      ...account,
      STATS_API_URL: base,
    })
    expect(code, stderr).toBe(0)
    const since = "timestamp > NOW() - INTERVAL '1440' MINUTE"
    const latency =
      'quantileExactWeighted(0.5)(double1, _sample_interval) AS p50_ms, ' +
      'quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms, ' +
      'quantileExactWeighted(0.99)(double1, _sample_interval) AS p99_ms'
    const errors = "sumIf(_sample_interval, blob4 = 'error') AS errors"
    expect(seen).toEqual([
      {
        url: '/client/v4/accounts/acct123/analytics_engine/sql',
        authorization: 'Bearer cf-token-abc',
        sql:
          `SELECT blob2 AS method, blob3 AS target, SUM(_sample_interval) AS count, ${errors}, ${latency} ` +
          `FROM bare_mcp_production WHERE blob1 = 'op' AND ${since} GROUP BY method, target ORDER BY count DESC LIMIT 100 FORMAT JSON`,
      },
      {
        url: '/client/v4/accounts/acct123/analytics_engine/sql',
        authorization: 'Bearer cf-token-abc',
        sql:
          `SELECT blob6 AS client, blob7 AS version, SUM(_sample_interval) AS count, ${errors}, ${latency} ` +
          `FROM bare_mcp_production WHERE blob1 = 'op' AND ${since} GROUP BY client, version ORDER BY count DESC LIMIT 100 FORMAT JSON`,
      },
      {
        url: '/client/v4/accounts/acct123/analytics_engine/sql',
        authorization: 'Bearer cf-token-abc',
        sql:
          `SELECT blob2 AS event, blob4 AS outcome, SUM(_sample_interval) AS count FROM bare_mcp_production ` +
          `WHERE blob1 = 'audit' AND ${since} GROUP BY event, outcome ORDER BY count DESC LIMIT 100 FORMAT JSON`,
      },
    ])
    expect(stdout).toContain(
      'bare-mcp stats, last 1 d: Analytics Engine dataset bare_mcp_production',
    )
    expect(stdout).toContain('40 operations, 2 errors (5.0%)')
    expect(stdout).toMatch(/^tools\/call search +40 +2 +13 +80 +140$/m)
    expect(stdout).toMatch(/^ChatGPT 1\.0 +40 +2 /m)
    expect(stdout).toMatch(/^auth\.refused failure +12$/m)
  })

  test('BM-METRICS-5 alert limits: error rate, p99 and authentication failures passed exit 3; within them 0', async () => {
    status = 200
    const env = { ...account, STATS_API_URL: base }
    const breached = await stats(
      ['--since', '15m', '--max-error-rate', '1', '--max-p99', '100', '--max-auth-failures', '0'],
      env,
    )
    expect(breached.code).toBe(3)
    expect(breached.stderr.split('\n').filter(Boolean)).toEqual([
      'ALERT: error rate 5.0% > 1% (2 of 40 operations)',
      'ALERT: p99 of tools/call search 140 ms > 100 ms',
      'ALERT: 12 failed authentication events > 0',
    ])
    const calm = await stats(
      ['--since', '15m', '--max-error-rate', '10', '--max-p99', '500', '--max-auth-failures', '20'],
      env,
    )
    expect(calm.code, calm.stderr).toBe(0)
  })

  test('BM-METRICS-3 the top-level dataset without --env; a refused token says which permission', async () => {
    seen.length = 0
    status = 403
    const { stderr, code } = await stats([], { ...account, STATS_API_URL: base })
    expect(code).toBe(1)
    expect(seen[0]!.sql).toContain('FROM bare_mcp WHERE')
    expect(stderr).toContain('Account Analytics: Read')
    expect(stderr).not.toContain('cf-token-abc')
  })
})

describe('BM-METRICS-4 every wrangler environment writes its own dataset and keeps its logs', () => {
  test.each([undefined, 'development', 'staging', 'production', 'conformance'])(
    'BM-METRICS-4 BM-LOG-6 environment %s',
    (environment) => {
      const config = unstable_readConfig({ config: `${ROOT}/wrangler.toml`, env: environment })
      expect(config.analytics_engine_datasets).toEqual([
        {
          binding: 'ANALYTICS',
          dataset: environment === undefined ? 'bare_mcp' : `bare_mcp_${environment}`,
        },
      ])
      expect(config.observability).toMatchObject({ enabled: true, head_sampling_rate: 1 })
    },
  )
})
