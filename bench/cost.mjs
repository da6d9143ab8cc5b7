// `npm run bench:cost`: what a million tool calls cost on Cloudflare, from measurements.
//
// 1. Starts two `wrangler dev`: bench/cost/wrangler.toml, which is bare-mcp exactly as deployed
//    (src/index.ts, the same Durable Objects and defaults) behind bench/cost/worker.ts, which
//    counts every Durable Object request (stub fetch or RPC call), its time, SQLite rows read
//    and written, and alarms set; and bench/raw/, a Worker that answers fixed bytes.
// 2. CPU is the time on CPU of the thread that runs the isolates (the runtime's main thread,
//    /proc/<pid>/task/<pid>/schedstat, in ns; contention on a busy machine does not count). Under
//    wrangler dev that thread also runs miniflare's own entry Worker, about as much again as a
//    small Worker, so each measurement is paired with the fixed-bytes Worker's, and the CPU per
//    call is bare-mcp's minus the fixture's per request (slices played ABBA ABBA, so drift and
//    noisy neighbours hit both alike). A call in a Durable Object includes the object's CPU,
//    which Cloudflare bills as duration instead: for those it is an upper bound.
// 3. For each way clients call tools (SCENARIOS below): a warm-up, then BENCH_COST_CALLS tool
//    calls at concurrency 8 in each of 4 slices, with the counters read over them.
// 4. Prints, per million tool calls: Worker requests, CPU ms, Durable Object requests,
//    duration (GB-s), rows read and written, Analytics Engine data points (one per request,
//    planned), and the price of each at Cloudflare's published rates (PRICES), as a Markdown
//    table for the README; the numbers also go to .bench/cost.json.
//
// Re-measure after any change to the request path: `npm run bench:cost` (about a minute).
// Env: BENCH_COST_CALLS (tool calls per slice, default 1000), BENCH_COST_SESSION_CALLS
// (calls per session, default 10), BENCH_START_TIMEOUT (seconds, default 90).

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {
  BenchError,
  freePorts,
  groupMembers,
  printLog,
  ROOT,
  runBounded,
  seconds,
  sleep,
  spawnWrangler,
  stopAll,
  WORK,
} from './lib.mjs'

/**
 * Cloudflare's published rates beyond the Workers Paid plan's included usage ($5 a month), read
 * 2026-12-02 from https://developers.cloudflare.com/workers/platform/pricing/ (Workers),
 * https://developers.cloudflare.com/durable-objects/platform/pricing/ (Durable Objects, SQLite
 * storage backend) and https://developers.cloudflare.com/analytics/analytics-engine/pricing/.
 */
export const PRICES = {
  workerRequest: 0.3 / 1e6, // 10 million included per month
  cpuMs: 0.02 / 1e6, // 30 million CPU ms included per month
  doRequest: 0.15 / 1e6, // 1 million included; every RPC call or fetch on a stub is one
  doGbSecond: 12.5 / 1e6, // 400,000 GB-s included; 128 MB per object while active
  rowRead: 0.001 / 1e6, // 25 billion included
  rowWritten: 1.0 / 1e6, // 50 million included; each setAlarm() is one row written
  aeDataPoint: 0.25 / 1e6, // 10 million included
}
/** Duration is billed for 128 MB per object, whatever it uses. */
const DO_GB = 0.128

