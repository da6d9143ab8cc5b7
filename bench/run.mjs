// `npm run bench`: bare-mcp's throughput against raw Workers, and the deployable bundle's size.
// `npm run bench -- --streams`: memory and CPU with 1,000 open SSE streams (bench/streams.mjs).
//
// 1. Starts three `wrangler dev` instances on 127.0.0.1 (free ports): bare-mcp; the raw fixture
//    in bench/raw/ that answers every POST with fixed bytes without parsing the body; and the
//    raw fixture in bench/raw-do/ that forwards every POST to a SQLite Durable Object, which
//    does one read and answers with the same fixed bytes (the floor of a session's request).
// 2. Checks that bare-mcp's answer to each bench request equals its fixture's, byte for byte.
//    There are three `tools/call` echo requests: at 2025-11-25 without a session (the call a
//    legacy client makes once initialized; against raw), at 2026-07-28 (stateless: version,
//    method and name headers, and `_meta` with the protocol version and client capabilities in
//    the body; against raw), and at 2025-11-25 in a session (Mcp-Session-Id from one
//    `initialize` per run; bare-mcp runs it in the session's shard; against raw-do).
// 3. Drives both targets of each request with autocannon, at concurrency 1 and 32. Each run is
//    cut into 4 slices played in ABBA ABBA order (raw, bare, bare, raw, ...), so neither target
//    profits from going first, and slow drift or a noisy neighbour hits both about equally.
// 4. Prints req/s, p50 and p99, and the ratio bare-mcp/fixture (target: >= 0.9 at concurrency
//    32).
// 5. Builds the bundle with `wrangler deploy --dry-run --minify` and prints its gzipped size,
//    the share of the authorization server (src/auth + jose), and the rest against the 40 KB
//    budget.
//
// Exit status: 0 even when a target is missed (they are informational); 1 when a server does
// not start, the answers differ, a measured run had errors, or the build fails; 130 on Ctrl-C.
// Env knobs: see bench/README.md.

import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import autocannon from 'autocannon'
import {
  BenchError,
  directOrigin,
  forget,
  freePorts,
  groupMembers,
  isFinishing,
  printLog,
  ROOT,
  runBounded,
  seconds,
  sleep,
  spawnWrangler,
  stopAll,
  tailOf,
  WORK,
  OBSERVABILITY_ARGS,
} from './lib.mjs'
import { signIn } from '../scripts/lib/oauth-person.mjs'

const DIST = path.join(WORK, 'dist')

const RUN_SECONDS = seconds('BENCH_SECONDS', 10)
const WARMUP_SECONDS = seconds('BENCH_WARMUP_SECONDS', 2)
const START_TIMEOUT_SECONDS = seconds('BENCH_START_TIMEOUT', 90)
const BUILD_TIMEOUT_SECONDS = 180
// wrangler dev logs every request through its Node process ("[wrangler:info] POST /mcp 200");
// BENCH_WRANGLER_LOG_LEVEL=warn turns that per-request hop off for every target.
const LOG_LEVEL = process.env.BENCH_WRANGLER_LOG_LEVEL?.trim() || ''
const LOG_LEVEL_ARGS = LOG_LEVEL === '' ? [] : ['--log-level', LOG_LEVEL]
const CONCURRENCY = [1, 32]
const SLICES = 4 // per request, target and concurrency; even, played as ABBA ABBA
const TARGET_CONCURRENCY = 32
const TARGET_RATIO = 0.9
const BUDGET_GZIP_BYTES = 40_000 // "40 KB", read strictly (40 KiB would be 40,960)

