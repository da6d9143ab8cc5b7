// `npm run bench`: bare-mcp's throughput against a raw Worker, and the deployable bundle's size.
//
// 1. Starts two `wrangler dev` instances on 127.0.0.1 (free ports): bare-mcp, and the raw
//    fixture in bench/raw/ that answers every POST with fixed bytes without parsing the body.
// 2. Checks that bare-mcp's answer to each bench request equals the fixture's, byte for byte.
//    There are two: `tools/call` echo at 2025-11-25 (the call a legacy client makes once
//    initialized) and the same call at 2026-07-28 (stateless: version, method and name headers,
//    and `_meta` with the protocol version and client capabilities in the body).
// 3. Drives both with autocannon, per request, at concurrency 1 and 32. Each run is cut into 4
//    slices played in ABBA ABBA order (raw, bare, bare, raw, ...), so neither target profits
//    from going first, and slow drift or a noisy neighbour on the machine hits both about equally.
// 4. Prints req/s, p50 and p99, and the ratio bare-mcp/raw (target: >= 0.9 at concurrency 32).
// 5. Builds the bundle with `wrangler deploy --dry-run --minify` and prints its gzipped size
//    against the 40 KB budget.
//
// Exit status: 0 even when a target is missed (they are informational); 1 when a server does
// not start, the answers differ, a measured run had errors, or the build fails; 130 on Ctrl-C.
// Env knobs: see bench/README.md.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import autocannon from 'autocannon'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const WORK = path.join(ROOT, '.bench') // git-ignored
const LOGS = path.join(WORK, 'logs')
const DIST = path.join(WORK, 'dist')

const seconds = (name, fallback) => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || value > 3600) {
    console.error(
      `bench: ${name} must be a number of seconds in (0, 3600], got ${JSON.stringify(raw)}`,
    )
    process.exit(2)
  }
  return value
}
const RUN_SECONDS = seconds('BENCH_SECONDS', 10)
const WARMUP_SECONDS = seconds('BENCH_WARMUP_SECONDS', 2)
const START_TIMEOUT_SECONDS = seconds('BENCH_START_TIMEOUT', 90)
const BUILD_TIMEOUT_SECONDS = 180
// wrangler dev logs every request through its Node process ("[wrangler:info] POST /mcp 200");
// BENCH_WRANGLER_LOG_LEVEL=warn turns that per-request hop off for both targets.
const LOG_LEVEL = process.env.BENCH_WRANGLER_LOG_LEVEL?.trim() || ''
const LOG_LEVEL_ARGS = LOG_LEVEL === '' ? [] : ['--log-level', LOG_LEVEL]
const CONCURRENCY = [1, 32]
const SLICES = 4 // per request, target and concurrency; even, played as ABBA ABBA
const TARGET_CONCURRENCY = 32
const TARGET_RATIO = 0.9
const BUDGET_GZIP_BYTES = 40_000 // "40 KB", read strictly (40 KiB would be 40,960)

// Applied to every wrangler process.
const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  X_LOCAL_OBSERVABILITY: 'false',
  X_LOCAL_EXPLORER: 'false',
}

// The bench requests. Both targets must give the same answer to each; the raw fixture picks its
// answer by the MCP-Protocol-Version header alone.
const PATH = '/mcp'
const REQUESTS = [
  {
    name: '2025-11-25',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}',
  },
  {
    name: '2026-07-28',
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
]

// ---------------------------------------------------------------------------------------------
// Child processes: each wrangler runs detached in its own process group, which is killed on any
// exit (normal, error, Ctrl-C) so no workerd is left behind.

/** @type {Set<{name: string, child: import('node:child_process').ChildProcess, log: string, exited: null | string}>} */
const running = new Set()

const spawnWrangler = (name, args) => {
  const log = path.join(LOGS, `${name}.log`)
  const fd = fs.openSync(log, 'w')
  const child = spawn('npx', ['wrangler', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    stdio: ['ignore', fd, fd],
    detached: true,
  })
  fs.closeSync(fd)
  const proc = { name, child, log, exited: null }
  running.add(proc)
  child.on('error', (error) => (proc.exited = `failed to spawn: ${error.message}`))
  child.on(
    'exit',
    (code, signal) => (proc.exited = signal ? `killed by ${signal}` : `exited with code ${code}`),
  )
  return proc
}