/** A positive whole number from the environment variable `name`, or `fallback`. */
const count = (name, fallback) => {
  const raw = process.env[name]?.trim()
  if (raw === undefined || raw === '') return fallback
  if (!/^[1-9]\d{0,6}$/.test(raw)) {
    console.error(`bench: ${name} must be a whole number from 1, got ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return Number(raw)
}

const CALLS = count('BENCH_COST_CALLS', 1000)
const SLICES = 4 // per scenario and target, played ABBA ABBA
const SESSION_CALLS = count('BENCH_COST_SESSION_CALLS', 10)
const START_TIMEOUT_SECONDS = seconds('BENCH_START_TIMEOUT', 90)
const CONCURRENCY = 8
const WARMUP_CALLS = 200

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}
const LEGACY = '2025-11-25'
const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
}

/** One POST; throws unless the status is `expect`. Returns the response headers. */
const post = async (origin, body, headers = {}, expect = 200) => {
  const response = await fetch(`${origin}/mcp`, {
    method: 'POST',
    headers: { ...HEADERS, ...headers },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (response.status !== expect) {
    throw new BenchError(`${body.method}: ${response.status} ${text.slice(0, 200)}`)
  }
  if (text.includes('"isError":true') || text.includes('"error":{')) {
    throw new BenchError(`${body.method}: ${text.slice(0, 200)}`)
  }
  return response.headers
}

const call = (name, args, id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
})
const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'cost', version: '1' } },
}
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' }

/**
 * How clients call tools. `run(origin)` makes `calls` tool calls and returns how many HTTP
 * requests that took.
 */
const SCENARIOS = [
  {
    name: 'echo, no session (2025-11-25)',
    who: 'ChatGPT and the Responses API once initialized; any stateless client',
    calls: 1,
    run: async (origin) => {
      await post(origin, call('echo', { text: 'hello' }), { 'mcp-protocol-version': LEGACY })
      return 1
    },
  },
  {
    name: 'echo, 2026-07-28',
    who: 'a 2026-07-28 client (no initialize at all)',
    calls: 1,
    run: async (origin) => {
      const message = call('echo', { text: 'hello' })
      message.params._meta = MODERN_META
      await post(origin, message, {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'echo',
      })
      return 1
    },
  },
  {
    name: 'search, no session',
    who: 'deep research: one knowledge-base query per call',
    calls: 1,
    run: async (origin) => {
      await post(origin, call('search', { query: 'streamable http' }), {
        'mcp-protocol-version': LEGACY,
      })
      return 1
    },
  },
  {
    name: 'initialize + echo per call, no session id sent back',
    who: 'ChatGPT as seen in late 2025: a fresh initialize before each call',
    calls: 1,
    run: async (origin) => {
      await post(origin, initialize)
      await post(origin, initialized, { 'mcp-protocol-version': LEGACY }, 202)
      await post(origin, call('echo', { text: 'hello' }), { 'mcp-protocol-version': LEGACY })
      return 3
    },
  },
  {
    name: `echo in a session (${SESSION_CALLS} calls per session)`,
    who: 'mcp-remote / Claude Desktop: initialize, calls, DELETE (no GET stream)',
    calls: SESSION_CALLS,
    run: async (origin) => {
      const headers = await post(origin, initialize)
      const session = {
        'mcp-session-id': headers.get('mcp-session-id'),
        'mcp-protocol-version': LEGACY,
      }
      await post(origin, initialized, session, 202)
      for (let i = 0; i < SESSION_CALLS; i++) {
        await post(origin, call('echo', { text: 'hello' }, i + 1), session)
      }
      const ended = await fetch(`${origin}/mcp`, { method: 'DELETE', headers: session })
      if (ended.status !== 204) throw new BenchError(`DELETE: ${ended.status}`)
      return SESSION_CALLS + 3
    },
  },
]

/** Runs `scenario` until `calls` tool calls are made, CONCURRENCY at a time. */
const drive = async (origin, scenario, calls) => {
  let left = Math.ceil(calls / scenario.calls)
  let requests = 0
  let made = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const sent = await scenario.run(origin)
        requests += sent
        made += scenario.calls
      }
    }),
  )
  return { requests, calls: made }
}

/** The fixed-bytes Worker's work: `requests` POSTs, CONCURRENCY at a time. */
const FIXTURE = {
  calls: 1,
  run: async (origin) => {
    const response = await fetch(`${origin}/mcp`, { method: 'POST', headers: HEADERS, body: '{}' })
    await response.arrayBuffer()
    return 1
  },
}

const readCounters = async (origin, reset = false) => {
  const response = await fetch(`${origin}/__cost${reset ? '/reset' : ''}`, {
    method: reset ? 'POST' : 'GET',
  })
  return response.json()
}

/** The runtime's workerd (not wrangler's proxy, which holds `entry=127.0.0.1:<port>`). */
const runtimePid = (pgid, port) => {
  const runtime = groupMembers(pgid).filter((proc) => {
    if (proc.comm !== 'workerd') return false
    try {
      const cmdline = fs.readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0')
      return !cmdline.includes(`--socket-addr=entry=127.0.0.1:${port}`)
    } catch {
      return false
    }
  })
  if (runtime.length !== 1) {
    throw new BenchError(`expected one runtime workerd, found ${runtime.length}`)
  }
  return runtime[0].pid
}

/** Seconds on CPU of a process's main thread (the isolates' thread), from schedstat (ns). */
const threadCpu = (pid) =>
  Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9

const waitUntilUp = async (origin, proc) => {
  const deadline = Date.now() + START_TIMEOUT_SECONDS * 1000
  while (Date.now() < deadline) {
    if (proc.exited !== null) {
      printLog(proc)
      throw new BenchError(`wrangler ${proc.exited} before answering`)
    }
    try {
      const response = await fetch(`${origin}/mcp`, {
        method: 'POST',
        headers: HEADERS,
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      })
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // not yet
    }
    await sleep(250)
  }
  printLog(proc)
  throw new BenchError(`no answer on ${origin} within ${START_TIMEOUT_SECONDS} s`)
}

const money = (dollars) => (dollars < 0.005 && dollars > 0 ? '<$0.01' : `$${dollars.toFixed(2)}`)
const num = (value) =>
  value === 0
    ? '0'
    : value >= 1e6
      ? `${(value / 1e6).toFixed(2)}M`
      : value >= 1e3
        ? `${(value / 1e3).toFixed(0)}k`
        : value.toFixed(0)

/** Per million tool calls: the units and the price of each. */
const perMillion = (m) => {
  const scale = 1e6 / m.calls
  const units = {
    requests: m.requests * scale,
    cpuMs: m.cpuSeconds * 1000 * scale,
    doRequests: m.doRequests * scale,
    gbSeconds: (m.doMs / 1000) * DO_GB * scale,
    rowsRead: m.rowsRead * scale,
    rowsWritten: (m.rowsWritten + m.alarms) * scale,
    dataPoints: m.requests * scale,
  }
  const cost = {
    requests: units.requests * PRICES.workerRequest,
    cpuMs: units.cpuMs * PRICES.cpuMs,
    doRequests: units.doRequests * PRICES.doRequest,
    gbSeconds: units.gbSeconds * PRICES.doGbSecond,
    rowsRead: units.rowsRead * PRICES.rowRead,
    rowsWritten: units.rowsWritten * PRICES.rowWritten,
    dataPoints: units.dataPoints * PRICES.aeDataPoint,
  }
  const total = Object.values(cost).reduce((sum, value) => sum + value, 0)
  return { units, cost, total }
}

/** Starts one wrangler dev; its origin and the pid of its runtime. */
const start = async (name, config) => {
  const [port, inspector] = await freePorts(2)
  const origin = `http://127.0.0.1:${port}`
  const state = path.join(WORK, 'state', name)
  fs.rmSync(state, { recursive: true, force: true })
  const proc = spawnWrangler(name, [
    'dev',
    '--config',
    config,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspector),
    '--persist-to',
    path.relative(ROOT, state),
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
  ])
  await waitUntilUp(origin, proc)
  return { origin, pid: runtimePid(proc.child.pid, port) }
}

/** CPU seconds of `target`'s isolate thread while `scenario` makes `calls` calls. */
const slice = async (target, scenario, calls) => {
  const before = threadCpu(target.pid)
  const done = await drive(target.origin, scenario, calls)
  return { ...done, cpu: threadCpu(target.pid) - before }
}

const main = async () => {
  console.log(
    `bare-mcp cost: node ${process.version}, ${SLICES} slices of ${CALLS} tool calls per ` +
      `scenario at concurrency ${CONCURRENCY}, against a fixed-bytes Worker`,
  )
  const bare = await start('cost', 'bench/cost/wrangler.toml')
  const fixture = await start('cost-fixture', 'bench/raw/wrangler.toml')
  await drive(fixture.origin, FIXTURE, WARMUP_CALLS)

  const measured = []
  for (const scenario of SCENARIOS) {
    await drive(bare.origin, scenario, WARMUP_CALLS)
    await sleep(300)
    await readCounters(bare.origin, true)
    let calls = 0
    let requests = 0
    let cpu = 0
    let floorCpu = 0
    let floorRequests = 0
    const started = Date.now()
    for (let i = 0; i < SLICES; i++) {
      // ABBA: fixture, bare, bare, fixture, ...
      if (i % 2 === 0) {
        const f = await slice(fixture, FIXTURE, CALLS)
        floorCpu += f.cpu
        floorRequests += f.requests
      }
      const b = await slice(bare, scenario, CALLS)
      calls += b.calls
      requests += b.requests
      cpu += b.cpu
      if (i % 2 === 1) {
        const f = await slice(fixture, FIXTURE, CALLS)
        floorCpu += f.cpu
        floorRequests += f.requests
      }
    }
    const seconds = (Date.now() - started) / 1000
    await sleep(200) // the last requests' rows settle
    const counted = await readCounters(bare.origin)
    const doRequests = Object.values(counted.requests).reduce((sum, n) => sum + n, 0)
    const doMs = Object.values(counted.ms).reduce((sum, n) => sum + n, 0)
    const floorPerRequest = floorCpu / floorRequests
    const cpuSeconds = Math.max(0, cpu - floorPerRequest * requests)
    const m = {
      name: scenario.name,
      who: scenario.who,
      calls,
      requests,
      seconds,
      cpuSeconds,
      measuredCpuMsPerCall: (cpu * 1000) / calls,
      fixtureCpuMsPerRequest: floorPerRequest * 1000,
      doRequests,
      doRequestsByBinding: counted.requests,
      doMs,
      rowsRead: counted.rowsRead,
      rowsWritten: counted.rowsWritten,
      alarms: counted.alarms,
    }
    m.perMillion = perMillion(m)
    measured.push(m)
    console.log(
      `  ${scenario.name}: ${calls} calls, ${(requests / calls).toFixed(2)} requests each; ` +
        `CPU ${m.measuredCpuMsPerCall.toFixed(3)} ms/call measured, fixture ` +
        `${m.fixtureCpuMsPerRequest.toFixed(3)} ms/request, so ${((cpuSeconds * 1000) / calls).toFixed(3)} ms/call; ` +
        `DO requests ${JSON.stringify(counted.requests)} (${(doRequests / calls).toFixed(2)}/call, ` +
        `${doRequests ? (doMs / doRequests).toFixed(1) : 0} ms each); rows read ` +
        `${(counted.rowsRead / calls).toFixed(2)}, written ${(counted.rowsWritten / calls).toFixed(2)}, ` +
        `alarms ${(counted.alarms / calls).toFixed(2)} per call`,
    )
  }
  await stopAll()

  fs.mkdirSync(WORK, { recursive: true })
  fs.writeFileSync(
    path.join(WORK, 'cost.json'),
    JSON.stringify({ at: new Date().toISOString(), prices: PRICES, measured }, null, 2),
  )

  const lines = [
    '',
    '| Per 1 million tool calls | Worker requests | CPU ms | DO requests | DO GB-s | Rows read | Rows written | AE data points | Total |',
    '|---|---|---|---|---|---|---|---|---|',
  ]
  for (const m of measured) {
    const { units: u, cost: c, total } = m.perMillion
    const cell = (units, dollars) => (units === 0 ? '0' : `${num(units)} (${money(dollars)})`)
    lines.push(
      `| ${m.name} | ${cell(u.requests, c.requests)} | ${cell(u.cpuMs, c.cpuMs)} | ` +
        `${cell(u.doRequests, c.doRequests)} | ${cell(u.gbSeconds, c.gbSeconds)} | ` +
        `${cell(u.rowsRead, c.rowsRead)} | ${cell(u.rowsWritten, c.rowsWritten)} | ` +
        `${cell(u.dataPoints, c.dataPoints)} | **${money(total)}** |`,
    )
  }
  const hour = DO_GB * 3600 * PRICES.doGbSecond
  lines.push(
    '',
    `A shard kept in memory by an open GET or /sse stream bills duration the whole time: ` +
      `${DO_GB} GB x 3,600 s = ${(DO_GB * 3600).toFixed(0)} GB-s, ${money(hour)} per hour ` +
      `(${money(hour * 730)} a month), whatever the number of streams in it.`,
    `Saved in ${path.relative(ROOT, path.join(WORK, 'cost.json'))}.`,
  )
  console.log(lines.join('\n'))
  return 0
}

runBounded(main, (START_TIMEOUT_SECONDS + 600) * 1000)