// The bench requests. Both targets must give the same answer to each; the raw fixtures pick
// their answer by the MCP-Protocol-Version header alone. `baseline` names the fixture a request
// is compared with. A `session` request carries the Mcp-Session-Id that bare-mcp minted for one
// `initialize` at the start of the run, to both targets (raw-do routes by its shard, as
// bare-mcp does, so both put every request of the run through one Durable Object).
const PATH = '/mcp'
const HEADERS_2025 = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
}
const ECHO_2025 =
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
const REQUESTS = [
  { name: '2025-11-25', baseline: 'raw', method: 'POST', headers: HEADERS_2025, body: ECHO_2025 },
  {
    name: '2026-07-28',
    baseline: 'raw',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
    },
    body:
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"},' +
      '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}',
  },
  {
    name: 'session 2025-11-25',
    baseline: 'raw-do',
    session: true,
    method: 'POST',
    headers: HEADERS_2025, // + Mcp-Session-Id, set by openBenchSession()
    body: ECHO_2025,
  },
  {
    // The same call to a second bare-mcp with AUTH=true, carrying an access token got through
    // the real flow (DCR, sign-in, consent, /token): what checking a token on every request
    // costs. The raw Worker ignores the header and gives the same answer.
    name: '2025-11-25 + token',
    baseline: 'raw',
    auth: true,
    method: 'POST',
    headers: HEADERS_2025, // + Authorization, set once the token is got
    body: ECHO_2025,
  },
]

// BENCH_ONLY="2026-07-28,session": measure only the requests whose names contain one of these.
const ONLY = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((part) => part.trim())
  .filter((part) => part !== '')
if (ONLY.length > 0) {
  const kept = REQUESTS.filter((request) => ONLY.some((part) => request.name.includes(part)))
  REQUESTS.splice(0, REQUESTS.length, ...kept)
}

// BENCH_AGAINST=<another checkout of bare-mcp, with its node_modules>: compare this build with
// that one instead of with the raw Workers (the sessionless requests only), to see what a change
// does to speed. The other build is the baseline, named `against`.
const AGAINST = process.env.BENCH_AGAINST?.trim() ? path.resolve(process.env.BENCH_AGAINST) : null
if (AGAINST !== null) {
  const kept = REQUESTS.filter((request) => request.baseline === 'raw' && !request.auth)
  REQUESTS.splice(0, REQUESTS.length, ...kept)
}

const INITIALIZE = {
  name: 'initialize',
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'bare-mcp-bench', version: '0.0.0' },
    },
  }),
}
const INITIALIZED = {
  name: 'notifications/initialized',
  method: 'POST',
  body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
}

// ---------------------------------------------------------------------------------------------

const send = async (origin, request, timeoutMs) => {
  const response = await fetch(origin + PATH, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(timeoutMs),
  })
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    headers: response.headers,
    body: await response.text(),
  }
}

/** Polls until the Worker answers anything; fails fast if wrangler exits. */
const waitUntilUp = async (target) => {
  const deadline = Date.now() + START_TIMEOUT_SECONDS * 1000
  let lastError = 'no attempt'
  while (Date.now() < deadline) {
    if (isFinishing()) return // another target failed first; its report is enough
    if (target.proc.exited !== null) {
      printLog(target.proc)
      throw new BenchError(`${target.name}: wrangler ${target.proc.exited} before answering`)
    }
    try {
      await send(target.origin, REQUESTS[0], Math.max(500, Math.min(5000, deadline - Date.now())))
      return
    } catch (error) {
      lastError = error.cause?.code ?? error.name ?? String(error)
    }
    await sleep(250)
  }
  if (isFinishing()) return
  printLog(target.proc)
  throw new BenchError(
    `${target.name}: no answer on ${target.origin} within ${START_TIMEOUT_SECONDS} s (last: ${lastError})`,
  )
}

/** Points `target` at the Worker's own workerd socket (see `directOrigin`). */
const bypassProxy = async (target) => {
  const probe = REQUESTS[0]
  const answer = async (origin, timeoutMs) => {
    const reply = await send(origin, probe, timeoutMs)
    return `${reply.status} ${reply.body}`
  }
  const skip = [Number(new URL(target.origin).port), target.inspector]
  const direct = await directOrigin(target.proc.child.pid, target.origin, skip, answer)
  if (direct === null)
    throw new BenchError(`${target.name}: no workerd socket answers like wrangler dev's proxy`)
  target.origin = direct
}

/**
 * Initializes one session on bare-mcp (as a client would: initialize, then
 * notifications/initialized) and puts its Mcp-Session-Id on every `session` request.
 */
