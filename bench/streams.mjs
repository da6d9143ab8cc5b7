// `npm run bench -- --streams` (or `node bench/streams.mjs`): what 1,000 open SSE streams cost
// bare-mcp's workerd on loopback. A bounded run that stops by itself (about 40 s).
//
// 1. Starts bare-mcp under `wrangler dev` with `--var KEEPALIVE_MS:2000` (keep-alives every 2 s
//    instead of 15, so a short hold sees several) and fresh Durable Object state in .bench/.
// 2. Samples the workerd processes of wrangler's process group: RSS (/proc/<pid>/status VmRSS)
//    and CPU time (/proc/<pid>/stat utime + stime).
// 3. Opens the streams over node:http (an Agent with keepAlive and maxSockets 4,000, so nothing
//    queues): half legacy GET /sse (each opens its session), half Streamable HTTP sessions
//    (initialize, notifications/initialized, then the standalone GET /mcp stream).
// 4. Holds them all for BENCH_STREAMS_HOLD_SECONDS (default 15), sampling every second; counts
//    keep-alive comments per stream and streams that ended early.
// 5. Closes every stream (the client goes away), ends the Streamable HTTP sessions with DELETE,
//    and checks every session is gone: POST to each old /messages endpoint and to /mcp with each
//    old Mcp-Session-Id must be 404.
//
// Exit status 1 when wrangler does not start, a stream does not open, streams end early, no
// keep-alive arrives on some stream, or a session outlives its end; the figures are printed
// either way.

import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
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
  OBSERVABILITY_ARGS,
} from './lib.mjs'

const count = (name, fallback) => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 2 || value > 20_000) {
    console.error(`bench: ${name} must be a whole number in [2, 20000], got ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return value
}

const STREAMS = count('BENCH_STREAMS', 1_000)
const SSE_STREAMS = Math.ceil(STREAMS / 2)
const HTTP_STREAMS = STREAMS - SSE_STREAMS
const HOLD_SECONDS = seconds('BENCH_STREAMS_HOLD_SECONDS', 15)
const KEEPALIVE_MS = 2_000
const START_TIMEOUT_SECONDS = seconds('BENCH_START_TIMEOUT', 90)
/** How many streams (or session set-ups) are being opened at once. */
const OPENING = 50
const STEP_TIMEOUT_MS = 20_000
const VERSION = '2025-11-25'

/** The whole run, including start-up and stopping. */
export const BUDGET_MS = (START_TIMEOUT_SECONDS + HOLD_SECONDS + 90) * 1000

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

// ---------------------------------------------------------------------------------------------
// File descriptors: each stream is a socket here and one or more in workerd. A soft limit that
// is too low is raised up to the hard limit by re-running under `sh -c 'ulimit -n ...'`
// (wrangler and workerd inherit it); a hard limit that is too low is an error.

const NEEDED_FDS = STREAMS * 2 + 512

const openFileLimit = () => {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Max open files'))
    const [soft, hard] = line.split(/\s{2,}/).slice(1, 3)
    const number = (value) => (value === 'unlimited' ? Infinity : Number(value))
    return { soft: number(soft), hard: number(hard) }
  } catch {
    return null
  }
}

const raiseFileLimit = () => {
  const limit = openFileLimit()
  if (limit === null || limit.soft >= NEEDED_FDS) return
  if (limit.hard < NEEDED_FDS || process.env.BENCH_STREAMS_REEXEC === '1') {
    console.error(
      `bench: ${STREAMS} streams need about ${NEEDED_FDS} open files, and the limit is ` +
        `${limit.soft} (hard ${limit.hard}); raise it (ulimit -n ${NEEDED_FDS}) and run again`,
    )
    process.exit(2)
  }
  const script = fileURLToPath(import.meta.url)
  console.log(`raising the open-file limit from ${limit.soft} to ${NEEDED_FDS} (ulimit -n)`)
  const result = spawnSync(
    'sh',
    ['-c', `ulimit -n ${NEEDED_FDS} && exec "$0" "$1"`, process.execPath, script],
    { stdio: 'inherit', env: { ...process.env, BENCH_STREAMS_REEXEC: '1' } },
  )
  process.exit(result.status ?? 1)
}

// ---------------------------------------------------------------------------------------------
// Measuring workerd.

/**
 * The workerd processes of wrangler's process group, with RSS (KiB) and CPU ticks. wrangler dev
 * runs two: its proxy, which holds the socket clients connect to (`entry=127.0.0.1:<port>`),
 * and the runtime of the Worker itself (bare-mcp and its Durable Objects), on a random port.
 */
const workerd = (pgid, port) =>
  groupMembers(pgid)
    .filter((proc) => proc.comm === 'workerd')
    .map((proc) => {
      let rssKiB = NaN
      let role = '?'
      try {
        const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8')
        rssKiB = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1])
        const cmdline = fs.readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0')
        role = cmdline.includes(`--socket-addr=entry=127.0.0.1:${port}`) ? 'proxy' : 'bare-mcp'
      } catch {
        // gone
      }
      return { pid: proc.pid, role, rssKiB, ticks: proc.ticks }
    })
    .sort((a, b) => a.role.localeCompare(b.role))

const sample = (pgid, port, label) => {
  const procs = workerd(pgid, port)
  return {
    label,
    at: Date.now(),
    procs,
    rssKiB: procs.reduce((sum, proc) => sum + proc.rssKiB, 0),
    cpu: procs.reduce((sum, proc) => sum + proc.ticks, 0) / CLOCK_TICKS,
  }
}

const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`

// ---------------------------------------------------------------------------------------------
// HTTP over one Agent with room for every stream.

const agent = new http.Agent({ keepAlive: true, maxSockets: 4_000, maxFreeSockets: 256 })

/** A whole request and response (for POST and DELETE). */
const exchange = (origin, method, urlPath, headers, body) =>
  new Promise((resolve, reject) => {
    const request = http.request(
      `${origin}${urlPath}`,
      { method, headers, agent, timeout: STEP_TIMEOUT_MS },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => (text += chunk))
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, text }),
        )
        response.on('error', reject)
      },
    )
    request.on('timeout', () => request.destroy(new Error(`${method} ${urlPath}: timed out`)))
    request.on('error', reject)
    request.end(body)
  })