/** Live (non-zombie) members of a process group; Linux reads /proc, elsewhere kill(-pgid, 0). */
const groupAlive = (pgid) => {
  if (fs.existsSync('/proc/self/stat')) {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      let stat
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      } catch {
        continue
      }
      // pid (comm) state ppid pgrp ...: comm may contain spaces, so split after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true
    }
    return false
  }
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

const signalGroup = (pgid, signal) => {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** SIGTERM each group, wait up to 5 s, then SIGKILL what is left. */
const stopAll = async () => {
  const procs = [...running].filter((proc) => proc.child.pid !== undefined)
  running.clear()
  for (const proc of procs) signalGroup(proc.child.pid, 'SIGTERM')
  const deadline = Date.now() + 5000
  while (procs.some((proc) => groupAlive(proc.child.pid)) && Date.now() < deadline) await sleep(100)
  for (const proc of procs) if (groupAlive(proc.child.pid)) signalGroup(proc.child.pid, 'SIGKILL')
}

// Last resort if the process exits some other way: synchronous SIGKILL of whatever remains.
process.on('exit', () => {
  for (const proc of running)
    if (proc.child.pid !== undefined) signalGroup(proc.child.pid, 'SIGKILL')
})

let finishing = false
const finish = async (code) => {
  if (finishing) return
  finishing = true
  await stopAll()
  process.exit(code)
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping wrangler`)
    void finish(code)
  })
}

class BenchError extends Error {}

const tailOf = (file, chars = 20_000) => {
  try {
    const text = fs.readFileSync(file, 'utf8')
    return text.length > chars ? `[...]\n${text.slice(-chars)}` : text
  } catch {
    return '(no log)'
  }
}

const printLog = (proc) => {
  console.error(`----- ${proc.name} log (${path.relative(ROOT, proc.log)}) -----`)
  console.error(tailOf(proc.log).trimEnd())
  console.error(`----- end of ${proc.name} log -----`)
}

// ---------------------------------------------------------------------------------------------

/** Free loopback ports, all distinct (every listener is held open until all are known). */
const freePorts = async (count) => {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = net.createServer()
          server.unref()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => server.address().port)
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

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
    body: await response.text(),
  }
}

/** Polls until the Worker answers anything; fails fast if wrangler exits. */
const waitUntilUp = async (target) => {
  const deadline = Date.now() + START_TIMEOUT_SECONDS * 1000
  let lastError = 'no attempt'
  while (Date.now() < deadline) {
    if (finishing) return // the other target failed first; its report is enough
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
  if (finishing) return
  printLog(target.proc)
  throw new BenchError(
    `${target.name}: no answer on ${target.origin} within ${START_TIMEOUT_SECONDS} s (last: ${lastError})`,
  )
}

// ---------------------------------------------------------------------------------------------
// Measurement. Latencies are collected from autocannon's per-response event in fractional ms
// (its own histogram rounds to whole ms, too coarse for loopback).

const percentile = (sorted, p) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

const drive = async (target, request, connections, duration, expectBody) => {
  const latencies = []
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
  return {
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
  }
  return {
    ...run,
    rps: run.ok / run.seconds,
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
  running.delete(proc)
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
  const within = gzipped <= BUDGET_GZIP_BYTES
  console.log(
    `budget:           gzipped <= 40 KB (${BUDGET_GZIP_BYTES.toLocaleString('en-US')} B): ` +
      `${within ? 'met' : 'NOT MET'} (${((gzipped / BUDGET_GZIP_BYTES) * 100).toFixed(1)}% of budget)`,
  )
}

const main = async () => {
  fs.mkdirSync(LOGS, { recursive: true })
  const [rawPort, rawInspector, barePort, bareInspector] = await freePorts(4)
  const start = (name, config, port, inspector) => ({
    name,
    origin: `http://127.0.0.1:${port}`,
    proc: spawnWrangler(name, [
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
    ]),
  })
  const raw = start('raw', 'bench/raw/wrangler.toml', rawPort, rawInspector)
  const bare = start('bare-mcp', 'wrangler.toml', barePort, bareInspector)

  console.log(
    `bare-mcp bench: node ${process.version}, ${RUN_SECONDS} s per request, target and concurrency ` +
      `(${SLICES} slices, ABBA order), warm-up ${WARMUP_SECONDS} s per target and request`,
  )
  if (LOG_LEVEL !== '')
    console.log(`wrangler dev --log-level ${LOG_LEVEL} (BENCH_WRANGLER_LOG_LEVEL)`)
  console.log(`raw      ${raw.origin}  (bench/raw/worker.js)`)
  console.log(`bare-mcp ${bare.origin}  (src/index.ts)`)
  await Promise.all([waitUntilUp(raw), waitUntilUp(bare)])

  // 2. Same job: bare-mcp's answer to each request must be the fixture's, byte for byte.
  const expected = new Map()
  for (const request of REQUESTS) {
    const [rawAnswer, bareAnswer] = await Promise.all([
      send(raw.origin, request, 10_000),
      send(bare.origin, request, 10_000),
    ])
    const same =
      rawAnswer.status === 200 &&
      bareAnswer.status === rawAnswer.status &&
      bareAnswer.contentType === rawAnswer.contentType &&
      bareAnswer.body === rawAnswer.body
    if (!same) {
      console.error(
        `bench: bare-mcp does not answer the ${request.name} request like the raw fixture`,
      )
      for (const [name, answer] of [
        ['raw', rawAnswer],
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
      `check    ${request.name}: same answer (${rawAnswer.status}, ${rawAnswer.contentType}, ` +
        `${rawAnswer.body.length} bytes): ok`,
    )
  }

  // 3. Warm-up (not reported), then per request and concurrency 4 slices per target, ABBA ABBA.
  for (const request of REQUESTS)
    for (const target of [raw, bare])
      await drive(target, request, TARGET_CONCURRENCY, WARMUP_SECONDS, expected.get(request))
  const order = Array.from({ length: SLICES / 2 }, () => [raw, bare, bare, raw]).flat()
  const results = []
  for (const request of REQUESTS) {
    for (const connections of CONCURRENCY) {
      const parts = new Map([
        [raw, []],
        [bare, []],
      ])
      for (const target of order) {
        parts
          .get(target)
          .push(
            await drive(target, request, connections, RUN_SECONDS / SLICES, expected.get(request)),
          )
      }
      for (const target of [raw, bare])
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
        String(r.non2xx),
        String(r.errors + r.mismatches),
        r.bad > 0 ? 'ERRORS' : 'ok',
      ]),
    ),
  )
  console.log('')
  for (const request of REQUESTS) {
    const ratios = new Map()
    for (const connections of CONCURRENCY) {
      const of = (target) =>
        results.find(
          (r) => r.request === request && r.target === target && r.connections === connections,
        )
      const ratio = of(bare).rps / of(raw).rps
      ratios.set(connections, ratio)
      console.log(
        `ratio bare-mcp/raw req/s, ${request.name}, concurrency ${String(connections).padStart(2)}: ${fixed(ratio, 3)}`,
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

// Whole-run bound: if anything hangs, stop everything after the longest plausible run.
const budgetMs =
  (START_TIMEOUT_SECONDS +
    2 * REQUESTS.length * (WARMUP_SECONDS + 12) +
    2 * REQUESTS.length * CONCURRENCY.length * (RUN_SECONDS + SLICES * 12) +
    BUILD_TIMEOUT_SECONDS +
    30) *
  1000
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${Math.round(budgetMs / 1000)} s; giving up`)
  void finish(1)
}, budgetMs)

main().then(
  (code) => {
    clearTimeout(watchdog)
    return finish(code)
  },
  (error) => {
    clearTimeout(watchdog)
    console.error(`bench: ${error instanceof BenchError ? error.message : (error?.stack ?? error)}`)
    return finish(1)
  },
)