const openBenchSession = async (bare) => {
  const init = await send(bare.origin, INITIALIZE, 10_000)
  const id = init.headers.get('mcp-session-id')
  if (init.status !== 200 || id === null) {
    throw new BenchError(
      `bare-mcp: initialize gave ${init.status} and ${id === null ? 'no' : 'a'} Mcp-Session-Id: ${init.body}`,
    )
  }
  const headers = { ...HEADERS_2025, 'mcp-session-id': id }
  const initialized = await send(bare.origin, { ...INITIALIZED, headers }, 10_000)
  if (initialized.status !== 202) {
    throw new BenchError(`bare-mcp: notifications/initialized gave ${initialized.status}`)
  }
  for (const request of REQUESTS) if (request.session) request.headers = headers
  return id
}

// ---------------------------------------------------------------------------------------------
// Measurement. Latencies are collected from autocannon's per-response event in fractional ms
// (its own histogram rounds to whole ms, too coarse for loopback).

const percentile = (sorted, p) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

/** CPU time (clock ticks) the processes of a target's wrangler process group have used. */
const groupTicks = (target) =>
  target.proc.child.pid === undefined
    ? 0
    : groupMembers(target.proc.child.pid).reduce((total, member) => total + member.ticks, 0)
const TICK_MS = 1000 / 100 // Linux USER_HZ

const drive = async (target, request, connections, duration, expectBody) => {
  const latencies = []
  const ticksBefore = groupTicks(target)
  const instance = autocannon({
    url: target.origin + PATH,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections,
    pipelining: 1,
    duration,
    sampleInt: 250, // autocannon checks for the end once per sample: keep slices near `duration`
    timeout: 10,
    expectBody,
  })
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms)
  })
  const result = await instance
  const cpuMs = (groupTicks(target) - ticksBefore) * TICK_MS
  return {
    cpuMs,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors, // includes timeouts
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    seconds: result.duration,
    rps: result['2xx'] / result.duration,
    latencies,
  }
}

const merge = (parts) => {
  const sum = (key) => parts.reduce((total, part) => total + part[key], 0)
  const latencies = parts.flatMap((part) => part.latencies).sort((a, b) => a - b)
  const run = {
    ok: sum('ok'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    mismatches: sum('mismatches'),
    seconds: sum('seconds'),
    cpuMs: sum('cpuMs'),
  }
  return {
    ...run,
    rps: run.ok / run.seconds,
    // CPU the target's processes spent per answered request: steadier than req/s on a busy
    // machine, since it does not count the time other work had the cores.
    cpuPerRequest: run.ok === 0 ? NaN : run.cpuMs / run.ok,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    bad: run.non2xx + run.errors + run.mismatches,
    sliceMin: Math.min(...parts.map((part) => part.rps)),
    sliceMax: Math.max(...parts.map((part) => part.rps)),
  }
}

// ---------------------------------------------------------------------------------------------
// Output helpers.

const table = (header, rows) => {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)))
  const line = (row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '-')
const bytes = (n) => `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(2)} KiB)`

// ---------------------------------------------------------------------------------------------