const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

/**
 * Opens an SSE stream with GET and keeps count of what it carries: events, keep-alive comments,
 * and whether it ended. Resolves once the first event (or comment) has arrived.
 */
const openStream = (origin, urlPath, headers) =>
  new Promise((resolve, reject) => {
    const stream = { request: null, events: [], keepalives: 0, ended: false, status: 0 }
    let buffer = ''
    let settled = false
    const settle = (error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error) reject(error)
      else resolve(stream)
    }
    const timer = setTimeout(
      () => settle(new Error(`GET ${urlPath}: no first event within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    )
    const request = http.get(
      `${origin}${urlPath}`,
      { headers: { accept: 'text/event-stream', ...headers }, agent },
      (response) => {
        stream.status = response.statusCode
        if (response.statusCode !== 200) {
          response.resume()
          settle(new Error(`GET ${urlPath}: ${response.statusCode}`))
          return
        }
        response.setEncoding('utf8')
        response.on('data', (chunk) => {
          buffer += chunk
          const blocks = buffer.split('\n\n')
          buffer = blocks.pop()
          for (const block of blocks) {
            if (block.startsWith(':')) stream.keepalives += 1
            else stream.events.push(block)
          }
          settle()
        })
        const end = () => {
          stream.ended = true
          settle(new Error(`GET ${urlPath}: ended before its first event`))
        }
        response.on('end', end)
        response.on('close', end)
        response.on('error', end)
      },
    )
    request.on('error', (error) => {
      stream.ended = true
      settle(error)
    })
    stream.request = request
  })

/** Runs `job(i)` for i in [0, n), at most `width` at a time. */
const pool = async (n, width, job) => {
  const results = new Array(n)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++
        results[i] = await job(i)
      }
    }),
  )
  return results
}

const openSse = async (origin) => {
  const stream = await openStream(origin, '/sse', {})
  const endpoint = /^event: endpoint\ndata: (.*)$/m.exec(stream.events[0] ?? '')?.[1]
  if (endpoint === undefined) throw new BenchError(`GET /sse: no endpoint event first`)
  // `messages?sessionId=...` is relative to /sse.
  const url = new URL(endpoint, `${origin}/sse`)
  return { kind: 'sse', stream, path: `${url.pathname}${url.search}` }
}

const openHttp = async (origin, i) => {
  const init = await exchange(
    origin,
    'POST',
    '/mcp',
    JSON_HEADERS,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: `streams-${i}`, version: '0.0.0' },
      },
    }),
  )
  const id = init.headers['mcp-session-id']
  if (init.status !== 200 || typeof id !== 'string')
    throw new BenchError(`initialize: ${init.status}, no Mcp-Session-Id: ${init.text}`)
  const headers = { 'mcp-session-id': id, 'mcp-protocol-version': VERSION }
  const initialized = await exchange(
    origin,
    'POST',
    '/mcp',
    { ...JSON_HEADERS, ...headers },
    '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  )
  if (initialized.status !== 202)
    throw new BenchError(`notifications/initialized: ${initialized.status}`)
  const stream = await openStream(origin, '/mcp', headers)
  return { kind: 'http', stream, id, headers }
}

/** Whether POSTing ping to the session's endpoint is 404 (polled: closing is asynchronous). */
const gone = async (origin, session, timeoutMs) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reply =
      session.kind === 'sse'
        ? await exchange(origin, 'POST', session.path, JSON_HEADERS, PING)
        : await exchange(origin, 'POST', '/mcp', { ...JSON_HEADERS, ...session.headers }, PING)
    if (reply.status === 404) return true
    if (Date.now() > deadline) return false
    await sleep(200)
  }
}
const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}'

// ---------------------------------------------------------------------------------------------

const waitUntilUp = async (origin, proc) => {
  const deadline = Date.now() + START_TIMEOUT_SECONDS * 1000
  while (Date.now() < deadline) {
    if (proc.exited !== null) {
      printLog(proc)
      throw new BenchError(`wrangler ${proc.exited} before answering`)
    }
    try {
      const reply = await exchange(origin, 'POST', '/mcp', JSON_HEADERS, PING)
      if (reply.status === 200) return
    } catch {
      // not yet
    }
    await sleep(250)
  }
  printLog(proc)
  throw new BenchError(`no answer on ${origin} within ${START_TIMEOUT_SECONDS} s`)
}

const describe = (s) =>
  `${mib(s.rssKiB).padStart(10)}  ${s.cpu.toFixed(2).padStart(7)} s   ` +
  s.procs
    .map((proc) => `${proc.role} ${mib(proc.rssKiB)}, ${(proc.ticks / CLOCK_TICKS).toFixed(2)} s`)
    .join(';  ')

export const main = async () => {
  const [port, inspector] = await freePorts(2)
  const origin = `http://127.0.0.1:${port}`
  const state = path.join(WORK, 'state', 'streams')
  fs.rmSync(state, { recursive: true, force: true })
  const proc = spawnWrangler('streams', [
    'dev',
    '--config',
    'wrangler.toml',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspector),
    '--persist-to',
    path.relative(ROOT, state),
    '--var',
    `KEEPALIVE_MS:${KEEPALIVE_MS}`,
    ...OBSERVABILITY_ARGS,
    // wrangler's per-request log lines are not what is measured here.
    '--log-level',
    'warn',
  ])
  const pgid = proc.child.pid
  console.log(
    `bare-mcp streams: node ${process.version}, ${STREAMS} streams (${SSE_STREAMS} GET /sse + ` +
      `${HTTP_STREAMS} Streamable HTTP GET /mcp), held ${HOLD_SECONDS} s, KEEPALIVE_MS=${KEEPALIVE_MS}, ` +
      `open-file limit ${openFileLimit()?.soft ?? '?'}`,
  )
  console.log(`bare-mcp ${origin}  (wrangler dev, process group ${pgid})`)
  await waitUntilUp(origin, proc)
  // One session of each kind first, so both code paths (and the shards they touch) are warm.
  const warm = [await openSse(origin), await openHttp(origin, -1)]
  for (const session of warm) session.stream.request.destroy()
  await exchange(origin, 'DELETE', '/mcp', warm[1].headers)
  await sleep(2_000)

  const samples = [sample(pgid, port, 'idle (warmed up)')]
  if (samples[0].procs.length === 0) throw new BenchError('no workerd process in the group')

  // Open: SSE and HTTP sessions interleaved, OPENING at a time.
  const opening = Date.now()
  const sessions = await pool(STREAMS, OPENING, (i) =>
    i % 2 === 0 ? openSse(origin) : openHttp(origin, i),
  )
  const openSeconds = (Date.now() - opening) / 1000
  samples.push(sample(pgid, port, `${STREAMS} open`))

  // Hold, sampling every second.
  const keepalivesAtOpen = sessions.reduce((sum, s) => sum + s.stream.keepalives, 0)
  const holding = Date.now()
  let peak = samples.at(-1)
  while (Date.now() - holding < HOLD_SECONDS * 1000) {
    await sleep(1_000)
    const now = sample(pgid, port, 'peak while held')
    if (now.rssKiB > peak.rssKiB) peak = now
  }
  const held = sample(pgid, port, `held ${HOLD_SECONDS} s`)
  samples.push({ ...peak, label: 'peak while held' }, held)
  const heldSeconds = (held.at - holding) / 1000
  const open = sessions.filter((s) => !s.stream.ended).length
  const perStream = sessions.map((s) => s.stream.keepalives)
  const keepalives = perStream.reduce((sum, n) => sum + n, 0) - keepalivesAtOpen
  const byKind = (kind) => sessions.filter((s) => s.kind === kind).map((s) => s.stream.keepalives)

  // Close: every client goes away; HTTP sessions are also ended with DELETE, as clients should.
  const closing = Date.now()
  for (const session of sessions) session.stream.request.destroy()
  const deleted = await pool(HTTP_STREAMS, OPENING, async (i) => {
    const session = sessions.filter((s) => s.kind === 'http')[i]
    return (await exchange(origin, 'DELETE', '/mcp', session.headers)).status
  })
  await sleep(2_000)
  samples.push(sample(pgid, port, 'closed (+2 s)'))
  const goneAll = await pool(STREAMS, OPENING, (i) => gone(origin, sessions[i], 10_000))
  const closeSeconds = (Date.now() - closing) / 1000
  samples.push(sample(pgid, port, 'sessions checked'))
  await stopAll()

  // Report.
  const base = samples[0]
  const fmt = (values) =>
    `min ${Math.min(...values)}, median ${values.sort((a, b) => a - b)[Math.floor(values.length / 2)]}, max ${Math.max(...values)}`
  console.log('')
  console.log(
    `workerd (${base.procs.length} processes)     RSS   CPU time   per process: RSS, CPU time`,
  )
  for (const s of samples) console.log(`${s.label.padEnd(22)} ${describe(s)}`)
  console.log('')
  const heldRss = held.rssKiB - base.rssKiB
  const perProcess = held.procs
    .map((proc) => {
      const before = base.procs.find((other) => other.pid === proc.pid)
      const kib = proc.rssKiB - (before?.rssKiB ?? 0)
      return `${proc.role} +${mib(kib)} (${(kib / STREAMS).toFixed(0)} KiB per stream)`
    })
    .join(', ')
  console.log(
    `opening ${STREAMS} streams took ${openSeconds.toFixed(1)} s and ${(samples[1].cpu - base.cpu).toFixed(2)} s of workerd CPU`,
  )
  console.log(
    `memory while held: +${mib(heldRss)} over idle, ${((heldRss * 1024) / STREAMS / 1024).toFixed(1)} KiB per stream ` +
      `(peak ${mib(peak.rssKiB)}): ${perProcess}`,
  )
  const holdCpu = held.cpu - samples[1].cpu
  console.log(
    `CPU while held: ${holdCpu.toFixed(2)} s over ${heldSeconds.toFixed(1)} s ` +
      `(${((holdCpu / heldSeconds) * 100).toFixed(1)}% of one core; ${((holdCpu * 1e6) / Math.max(1, keepalives)).toFixed(0)} µs per keep-alive)`,
  )
  console.log(`streams still open after the hold: ${open} of ${STREAMS}`)
  console.log(
    `keep-alives during the hold: ${keepalives} (expected about ${Math.floor((heldSeconds * 1000) / KEEPALIVE_MS) * STREAMS}); ` +
      `per stream since it opened, all: ${fmt(perStream)}; /sse: ${fmt(byKind('sse'))}; GET /mcp: ${fmt(byKind('http'))}`,
  )
  const zero = perStream.filter((n) => n === 0).length
  const deletedOk = deleted.filter((status) => status === 204).length
  const goneCount = goneAll.filter(Boolean).length
  console.log(
    `closed all in ${closeSeconds.toFixed(1)} s: DELETE 204 for ${deletedOk} of ${HTTP_STREAMS} HTTP sessions; ` +
      `${goneCount} of ${STREAMS} sessions answer 404 afterwards ` +
      `(${goneAll.filter((ok, i) => ok && sessions[i].kind === 'sse').length} of ${SSE_STREAMS} /messages endpoints, ` +
      `${goneAll.filter((ok, i) => ok && sessions[i].kind === 'http').length} of ${HTTP_STREAMS} session ids)`,
  )
  const problems = []
  if (open < STREAMS) problems.push(`${STREAMS - open} streams ended during the hold`)
  if (zero > 0) problems.push(`${zero} streams got no keep-alive`)
  if (deletedOk < HTTP_STREAMS) problems.push(`${HTTP_STREAMS - deletedOk} DELETEs were not 204`)
  if (goneCount < STREAMS) problems.push(`${STREAMS - goneCount} sessions outlived their end`)
  for (const problem of problems) console.log(`FLAG: ${problem}`)
  return problems.length > 0 ? 1 : 0
}

// Run directly: `node bench/streams.mjs` (bench/run.mjs imports it for `--streams`).
if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  raiseFileLimit()
  runBounded(main, BUDGET_MS)
}
export { raiseFileLimit }