const bundle = async () => {
  fs.rmSync(DIST, { recursive: true, force: true })
  const proc = spawnWrangler('deploy-dry-run', [
    'deploy',
    '--config',
    'wrangler.toml',
    '--dry-run',
    '--outdir',
    path.relative(ROOT, DIST),
    '--minify',
    '--metafile',
  ])
  const deadline = Date.now() + BUILD_TIMEOUT_SECONDS * 1000
  while (proc.exited === null && Date.now() < deadline) await sleep(100)
  if (proc.exited === null) {
    await stopAll()
    printLog(proc)
    throw new BenchError(
      `wrangler deploy --dry-run did not finish within ${BUILD_TIMEOUT_SECONDS} s`,
    )
  }
  forget(proc)
  if (proc.exited !== 'exited with code 0') {
    printLog(proc)
    throw new BenchError(`wrangler deploy --dry-run ${proc.exited}`)
  }
  const files = fs
    .readdirSync(DIST, { recursive: true })
    .filter((file) => /\.(m?js|wasm)$/.test(file))
    .map((file) => path.join(DIST, file))
  if (files.length === 0)
    throw new BenchError(`wrangler deploy --dry-run wrote no module to ${DIST}`)
  const content = Buffer.concat(files.map((file) => fs.readFileSync(file)))
  const gzipped = zlib.gzipSync(content, { level: 9 }).length
  const wranglerLine = tailOf(proc.log)
    .split('\n')
    .find((line) => /Total Upload/.test(line))
  console.log(`modules:          ${files.map((file) => path.relative(ROOT, file)).join(', ')}`)
  console.log(`minified:         ${bytes(content.length)}`)
  console.log(`gzipped:          ${bytes(gzipped)}  (node:zlib gzip, level 9)`)
  if (wranglerLine) console.log(`wrangler says:    ${wranglerLine.trim()}`)
  // The authorization server (src/auth/ and jose) is reported on its own: it is the part a
  // deployment without AUTH pays for and does not use. Shares are of minified bytes (esbuild's
  // metafile), applied to the gzipped total: an estimate, since gzip does not split exactly.
  const meta = JSON.parse(fs.readFileSync(path.join(DIST, 'bundle-meta.json'), 'utf8'))
  let authBytes = 0
  let allBytes = 0
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      allBytes += bytesInOutput
      if (/(^|\/)src\/auth\/|node_modules\/jose\//.test(input)) authBytes += bytesInOutput
    }
  }
  const authShare = allBytes === 0 ? 0 : authBytes / allBytes
  const authGzip = Math.round(gzipped * authShare)
  const coreGzip = gzipped - authGzip
  console.log(
    `auth:             src/auth + jose = ${(authShare * 100).toFixed(1)}% of minified bytes, ` +
      `~${bytes(authGzip)} gzipped (@cloudflare/workers-oauth-provider alone adds ~117 KB)`,
  )
  const within = coreGzip <= BUDGET_GZIP_BYTES
  console.log(
    `budget:           gzipped without auth <= 40 KB (${BUDGET_GZIP_BYTES.toLocaleString('en-US')} B): ` +
      `~${coreGzip.toLocaleString('en-US')} B, ${within ? 'met' : 'NOT MET'} ` +
      `(${((coreGzip / BUDGET_GZIP_BYTES) * 100).toFixed(1)}% of budget)`,
  )
}

const main = async () => {
  const [
    rawPort,
    rawInspector,
    rawDoPort,
    rawDoInspector,
    barePort,
    bareInspector,
    authPort,
    authInspector,
  ] = await freePorts(8)
  const start = (name, config, port, inspector, extra = [], cwd = ROOT) => ({
    name,
    origin: `http://127.0.0.1:${port}`,
    inspector,
    proc: spawnWrangler(
      name,
      [
        'dev',
        '--config',
        config,
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--inspector-port',
        String(inspector),
        ...LOG_LEVEL_ARGS,
        ...extra,
      ],
      cwd,
    ),
  })
  // Durable Object state goes to .bench/ (git-ignored), fresh each run.
  const state = (name) => {
    const dir = path.join(WORK, 'state', name)
    fs.rmSync(dir, { recursive: true, force: true })
    return ['--persist-to', path.relative(ROOT, dir)]
  }
  // A load test: RATE_LIMITS=false, as the README says for load tests; the wire view (on for a
  // loopback host, off when deployed) off, as deployed.
  const LOAD = ['--var', 'RATE_LIMITS:false', '--var', 'WIRE_VIEW:false']
  const raw =
    AGAINST === null
      ? start('raw', 'bench/raw/wrangler.toml', rawPort, rawInspector)
      : start(
          'against',
          'wrangler.toml',
          rawPort,
          rawInspector,
          [...state('against'), ...LOAD, ...OBSERVABILITY_ARGS],
          AGAINST,
        )
  const rawDo = start(
    'raw-do',
    'bench/raw-do/wrangler.toml',
    rawDoPort,
    rawDoInspector,
    state('raw-do'),
  )
  const bare = start('bare-mcp', 'wrangler.toml', barePort, bareInspector, [
    ...state('bare-mcp'),
    ...LOAD,
    ...OBSERVABILITY_ARGS,
  ])
  const bareAuth = start('bare-auth', 'wrangler.toml', authPort, authInspector, [
    ...state('bare-auth'),
    ...LOAD,
    ...OBSERVABILITY_ARGS,
    '--var',
    'AUTH:true',
    '--var',
    `AUTH_SECRET:${'bench-auth-secret-'.repeat(2)}`,
  ])
  const baselines = { raw, 'raw-do': rawDo }
  /** The bare-mcp instance that serves `request`. */
  const bareFor = (request) => (request.auth ? bareAuth : bare)

  console.log(
    `bare-mcp bench: node ${process.version}, ${RUN_SECONDS} s per request, target and concurrency ` +
      `(${SLICES} slices, ABBA order), warm-up ${WARMUP_SECONDS} s per target and request`,
  )
  if (LOG_LEVEL !== '')
    console.log(`wrangler dev --log-level ${LOG_LEVEL} (BENCH_WRANGLER_LOG_LEVEL)`)
  console.log(
    OBSERVABILITY_ARGS.length === 0
      ? 'bare-mcp log and metrics on (BENCH_OBSERVABILITY=on)'
      : 'bare-mcp log and metrics off (BENCH_OBSERVABILITY=on keeps them)',
  )
  console.log(
    AGAINST === null
      ? `raw      ${raw.origin}  (bench/raw/worker.js)`
      : `against  ${raw.origin}  (${AGAINST}: BENCH_AGAINST)`,
  )
  console.log(
    `raw-do   ${rawDo.origin}  (bench/raw-do/worker.js: one SQLite read in a Durable Object)`,
  )
  console.log(`bare-mcp ${bare.origin}  (src/index.ts)`)
  console.log(`bare-auth ${bareAuth.origin}  (src/index.ts with AUTH=true)`)
  await Promise.all([
    waitUntilUp(raw),
    waitUntilUp(rawDo),
    waitUntilUp(bare),
    waitUntilUp(bareAuth),
  ])
  // Measure each Worker on its own workerd socket, not through wrangler dev's proxy (which costs
  // more CPU than the Worker and pulls every ratio toward 1).
  for (const target of [raw, rawDo, bare, bareAuth]) {
    const proxy = target.origin
    await bypassProxy(target)
    console.log(`socket   ${target.name}: ${target.origin} (wrangler dev's proxy: ${proxy})`)
  }
  if (REQUESTS.some((request) => request.session)) {
    const session = await openBenchSession(bare)
    console.log(`session  ${session}  (one initialize for the run)`)
  }
  if (REQUESTS.some((request) => request.auth)) {
    const { access_token: token } = await signIn(bareAuth.origin)
    for (const request of REQUESTS)
      if (request.auth) request.headers = { ...request.headers, authorization: `Bearer ${token}` }
    console.log('token    got through DCR, sign-in, consent and /token on bare-auth')
  }

  // 2. Same job: bare-mcp's answer to each request must be its fixture's, byte for byte.
  const expected = new Map()
  for (const request of REQUESTS) {
    const fixture = baselines[request.baseline]
    const [rawAnswer, bareAnswer] = await Promise.all([
      send(fixture.origin, request, 10_000),
      send(bareFor(request).origin, request, 10_000),
    ])
    const same =
      rawAnswer.status === 200 &&
      bareAnswer.status === rawAnswer.status &&
      bareAnswer.contentType === rawAnswer.contentType &&
      bareAnswer.body === rawAnswer.body
    if (!same) {
      console.error(
        `bench: bare-mcp does not answer the ${request.name} request like the ${fixture.name} fixture`,
      )
      for (const [name, answer] of [
        [fixture.name, rawAnswer],
        ['bare-mcp', bareAnswer],
      ]) {
        console.error(
          `  ${name.padEnd(8)} ${answer.status} ${answer.contentType}\n  ${answer.body}`,
        )
      }
      throw new BenchError('answer mismatch')
    }
    expected.set(request, rawAnswer.body)
    console.log(
      `check    ${request.name}: same answer as ${fixture.name} (${rawAnswer.status}, ${rawAnswer.contentType}, ` +
        `${rawAnswer.body.length} bytes): ok`,
    )
  }

  // 3. Warm-up (not reported), then per request and concurrency 4 slices per target, ABBA ABBA.
  for (const request of REQUESTS)
    for (const target of [baselines[request.baseline], bareFor(request)])
      await drive(target, request, TARGET_CONCURRENCY, WARMUP_SECONDS, expected.get(request))
  const results = []
  for (const request of REQUESTS) {
    const fixture = baselines[request.baseline]
    const bare = bareFor(request)
    const order = Array.from({ length: SLICES / 2 }, () => [fixture, bare, bare, fixture]).flat()
    for (const connections of CONCURRENCY) {
      const parts = new Map([
        [fixture, []],
        [bare, []],
      ])
      for (const target of order) {
        parts
          .get(target)
          .push(
            await drive(target, request, connections, RUN_SECONDS / SLICES, expected.get(request)),
          )
      }
      for (const target of [fixture, bare])
        results.push({ request, target, connections, ...merge(parts.get(target)) })
    }
  }
  await stopAll()

  // 4. Report.
  console.log('')
  console.log(
    table(
      [
        'request',
        'target',
        'concurrency',
        'req/s',
        'p50 ms',
        'p99 ms',
        'slices req/s',
        'requests',
        'CPU ms/req',
        'non-2xx',
        'errors',
        'flag',
      ],
      results.map((r) => [
        r.request.name,
        r.target.name,
        String(r.connections),
        fixed(r.rps, 0),
        fixed(r.p50, 2),
        fixed(r.p99, 2),
        `${fixed(r.sliceMin, 0)}-${fixed(r.sliceMax, 0)}`,
        String(r.ok),
        fixed(r.cpuPerRequest, 3),
        String(r.non2xx),
        String(r.errors + r.mismatches),
        r.bad > 0 ? 'ERRORS' : 'ok',
      ]),
    ),
  )
  console.log('')
  for (const request of REQUESTS) {
    const fixture = baselines[request.baseline]
    const bare = bareFor(request)
    const ratios = new Map()
    for (const connections of CONCURRENCY) {
      const of = (target) =>
        results.find(
          (r) => r.request === request && r.target === target && r.connections === connections,
        )
      const ratio = of(bare).rps / of(fixture).rps
      ratios.set(connections, ratio)
      const cpu = of(fixture).cpuPerRequest / of(bare).cpuPerRequest
      console.log(
        `ratio ${bare.name}/${fixture.name} req/s, ${request.name}, concurrency ${String(connections).padStart(2)}: ${fixed(ratio, 3)}` +
          `  (CPU per request, ${fixture.name}/${bare.name}: ${fixed(cpu, 3)})`,
      )
    }
    const ratio = ratios.get(TARGET_CONCURRENCY)
    console.log(
      `target ratio >= ${TARGET_RATIO} at concurrency ${TARGET_CONCURRENCY}, ${request.name}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT MET'} (${fixed(ratio, 3)})`,
    )
  }
  const flagged = results.filter((r) => r.bad > 0)
  for (const r of flagged) {
    console.log(
      `FLAG: ${r.target.name}, ${r.request.name}, at concurrency ${r.connections}: ${r.non2xx} non-2xx, ${r.errors} errors ` +
        `(${r.timeouts} timeouts), ${r.mismatches} unexpected bodies; its numbers are not valid`,
    )
  }

  // 5. Bundle size.
  console.log('')
  console.log('bundle (wrangler deploy --dry-run --minify)')
  await bundle()
  return flagged.length > 0 ? 1 : 0
}

if (process.argv.slice(2).includes('--streams')) {
  // The 1,000-stream measurement: its own run, bounded by itself.
  const streams = await import('./streams.mjs')
  streams.raiseFileLimit()
  runBounded(streams.main, streams.BUDGET_MS)
} else {
  // Whole-run bound: if anything hangs, stop everything after the longest plausible run.
  const budgetMs =
    (START_TIMEOUT_SECONDS +
      2 * REQUESTS.length * (WARMUP_SECONDS + 12) +
      2 * REQUESTS.length * CONCURRENCY.length * (RUN_SECONDS + SLICES * 12) +
      BUILD_TIMEOUT_SECONDS +
      30) *
    1000
  runBounded(main, budgetMs)
}
