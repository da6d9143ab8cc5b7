// `npm run bench:abuse`: what the worst requests bare-mcp allows cost, and what the first ones it
// refuses cost, each beside a plain `tools/call`, so the bounds of the README's "Limits" are
// measured rather than assumed. A bounded run of a few minutes.
//
// 1. Starts one `wrangler dev` of bare-mcp with the settings in VARS (the defaults, but the rate
//    limits and the wire view off and KEEPALIVE_MS=2000) and fresh Durable Object state in
//    .bench/abuse/, and talks to the Worker's own workerd socket (the dev proxy's cost is not
//    measured).
// 2. Runs each case as a row: a warm-up, then its requests in BENCH_ABUSE_ROUNDS rounds (3).
//    For each row it measures the wall time of each request (p50, p99), the CPU time bare-mcp's
//    workerd spent per request (/proc/<pid>/task/*/schedstat: all threads, ns, time spent
//    waiting for a CPU not counted), and its memory: RSS before, the peak during the row (VmHWM,
//    reset through /proc/<pid>/clear_refs), and after each round once settled (see `measure`
//    for what "came back" means).
// 3. The cases (each caller is its own CF-Connecting-IP, as Cloudflare sets it):
//    0. `tools/call` echo, stateless 2025-11-25: the baseline every row is read against.
//    1. The largest allowed batch (MAX_BATCH calls, 2025-03-26) and the refused ones: one call
//       more, and a 20,000-member body under MAX_BODY_BYTES.
//    2. The largest allowed `initialize` (clientInfo + capabilities of MAX_CLIENT_INFO_BYTES,
//       MAX_CLIENT_INFO_DEPTH deep) and the refused ones (a 1 MB pad, capabilities 100,000
//       deep); then MAX_SESSIONS_PER_CALLER + 200 of the largest from one caller: sessions made
//       and answers without one, and the session shards' SQLite files before and after.
//    3. The most streams one caller may hold (MAX_STREAMS_PER_CALLER: half session GET streams,
//       half /sse), 32 more (429), held, then all closed, and how soon the caller may open one
//       again (its streams are probed at the cap); RSS held while open and after.
//    4. A slow reader: /sse streams whose client never reads, fed the biggest answer a request
//       can get (`echo` of 10,000 control characters, 60 KB of JSON each): the stream takes
//       MAX_STREAM_BUFFER_BYTES, then answers wait their turn (their requests in flight, so past
//       MAX_INFLIGHT_PER_SESSION the POSTs are 429, retried after Retry-After) until the server
//       cuts the stream off after MAX_STREAM_STALL_MS (its session ends, /messages says 404);
//       beside a reader that reads the same bytes and keeps its stream, and one that reads but
//       POSTs without waiting for its answers.
//    5. 2026-07-28 listen streams up to the cap and past it, a body of exactly MAX_BODY_BYTES,
//       and a 12 MB body (413, after reading and dropping the rest).
//    Then the baseline again: the server is as quick after all this as before.
// 4. Prints one table and a verdict per case: bounded, by which limit, or not.
//
// `node bench/abuse.mjs --dry` starts no server: it builds every request and checks each
// against the server's own parsers and limits (the largest allowed passes, one more is
// refused), which `npm test` runs.
//
// Exit status: 0 when every case ends bounded; 1 when one does not, or the server fails.
// Env knobs: see bench/README.md.

import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import {
  BenchError,
  directOrigin,
  freePorts,
  groupMembers,
  isFinishing,
  OBSERVABILITY_ARGS,
  printLog,
  ROOT,
  runBounded,
  seconds,
  sleep,
  spawnWrangler,
  WORK,
} from './lib.mjs'

const { config } = await import('../src/settings/config.ts')

/**
 * The settings the bench's server runs with: the defaults, but the rate limits off (they would
 * refuse the load before its costs show), the wire view off (as deployed: it is on for a
 * loopback host), and a keep-alive every 2 s instead of 15. workerd sees that a client has gone
 * when it next writes to it: a closed stream is held (and counts against its caller, unless
 * the caller meets its cap and its streams are probed) until its next keep-alive, so 2 s lets
 * each row's streams go before the next row; no limit depends on it. The server's own log and
 * metrics are off too (OBSERVABILITY_ARGS), as in the other benches.
 */
const VARS = { RATE_LIMITS: 'false', WIRE_VIEW: 'false', KEEPALIVE_MS: '2000' }
const LIMITS = config(VARS)
const KEEPALIVE_MS = LIMITS.KEEPALIVE_MS

const DRY = process.argv.includes('--dry')
const START_TIMEOUT_SECONDS = seconds('BENCH_START_TIMEOUT', 90)
/** A whole number in [min, max] from the environment variable `name`, or `fallback`. */
const count = (name, fallback, min, max) => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`bench: ${name} must be a whole number in [${min}, ${max}], got ${raw}`)
    process.exit(2)
  }
  return value
}
/** Requests of the cheap rows (the baseline: twice as many); the others are fractions of it. */
const REPEAT = count('BENCH_ABUSE_REPEAT', 200, 10, 100_000)
/** BENCH_ABUSE_ONLY="3,4": only those cases (and the baseline). */
const ONLY = (process.env.BENCH_ABUSE_ONLY ?? '')
  .split(',')
  .map((part) => part.trim())
  .filter((part) => part !== '')
const runs = (n) => ONLY.length === 0 || ONLY.includes(String(n))
/** A closed stream's caller may open another within this (s): probed, not a keep-alive. */
const RELEASE_S = 1
/** Slow readers in case 4 (half per round). */
const SLOW_READERS = 16
/** A slow reader not cut off after this many bytes were pushed at it is unbounded. */
const SLOW_PUSH_CAP = 16 * 1_048_576
/** What the reading stream of case 4 is sent. */
const READER_BYTES = 4 * 1_048_576
/** After a round, how long workerd is left to settle before its RSS is read. */
const SETTLE_MS = 1_500
/** Memory within this of where it was (or a tenth of RSS, if more) counts as unchanged. */
const MEMORY_NOISE_KIB = 16 * 1024
const STATE = path.join(WORK, 'abuse', 'state')
const SHARD_FILES = path.join(STATE, 'v3', 'do', 'bare-mcp-SessionShard')
const BUDGET_MS = (START_TIMEOUT_SECONDS + 600) * 1000

// ---------------------------------------------------------------------------------------------
// The requests. Every size and depth comes from the settings above, so the edge cases stay at the
// edge when a default changes; `--dry` checks each against the server's own parsers.

const LEGACY = '2025-11-25'
const MODERN = '2026-07-28'
const SSE_ONLY_VERSION = '2024-11-05'
const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}
const LEGACY_HEADERS = { ...JSON_HEADERS, 'mcp-protocol-version': LEGACY }

const echoCall = (id, text = 'hello') => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
})
const ECHO = JSON.stringify(echoCall(1))

/** A 2025-03-26 batch (no version header: a batch names no revision) of `n` echo calls. */
const batchOf = (n) => JSON.stringify(Array.from({ length: n }, (_, i) => echoCall(i + 1)))
const BATCH_MAX = batchOf(LIMITS.MAX_BATCH)
const BATCH_OVER = batchOf(LIMITS.MAX_BATCH + 1)
/** 20,000 members in under MAX_BODY_BYTES: each as short as a tools/call can be. */
const HUGE_BATCH_MEMBERS = 20_000
const HUGE_BATCH = `[${Array.from(
  { length: HUGE_BATCH_MEMBERS },
  (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"tools/call"}`,
).join(',')}]`

const initialize = (params, version = LEGACY) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: version, ...params },
  })
const CLIENT_INFO = { name: 'bench-abuse', version: '0.0.0' }

/**
 * `capabilities` nesting `depth` levels (itself the first) with `pad` characters in the
 * innermost, and the stored JSON (`{"clientInfo":...,"capabilities":...}`) it makes.
 */
const nested = (depth, pad) => {
  let capabilities = { pad: 'x'.repeat(pad) }
  for (let level = depth - 1; level >= 1; level--) capabilities = { [`l${level}`]: capabilities }
  const stored = JSON.stringify({ clientInfo: CLIENT_INFO, capabilities })
  return { capabilities, bytes: Buffer.byteLength(stored) }
}

/** The largest `clientInfo` + `capabilities` a session stores: exactly at both limits. */
const edgeCapabilities = (extraBytes = 0, extraDepth = 0) => {
  const depth = LIMITS.MAX_CLIENT_INFO_DEPTH + extraDepth
  const pad = LIMITS.MAX_CLIENT_INFO_BYTES - nested(depth, 0).bytes + extraBytes
  return nested(depth, pad).capabilities
}
const INIT_EDGE_PARAMS = { clientInfo: CLIENT_INFO, capabilities: edgeCapabilities() }
const INIT_EDGE = initialize(INIT_EDGE_PARAMS)
/** A 1 MB pad in clientInfo, the body still under MAX_BODY_BYTES: refused by the stored size. */
const INIT_PAD_BYTES = 1_000_000
const INIT_PADDED = initialize({
  clientInfo: { ...CLIENT_INFO, pad: 'x'.repeat(INIT_PAD_BYTES) },
  capabilities: {},
})
/** capabilities 100,000 levels deep (about 600 KB): refused by MAX_JSON_DEPTH at intake. */
const DEEP_LEVELS = 100_000
const INIT_DEEP =
  `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"${LEGACY}",` +
  `"clientInfo":${JSON.stringify(CLIENT_INFO)},"capabilities":` +
  '{"a":'.repeat(DEEP_LEVELS - 1) +
  '{}' +
  '}'.repeat(DEEP_LEVELS - 1) +
  '}}'
const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}'

/** A ping of exactly MAX_BODY_BYTES: the largest body the server reads. */
const BODY_MAX = (() => {
  const shell = (pad) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad } })
  return shell('x'.repeat(LIMITS.MAX_BODY_BYTES - shell('').length))
})()
/** 12 MB: refused with 413, after the server reads and drops the rest (BM-BODY-1). */
const BODY_HUGE_BYTES = 12 * 1_000_000
const bodyHuge = () => Buffer.alloc(BODY_HUGE_BYTES, 0x20)

/**
 * The most bytes one request puts on a stream: `echo`'s longest text (10,000 characters), of a
 * character JSON writes as six (`\u0001`): about 60 KB per answer.
 */
const ECHO_MAX_TEXT = '\u0001'.repeat(10_000)
const bigEcho = (id) => JSON.stringify(echoCall(id, ECHO_MAX_TEXT))

const listenRequest = (id) => ({
  headers: {
    ...JSON_HEADERS,
    'mcp-protocol-version': MODERN,
    'mcp-method': 'subscriptions/listen',
  },
  body: JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'subscriptions/listen',
    params: {
      notifications: {},
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    },
  }),
})

// ---------------------------------------------------------------------------------------------
// --dry: every request checked against the server's own code, without a server.

const dry = async () => {
  const { parseBody } = await import('../src/jsonrpc/message.ts')
  const { unstorable } = await import('../src/protocol/lifecycle.ts')
  const { echo } = await import('../src/tools/echo.ts')
  const v = await import('valibot')
  const bodyLimits = { maxBatch: LIMITS.MAX_BATCH, maxDepth: LIMITS.MAX_JSON_DEPTH }
  const bytes = (text) => Buffer.byteLength(text)
  const refusal = (text) => {
    const parsed = parseBody(text, bodyLimits)
    return parsed.ok ? null : parsed.error.message
  }
  const fits = (text) => bytes(text) <= LIMITS.MAX_BODY_BYTES
  const stored = (params) => unstorable(params, LIMITS)?.message ?? null
  const checks = [
    [
      `batch of MAX_BATCH (${LIMITS.MAX_BATCH}) is read`,
      fits(BATCH_MAX) && refusal(BATCH_MAX) === null,
    ],
    [
      `batch of ${LIMITS.MAX_BATCH + 1} is refused by MAX_BATCH`,
      fits(BATCH_OVER) && /MAX_BATCH/.test(refusal(BATCH_OVER) ?? ''),
    ],
    [
      `${HUGE_BATCH_MEMBERS.toLocaleString('en-US')}-member batch (${bytes(HUGE_BATCH).toLocaleString('en-US')} B) fits MAX_BODY_BYTES and is refused by MAX_BATCH`,
      fits(HUGE_BATCH) && /MAX_BATCH/.test(refusal(HUGE_BATCH) ?? ''),
    ],
    [
      `initialize at MAX_CLIENT_INFO_BYTES (${LIMITS.MAX_CLIENT_INFO_BYTES}) and MAX_CLIENT_INFO_DEPTH (${LIMITS.MAX_CLIENT_INFO_DEPTH}) is stored`,
      refusal(INIT_EDGE) === null &&
        stored(INIT_EDGE_PARAMS) === null &&
        bytes(JSON.stringify(INIT_EDGE_PARAMS)) === LIMITS.MAX_CLIENT_INFO_BYTES,
    ],
    [
      'one byte more is refused by MAX_CLIENT_INFO_BYTES',
      /MAX_CLIENT_INFO_BYTES/.test(
        stored({ clientInfo: CLIENT_INFO, capabilities: edgeCapabilities(1) }) ?? '',
      ),
    ],
    [
      'one level deeper is refused by MAX_CLIENT_INFO_DEPTH',
      /MAX_CLIENT_INFO_DEPTH/.test(
        stored({ clientInfo: CLIENT_INFO, capabilities: edgeCapabilities(0, 1) }) ?? '',
      ),
    ],
    [
      `initialize with a ${INIT_PAD_BYTES.toLocaleString('en-US')}-byte pad fits MAX_BODY_BYTES and is refused by MAX_CLIENT_INFO_BYTES`,
      fits(INIT_PADDED) &&
        refusal(INIT_PADDED) === null &&
        /MAX_CLIENT_INFO_BYTES/.test(stored(JSON.parse(INIT_PADDED).params) ?? ''),
    ],
    [
      `capabilities ${DEEP_LEVELS.toLocaleString('en-US')} deep (${bytes(INIT_DEEP).toLocaleString('en-US')} B) fit MAX_BODY_BYTES and are refused by MAX_JSON_DEPTH`,
      fits(INIT_DEEP) && /MAX_JSON_DEPTH/.test(refusal(INIT_DEEP) ?? ''),
    ],
    [
      `ping of exactly MAX_BODY_BYTES (${LIMITS.MAX_BODY_BYTES}) is read`,
      bytes(BODY_MAX) === LIMITS.MAX_BODY_BYTES && refusal(BODY_MAX) === null,
    ],
    [
      `${BODY_HUGE_BYTES.toLocaleString('en-US')}-byte body is over MAX_BODY_BYTES`,
      BODY_HUGE_BYTES > LIMITS.MAX_BODY_BYTES,
    ],
    [
      `echo's longest text (${ECHO_MAX_TEXT.length} characters) is a valid call, one more is not`,
      v.safeParse(echo.input, { text: ECHO_MAX_TEXT }).success &&
        !v.safeParse(echo.input, { text: `${ECHO_MAX_TEXT} ` }).success,
    ],
    [
      `its answer (${bytes(JSON.stringify(ECHO_MAX_TEXT)).toLocaleString('en-US')} B of JSON text) is under MAX_STREAM_BUFFER_BYTES (${LIMITS.MAX_STREAM_BUFFER_BYTES})`,
      bytes(JSON.stringify(ECHO_MAX_TEXT)) < LIMITS.MAX_STREAM_BUFFER_BYTES,
    ],
    ['subscriptions/listen request parses', refusal(listenRequest(1).body) === null],
  ]
  for (const [name, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}`)
  const failed = checks.filter(([, ok]) => !ok).length
  console.log(
    failed === 0
      ? `bench:abuse --dry: all ${checks.length} checks pass, every request sits where it should`
      : `bench:abuse --dry: ${failed} of ${checks.length} checks failed`,
  )
  return failed === 0 ? 0 : 1
}

// ---------------------------------------------------------------------------------------------
// Measuring bare-mcp's workerd (Linux /proc).

let runtimePid = 0

const status = (pid) => fs.readFileSync(`/proc/${pid}/status`, 'utf8')
const kib = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1])
const rssKiB = () => kib(status(runtimePid), 'VmRSS')

/** Resets the process's peak RSS (VmHWM) to its current RSS; false where that is not allowed. */
const resetPeak = () => {
  try {
    fs.writeFileSync(`/proc/${runtimePid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
const peakKiB = () => kib(status(runtimePid), 'VmHWM')

/** Nanoseconds on CPU of all the process's threads (schedstat: contention does not count). */
const cpuNs = () => {
  let total = 0
  for (const task of fs.readdirSync(`/proc/${runtimePid}/task`)) {
    try {
      total += Number(
        fs.readFileSync(`/proc/${runtimePid}/task/${task}/schedstat`, 'utf8').split(' ')[0],
      )
    } catch {
      // the thread ended
    }
  }
  return total
}

/** Bytes of the session shards' SQLite files (database and write-ahead log). */
const shardStorageBytes = () => {
  let total = 0
  try {
    for (const file of fs.readdirSync(SHARD_FILES)) {
      if (file.startsWith('metadata.')) continue
      total += fs.statSync(path.join(SHARD_FILES, file)).size
    }
  } catch {
    // no shard written yet
  }
  return total
}

// ---------------------------------------------------------------------------------------------
// HTTP. Plain requests go through fetch (one kept-alive connection); streams each get their own
// socket, so closing one is destroying its socket.

let origin = ''
let port = 0

/** One CF-Connecting-IP per caller: a caller's counts are its own. */
let callers = 0
const newCaller = () => `198.51.100.${++callers}`

const post = async (pathname, headers, body, caller) => {
  const started = performance.now()
  const response = await fetch(origin + pathname, {
    method: 'POST',
    headers: { ...headers, 'cf-connecting-ip': caller },
    body,
    signal: AbortSignal.timeout(60_000),
  })
  const text = await response.text()
  return {
    status: response.status,
    ms: performance.now() - started,
    headers: response.headers,
    text,
  }
}

/**
 * Opens a long-lived response (GET /sse, GET /mcp, a listen POST) on its own socket; resolves
 * at its headers with the status and, for a 200, `close()`. The body is read and dropped.
 */
const openStream = (method, pathname, headers, caller, body) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const request = http.request({
      host: '127.0.0.1',
      port,
      method,
      path: pathname,
      agent: false,
      headers: { ...headers, 'cf-connecting-ip': caller },
    })
    request.setTimeout(30_000, () => request.destroy(new Error(`${method} ${pathname}: timeout`)))
    request.on('response', (response) => {
      request.setTimeout(0)
      const ms = performance.now() - started
      let ended = false
      response.on('data', () => {})
      response.on('end', () => (ended = true))
      response.on('error', () => (ended = true))
      resolve({
        status: response.statusCode,
        ms,
        ended: () => ended,
        close: () => request.destroy(),
      })
      if (response.statusCode !== 200) request.destroy()
    })
    // After the headers, an error is the stream's end (a no-op for the settled promise).
    request.on('error', reject)
    request.end(body)
  })

const EVENT = 'event: message\n'

/**
 * GET /sse on a raw socket: resolves once the `endpoint` event has come, with the path to POST
 * to. Then the socket is paused (`read: false`: a client that never reads again, so the kernel's
 * buffers fill and the server's stream backs up) or read on, counting `message` events.
 */
const openRawSse = (caller, read) =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const stream = { socket, events: 0, ended: false, path: null }
    let head = ''
    // The end of the last chunk: an event's first line may be split between two.
    let carry = ''
    socket.setTimeout(30_000, () => socket.destroy(new Error('GET /sse: timeout')))
    socket.on('connect', () =>
      socket.write(
        `GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
          `CF-Connecting-IP: ${caller}\r\n\r\n`,
      ),
    )
    const onData = (chunk) => {
      if (stream.path === null) {
        head += chunk.toString('latin1')
        if (!/^HTTP\/1\.1 200 /.test(head) && head.includes('\r\n'))
          return reject(new BenchError(`GET /sse: ${head.split('\r\n')[0]}`))
        const endpoint = /data: (messages\?sessionId=[^\r\n]+)\n/.exec(head)?.[1]
        if (endpoint === undefined) return
        socket.setTimeout(0)
        stream.path = `/${endpoint}`
        if (!read) {
          socket.off('data', onData)
          socket.pause()
        }
        return resolve(stream)
      }
      const text = carry + chunk.toString('latin1')
      stream.events += text.split(EVENT).length - 1
      carry = text.slice(-(EVENT.length - 1))
    }
    socket.on('data', onData)
    const end = () => (stream.ended = true)
    socket.on('end', end)
    socket.on('close', end)
    socket.on('error', (error) => {
      end()
      if (stream.path === null) reject(error)
    })
  })

/** Reads what a paused raw stream still holds, until it ends or `ms` pass. */
const drainRaw = (stream, ms) =>
  new Promise((resolve) => {
    let bytes = 0
    const done = () => {
      clearTimeout(timer)
      resolve({ bytes, ended: stream.ended })
    }
    const timer = setTimeout(done, ms)
    stream.socket.on('data', (chunk) => {
      bytes += chunk.length
      // A chunked body that ended cleanly: the last chunk.
      if (chunk.toString('latin1').endsWith('\r\n0\r\n\r\n')) {
        stream.ended = true
        done()
      }
    })
    stream.socket.on('close', done)
    stream.socket.resume()
  })

/** Initializes a 2024-11-05 session over its /messages endpoint (answers go to the stream). */
const initializeSse = async (stream, caller) => {
  const init = await post(
    stream.path,
    JSON_HEADERS,
    initialize({ clientInfo: CLIENT_INFO, capabilities: {} }, SSE_ONLY_VERSION),
    caller,
  )
  const done = await post(stream.path, JSON_HEADERS, INITIALIZED, caller)
  if (init.status !== 202 || done.status !== 202)
    throw new BenchError(`/messages initialize: ${init.status}, initialized: ${done.status}`)
}

/** A Streamable HTTP session, initialized: its headers for later requests. */
const openSession = async (caller) => {
  const init = await post(
    '/mcp',
    LEGACY_HEADERS,
    initialize({ clientInfo: CLIENT_INFO, capabilities: {} }),
    caller,
  )
  const id = init.headers.get('mcp-session-id')
  if (init.status !== 200 || id === null)
    throw new BenchError(
      `initialize: ${init.status}, no Mcp-Session-Id: ${init.text.slice(0, 200)}`,
    )
  const headers = { ...LEGACY_HEADERS, 'mcp-session-id': id }
  const done = await post('/mcp', headers, INITIALIZED, caller)
  if (done.status !== 202) throw new BenchError(`notifications/initialized: ${done.status}`)
  return headers
}

/** Runs `job(i)` for i in [0, n), at most `width` at a time; the results in order. */
const pool = async (n, width, job) => {
  const results = new Array(n)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n && !isFinishing()) {
        const i = next++
        results[i] = await job(i)
      }
    }),
  )
  return results
}

/** `n` POSTs of `body` to /mcp from `caller`, one after another: their answers. */
const posts = async (n, headers, body, caller) => {
  const answers = []
  for (let i = 0; i < n && !isFinishing(); i++)
    answers.push(await post('/mcp', headers, body, caller))
  return answers
}

// ---------------------------------------------------------------------------------------------
// Rows: a case measured in rounds.

const percentile = (sorted, p) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

const ROUNDS = count('BENCH_ABUSE_ROUNDS', 3, 2, 50)
const ROWS = []
const VERDICTS = []

/** `total` requests split over ROUNDS rounds. */
const share = (total, r) =>
  Math.floor((total * (r + 1)) / ROUNDS) - Math.floor((total * r) / ROUNDS)

/**
 * Measures `round(r)` for r in [0, rounds) after `warmup()`: its answers ({status, ms}) and
 * workerd's CPU and memory over the row; `round` may return facts of its own.
 *
 * RSS rarely comes all the way back: V8 and the allocator keep pages they grew into, and grow
 * less each time the same work comes again. Memory kept per request would instead grow by the
 * same amount every round. So memory has come back ('yes') when RSS after the last round is
 * within noise of RSS before; is 'held' when it did not, but the last round added no more than
 * noise, or less than half what the round before it added (growth dying out); and 'grew'
 * otherwise. Noise: MEMORY_NOISE_KIB, or a tenth of RSS before if more. More rounds
 * (BENCH_ABUSE_ROUNDS) make the difference plainer.
 */
const measure = async (label, { rounds = ROUNDS, warmup, round }) => {
  if (warmup !== undefined) await warmup()
  await sleep(SETTLE_MS)
  const before = rssKiB()
  const peakable = resetPeak()
  let peak = before
  const sampler = peakable ? null : setInterval(() => (peak = Math.max(peak, rssKiB())), 20)
  const cpuBefore = cpuNs()
  const answers = []
  const afters = []
  const facts = []
  for (let r = 0; r < rounds; r++) {
    const result = await round(r)
    answers.push(...result.answers)
    facts.push(result.facts ?? {})
    await sleep(SETTLE_MS)
    afters.push(rssKiB())
  }
  const cpu = cpuNs() - cpuBefore
  if (sampler !== null) clearInterval(sampler)
  peak = peakable ? peakKiB() : Math.max(peak, ...afters)
  const after = afters.at(-1)
  const noise = Math.max(MEMORY_NOISE_KIB, before / 10)
  // What each round added.
  const added = afters.map((value, i) => value - (i === 0 ? before : afters[i - 1]))
  const last = added.at(-1)
  const back =
    after - before <= noise
      ? 'yes'
      : added.length > 1 && (last <= noise || last < added.at(-2) / 2)
        ? 'held'
        : 'grew'
  const times = answers.map((answer) => answer.ms).sort((a, b) => a - b)
  const statuses = new Map()
  for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1)
  const row = {
    label,
    requests: answers.length,
    statuses,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    cpuMs: answers.length === 0 ? NaN : cpu / 1e6 / answers.length,
    before,
    peak,
    after,
    afters,
    back,
    facts,
  }
  ROWS.push(row)
  console.log(
    `  ${label}: ${statusText(statuses)}, CPU ${row.cpuMs.toFixed(2)} ms/request, RSS ${mb(before)} ` +
      `/ peak ${mb(peak)} / after each round ${afters.map(mb).join(', ')} MB (${back})`,
  )
  return row
}

const mb = (kibValue) => (kibValue / 1024).toFixed(1)
const mib = (bytes) => `${(bytes / 1_048_576).toFixed(2)} MiB`
const kb = (bytes) => `${(bytes / 1000).toFixed(0)} KB`

const statusText = (statuses) =>
  [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ')

/** Whether every answer has one of `codes`. */
const only = (row, ...codes) => [...row.statuses.keys()].every((code) => codes.includes(code))
const answered = (row, code) => row.statuses.get(code) ?? 0
/** Memory that came back, or stopped growing: not more with every round. */
const memoryBounded = (row) => row.back !== 'grew'
const sum = (values) => values.reduce((total, value) => total + value, 0)

const verdict = (name, bounded, text) => VERDICTS.push({ name, bounded, text })
/** What a verdict says of a row's memory. */
const backText = (row) => {
  if (row.back === 'yes') return 'came back'
  const added = row.afters.map((value, i) => mb(value - (i === 0 ? row.before : row.afters[i - 1])))
  return `stayed ${mb(row.after - row.before)} MB up, the rounds adding ${added.join(', ')} MB (${row.back})`
}

// ---------------------------------------------------------------------------------------------
// The cases.

const baseline = async (label) => {
  const caller = newCaller()
  return measure(label, {
    warmup: () => posts(50, LEGACY_HEADERS, ECHO, caller),
    round: async (r) => ({
      answers: await posts(share(2 * REPEAT, r), LEGACY_HEADERS, ECHO, caller),
    }),
  })
}

const batches = async () => {
  const caller = newCaller()
  const total = Math.ceil(REPEAT / 2)
  const allowed = await measure(`1 batch of ${LIMITS.MAX_BATCH} tools/call (largest)`, {
    warmup: () => posts(10, JSON_HEADERS, BATCH_MAX, caller),
    round: async (r) => {
      const answers = await posts(share(total, r), JSON_HEADERS, BATCH_MAX, caller)
      const complete = answers.filter((answer) => {
        try {
          const results = JSON.parse(answer.text)
          return results.length === LIMITS.MAX_BATCH && results.every((one) => 'result' in one)
        } catch {
          return false
        }
      }).length
      return { answers, facts: { complete } }
    },
  })
  const over = await measure(`1 batch of ${LIMITS.MAX_BATCH + 1} (refused)`, {
    warmup: () => posts(10, JSON_HEADERS, BATCH_OVER, caller),
    round: async (r) => ({
      answers: await posts(share(total, r), JSON_HEADERS, BATCH_OVER, caller),
    }),
  })
  const huge = await measure(
    `1 batch of ${HUGE_BATCH_MEMBERS.toLocaleString('en-US')}, ${kb(Buffer.byteLength(HUGE_BATCH))} (refused)`,
    {
      warmup: () => posts(3, JSON_HEADERS, HUGE_BATCH, caller),
      round: async (r) => ({
        answers: await posts(share(Math.ceil(total / 3), r), JSON_HEADERS, HUGE_BATCH, caller),
      }),
    },
  )
  const complete = sum(allowed.facts.map((f) => f.complete))
  const ok =
    only(allowed, 200) &&
    complete === allowed.requests &&
    only(over, 400) &&
    only(huge, 400) &&
    [allowed, over, huge].every(memoryBounded)
  verdict(
    '1 batch',
    ok,
    `${complete} of ${allowed.requests} batches of ${LIMITS.MAX_BATCH} answered in full at ` +
      `${allowed.cpuMs.toFixed(2)} ms CPU each (${(allowed.cpuMs / LIMITS.MAX_BATCH).toFixed(3)} ms per call); ` +
      `${LIMITS.MAX_BATCH + 1} and ${HUGE_BATCH_MEMBERS.toLocaleString('en-US')} members refused before any runs ` +
      `(${over.cpuMs.toFixed(2)} and ${huge.cpuMs.toFixed(2)} ms CPU, the latter reading 1 MB of JSON): ` +
      `bounded by MAX_BATCH=${LIMITS.MAX_BATCH} and MAX_BODY_BYTES=${LIMITS.MAX_BODY_BYTES}`,
  )
}

const initializes = async () => {
  const total = Math.ceil(REPEAT / 4)
  const someone = newCaller()
  const withSessions = (answers) =>
    answers.filter(
      (answer) => answer.status === 200 && answer.headers.get('mcp-session-id') !== null,
    ).length
  const sessions = (row) => sum(row.facts.map((f) => f.sessions ?? 0))
  const edge = await measure(
    `2 initialize, ${(LIMITS.MAX_CLIENT_INFO_BYTES / 1024).toFixed(0)} KiB ${LIMITS.MAX_CLIENT_INFO_DEPTH} deep (largest)`,
    {
      warmup: () => posts(5, LEGACY_HEADERS, INIT_EDGE, someone),
      round: async (r) => {
        const answers = await posts(share(total, r), LEGACY_HEADERS, INIT_EDGE, someone)
        return { answers, facts: { sessions: withSessions(answers) } }
      },
    },
  )
  const padded = await measure(`2 initialize, ${kb(INIT_PAD_BYTES)} pad (refused)`, {
    warmup: () => posts(3, LEGACY_HEADERS, INIT_PADDED, someone),
    round: async (r) => ({
      answers: await posts(share(total, r), LEGACY_HEADERS, INIT_PADDED, someone),
    }),
  })
  const deep = await measure(
    `2 initialize, ${DEEP_LEVELS.toLocaleString('en-US')} deep (refused)`,
    {
      warmup: () => posts(3, LEGACY_HEADERS, INIT_DEEP, someone),
      round: async (r) => ({
        answers: await posts(share(total, r), LEGACY_HEADERS, INIT_DEEP, someone),
      }),
    },
  )
  // One caller sends as many of the largest as it may hold sessions, then 200 more.
  const flooder = newCaller()
  const cap = LIMITS.MAX_SESSIONS_PER_CALLER
  const past = 200
  const storage = [shardStorageBytes()]
  const flood = await measure(`2 ${(cap + past).toLocaleString('en-US')} largest, one caller`, {
    rounds: 2,
    round: async (r) => {
      const answers = await posts(r === 0 ? cap : past, LEGACY_HEADERS, INIT_EDGE, flooder)
      await sleep(1_000) // SQLite's log written
      storage.push(shardStorageBytes())
      return { answers, facts: { sessions: withSessions(answers) } }
    },
  })
  const [made, madePast] = flood.facts.map((f) => f.sessions)
  const without = answered(flood, 200) - made - madePast
  const perSession = (storage[1] - storage[0]) / Math.max(1, made)
  const pastBytes = storage[2] - storage[1]
  console.log(
    `    ${made} sessions made by the first ${cap}, ${madePast} by the ${past} after them (${without} answered ` +
      `without a session); the session shards' SQLite files ${mib(storage[0])} -> ${mib(storage[1])} ` +
      `(${(perSession / 1024).toFixed(1)} KiB per session) -> ${mib(storage[2])}`,
  )
  // A session's row: its stored JSON in 4 KiB pages plus a little; SQLite's write-ahead log
  // holds up to about 4 MiB more until its next checkpoint.
  const rowBound = Math.ceil((LIMITS.MAX_CLIENT_INFO_BYTES + 1024) / 4096) * 4096 + 4096
  const ok =
    only(edge, 200) &&
    sessions(edge) === edge.requests &&
    only(padded, 400) &&
    only(deep, 400) &&
    only(flood, 200) &&
    made === cap &&
    madePast === 0 &&
    storage[1] - storage[0] <= made * rowBound + 4 * 1_048_576 &&
    pastBytes <= 4 * 1_048_576 &&
    [edge, padded, deep].every(memoryBounded)
  verdict(
    '2 initialize',
    ok,
    `the largest allowed costs ${edge.cpuMs.toFixed(2)} ms CPU and stores ${(perSession / 1024).toFixed(1)} KiB; ` +
      `a 1 MB pad and 100,000 levels are refused (${padded.cpuMs.toFixed(2)} and ${deep.cpuMs.toFixed(2)} ms CPU); ` +
      `one caller made ${made} sessions, and ${past} more initializes were answered without one ` +
      `(${mib(pastBytes)} more stored): bounded by MAX_CLIENT_INFO_BYTES=${LIMITS.MAX_CLIENT_INFO_BYTES}, ` +
      `MAX_CLIENT_INFO_DEPTH=${LIMITS.MAX_CLIENT_INFO_DEPTH}, MAX_JSON_DEPTH=${LIMITS.MAX_JSON_DEPTH} ` +
      `and MAX_SESSIONS_PER_CALLER=${cap}`,
  )
}

/**
 * After a caller closed its streams: how long until `open()` succeeds again (each try that does
 * is closed at once). workerd sees that a client went away when it next writes to it; a caller
 * at its cap has its streams probed (written to) before it is refused, so this is at once, not
 * at the next keep-alive.
 */
const released = async (open) => {
  const started = Date.now()
  while (Date.now() - started < KEEPALIVE_MS * 3 + 5_000) {
    const probe = await open()
    probe.close?.()
    if (probe.status === 200) return (Date.now() - started) / 1000
    await sleep(100)
  }
  return NaN
}

const EXTRA_STREAMS = 32

const streams = async () => {
  const caller = newCaller()
  const cap = LIMITS.MAX_STREAMS_PER_CALLER
  const gets = Math.floor(cap / 2)
  const sses = cap - gets
  const extraGets = EXTRA_STREAMS / 2
  let sessions = []
  const getHeaders = (i) => ({
    accept: 'text/event-stream',
    'mcp-protocol-version': LEGACY,
    'mcp-session-id': sessions[i]['mcp-session-id'],
  })
  const openGet = (i) => openStream('GET', '/mcp', getHeaders(i), caller)
  const openSse = () => openStream('GET', '/sse', { accept: 'text/event-stream' }, caller)
  const row = await measure(`3 ${gets} GET + ${sses} /sse, ${EXTRA_STREAMS} more`, {
    warmup: async () => {
      sessions = await pool(gets + extraGets, 8, () => openSession(caller))
    },
    round: async () => {
      const base = rssKiB()
      const opened = await pool(cap, 16, (i) =>
        i % 2 === 0 && i / 2 < gets ? openGet(i / 2) : openSse(),
      )
      const extra = await pool(EXTRA_STREAMS, 8, (i) =>
        i < extraGets ? openGet(gets + i) : openSse(),
      )
      await sleep(2_000)
      const held = rssKiB()
      const early = opened.filter((s) => s.status === 200 && s.ended()).length
      for (const stream of [...opened, ...extra]) stream.close?.()
      const after = await released(openSse)
      await sleep(KEEPALIVE_MS + 1_000) // the probe, and any stragglers, gone too
      return {
        answers: [...opened, ...extra],
        facts: {
          held,
          added: held - base,
          perStream: ((held - base) * 1024) / cap,
          released: after,
          open: opened.filter((s) => s.status === 200).length,
          refused: extra.filter((s) => s.status === 429).length,
          early,
        },
      }
    },
  })
  const held = Math.max(...row.facts.map((f) => f.held))
  // The first round: later ones reuse pages the first freed, so add less, or nothing.
  const perStream = row.facts[0].perStream
  const releases = row.facts.map((f) => f.released)
  console.log(
    `    RSS while ${cap} were open: up to ${mb(held)} MB; opening them added ` +
      `${row.facts.map((f) => mb(f.added)).join(', ')} MB in each round; ` +
      `once closed, the caller opened another after ${releases.map((t) => t.toFixed(2)).join(', ')} s ` +
      `(its streams probed at the cap, not the next keep-alive: KEEPALIVE_MS=${KEEPALIVE_MS})`,
  )
  const ok =
    row.facts.every(
      (f) =>
        f.open === cap && f.refused === EXTRA_STREAMS && f.early === 0 && f.released <= RELEASE_S,
    ) && memoryBounded(row)
  verdict(
    '3 streams',
    ok,
    `${cap} open in each round and the ${EXTRA_STREAMS} past them 429; at most ${(perStream / 1024).toFixed(0)} KiB ` +
      `each while open (what the first round added); once they were closed the caller opened another within ` +
      `${Math.max(...releases).toFixed(2)} s (probed at the cap), and memory ` +
      `${backText(row)}: bounded by MAX_STREAMS_PER_CALLER=${cap}`,
  )
}

const listenStreams = async () => {
  const caller = newCaller()
  const cap = LIMITS.MAX_STREAMS_PER_CALLER
  const extra = 16
  let ids = 0
  const open = () => {
    const { headers, body } = listenRequest(++ids)
    return openStream('POST', '/mcp', headers, caller, body)
  }
  const row = await measure(`5 ${cap} listen streams, ${extra} more`, {
    round: async () => {
      const opened = await pool(cap, 16, open)
      const refused = await pool(extra, 8, open)
      for (const stream of [...opened, ...refused]) stream.close?.()
      const after = await released(open)
      await sleep(KEEPALIVE_MS + 1_000)
      return {
        answers: [...opened, ...refused],
        facts: {
          released: after,
          open: opened.filter((s) => s.status === 200).length,
          refused: refused.filter((s) => s.status === 429).length,
        },
      }
    },
  })
  verdict(
    '5 listen streams',
    row.facts.every((f) => f.open === cap && f.refused === extra && f.released <= RELEASE_S) &&
      memoryBounded(row),
    `${cap} open in each round and the ${extra} past them 429; once they were closed the caller opened another ` +
      `after ${row.facts.map((f) => f.released.toFixed(2)).join(', ')} s (probed at the cap): bounded by MAX_STREAMS_PER_CALLER=${cap} ` +
      `(counted per isolate)`,
  )
}

const bodies = async () => {
  const caller = newCaller()
  const total = Math.ceil(REPEAT / 4)
  const full = await measure(`5 body of ${LIMITS.MAX_BODY_BYTES} B (largest)`, {
    warmup: () => posts(3, LEGACY_HEADERS, BODY_MAX, caller),
    round: async (r) => ({
      answers: await posts(share(total, r), LEGACY_HEADERS, BODY_MAX, caller),
    }),
  })
  const huge = bodyHuge()
  const over = await measure(`5 body of ${(BODY_HUGE_BYTES / 1e6).toFixed(0)} MB (refused)`, {
    warmup: () => posts(1, LEGACY_HEADERS, huge, caller),
    round: async (r) => ({
      answers: await posts(share(Math.ceil(total / 3), r), LEGACY_HEADERS, huge, caller),
    }),
  })
  verdict(
    '5 bodies',
    only(full, 200) && only(over, 413) && memoryBounded(full) && memoryBounded(over),
    `${LIMITS.MAX_BODY_BYTES} B read and answered at ${full.cpuMs.toFixed(2)} ms CPU; ` +
      `${(BODY_HUGE_BYTES / 1e6).toFixed(0)} MB refused with 413 (the rest read and dropped) at ` +
      `${over.cpuMs.toFixed(2)} ms CPU: bounded by MAX_BODY_BYTES=${LIMITS.MAX_BODY_BYTES} (and what is ` +
      `dropped by 64 MiB or 5 s)`,
  )
}

/**
 * POSTs `echo`'s biggest answer to a /sse session until `limitBytes` were sent, the session is
 * gone (404: its stream was cut off), or something else answers. A 429 (the session's requests
 * in flight: answers waiting for the stream to take them) is tried again after its Retry-After,
 * as a client should. `awaitAnswers`: each answer must have come on the stream before the next
 * POST (a client that waits for its answers). `waited`: seconds from the first 429 to the end.
 */
const feed = async (stream, caller, limitBytes, awaitAnswers = false) => {
  const answers = []
  let pushed = 0
  let cut = false
  let busy = 0
  let firstBusy = null
  for (let id = 1; pushed < limitBytes && !isFinishing();) {
    const body = bigEcho(id)
    const reply = await post(stream.path, JSON_HEADERS, body, caller)
    answers.push(reply)
    if (reply.status === 404) {
      cut = true
      break
    }
    if (reply.status === 429) {
      busy++
      firstBusy ??= performance.now()
      await sleep(Number(reply.headers.get('retry-after') ?? '1') * 1000)
      continue
    }
    if (reply.status !== 202) break
    pushed += Buffer.byteLength(body) // its answer is as long, give or take a few bytes
    id++
    if (awaitAnswers) {
      const deadline = Date.now() + 10_000
      // id: the answers so far, and the answer to initialize.
      while (stream.events < id && !stream.ended && Date.now() < deadline) await sleep(1)
    }
  }
  const waited = firstBusy === null ? NaN : (performance.now() - firstBusy) / 1000
  return { answers, pushed, cut, busy, waited }
}

const slowReader = async () => {
  const caller = newCaller()
  const perRound = SLOW_READERS / 2
  const range = (values) => {
    const sorted = [...values].sort((a, b) => a - b)
    return `${mib(sorted[0])} to ${mib(sorted.at(-1))}`
  }
  const spread = (values) => {
    const sorted = [...values].sort((a, b) => a - b)
    return `${sorted[0].toFixed(1)} to ${sorted.at(-1).toFixed(1)} s`
  }
  const slow = await measure(`4 ${SLOW_READERS} /sse never read, fed 60 KB`, {
    rounds: 2,
    warmup: async () => {
      const stream = await openRawSse(caller, true)
      await initializeSse(stream, caller)
      await feed(stream, caller, 5 * Buffer.byteLength(bigEcho(1)), true)
      stream.socket.destroy()
    },
    round: async () => {
      const streams = await pool(perRound, perRound, async () => {
        const stream = await openRawSse(caller, false)
        await initializeSse(stream, caller)
        return stream
      })
      const pushes = await Promise.all(streams.map((stream) => feed(stream, caller, SLOW_PUSH_CAP)))
      const delivered = await Promise.all(streams.map((stream) => drainRaw(stream, 5_000)))
      for (const stream of streams) stream.socket.destroy()
      return { answers: pushes.flatMap((p) => p.answers), facts: { pushes, delivered } }
    },
  })
  const pushes = slow.facts.flatMap((f) => f.pushes)
  const delivered = slow.facts.flatMap((f) => f.delivered)
  const cut = pushes.filter((p) => p.cut).length
  const ended = delivered.filter((d) => d.ended).length
  console.log(
    `    taken for each before it was cut off: ${range(pushes.map((p) => p.pushed))}; its POSTs then 429 ` +
      `(${pushes.map((p) => p.busy).join(', ')} tries) until it was cut off ${spread(pushes.map((p) => p.waited))} ` +
      `after the first; read when the client finally read: ${range(delivered.map((d) => d.bytes))}; ` +
      `${cut} of ${SLOW_READERS} cut off (their next POST 404), ${ended} ended`,
  )
  const reading = await measure(`4 /sse read, fed ${mib(READER_BYTES)}`, {
    round: async () => {
      const stream = await openRawSse(caller, true)
      await initializeSse(stream, caller)
      const started = performance.now()
      const { answers, pushed } = await feed(stream, caller, READER_BYTES, true)
      const seconds = (performance.now() - started) / 1000
      const expected = answers.filter((a) => a.status === 202).length + 1 // + initialize
      const facts = { events: stream.events, expected, rate: pushed / seconds, open: !stream.ended }
      stream.socket.destroy()
      return { answers, facts }
    },
  })
  const readerOk = reading.facts.every((f) => f.events === f.expected && f.open)
  console.log(
    `    the reader got ${reading.facts.map((f) => `${f.events} of ${f.expected}`).join(', ')} answers ` +
      `at ${reading.facts.map((f) => (f.rate / 1e6).toFixed(1)).join(', ')} MB/s, its stream ` +
      `${readerOk ? 'still open' : 'NOT intact'}`,
  )
  // Information, not a verdict: the same reader, its POSTs not waiting for their answers, so
  // answers come faster than the stream drains: they wait their turn; a POST past
  // MAX_INFLIGHT_PER_SESSION answers waiting is 429 and tried again.
  const hurried = await openRawSse(caller, true)
  await initializeSse(hurried, caller)
  const started = performance.now()
  const rush = await feed(hurried, caller, READER_BYTES)
  const offered = rush.pushed / 1e6 / ((performance.now() - started) / 1000)
  const accepted = rush.answers.filter((a) => a.status === 202).length
  const deadline = Date.now() + 10_000
  while (hurried.events < accepted + 1 && !hurried.ended && Date.now() < deadline) await sleep(10)
  const got = `${hurried.events - 1} of ${accepted} answers`
  console.log(
    `    a reader that reads but POSTs without waiting for its answers (${offered.toFixed(1)} MB/s ` +
      `offered): ${rush.cut ? `cut off after ${got}` : `got ${got}`}, ${rush.busy} POSTs 429 and ` +
      `tried again, its stream ${hurried.ended ? 'ENDED' : 'still open'}`,
  )
  const hurriedOk = !rush.cut && !hurried.ended && hurried.events - 1 === accepted
  hurried.socket.destroy()
  const ok =
    cut === SLOW_READERS &&
    ended === SLOW_READERS &&
    pushes.every((p) => p.pushed < SLOW_PUSH_CAP) &&
    readerOk &&
    only(reading, 202) &&
    hurriedOk &&
    memoryBounded(slow)
  verdict(
    '4 slow reader',
    ok,
    `each stream that was not read took ${range(pushes.map((p) => p.pushed))} (what the OS's socket buffers ` +
      `took, the stream's own ${mib(LIMITS.MAX_STREAM_BUFFER_BYTES)}, and up to ` +
      `MAX_INFLIGHT_PER_SESSION=${LIMITS.MAX_INFLIGHT_PER_SESSION} answers waiting their turn), then its POSTs were ` +
      `429 until it was cut off, ${spread(pushes.map((p) => p.waited))} after the first 429 ` +
      `(MAX_STREAM_STALL_MS=${LIMITS.MAX_STREAM_STALL_MS}); RSS rose ${mb(slow.peak - slow.before)} MB at most with ` +
      `${perRound} of them at once, and ${backText(slow)}; a reader that reads got every answer when it waited for ` +
      `each, and ${hurriedOk ? 'every answer' : 'NOT every answer'} when it did not: bounded by MAX_STREAM_BUFFER_BYTES=${LIMITS.MAX_STREAM_BUFFER_BYTES}, ` +
      `MAX_INFLIGHT_PER_SESSION and MAX_STREAM_STALL_MS`,
  )
}

// ---------------------------------------------------------------------------------------------
// Output.

const table = (header, rows) => {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)))
  const line = (row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '-')

const report = () => {
  const base = ROWS[0]
  const header = [
    'case',
    'requests',
    'answers',
    'p50 ms',
    'p99 ms',
    'CPU ms/req',
    'x echo',
    'RSS MB',
    'peak',
    'after',
    'back',
  ]
  // In case order (a stable sort), the baseline run at the end last.
  const order = (row) => (row === ROWS.at(-1) ? 9 : Number(row.label[0]))
  const sorted = [...ROWS].sort((a, b) => order(a) - order(b))
  const rows = sorted.map((row) => [
    row.label,
    String(row.requests),
    statusText(row.statuses),
    fixed(row.p50, 1),
    fixed(row.p99, 1),
    fixed(row.cpuMs, 2),
    row === base ? '1' : fixed(row.cpuMs / base.cpuMs, 1),
    fixed(row.before / 1024, 1),
    fixed(row.peak / 1024, 1),
    fixed(row.after / 1024, 1),
    row.back,
  ])
  console.log('')
  console.log(table(header, rows))
  console.log('')
  const verdicts = [...VERDICTS].sort((a, b) => Number(a.name[0]) - Number(b.name[0]))
  for (const { name, bounded, text } of verdicts)
    console.log(`${name}: ${bounded ? 'bounded' : 'NOT BOUNDED'}: ${text}`)
  const last = ROWS.at(-1)
  console.log(
    `0 echo at the end: ${fixed(last.cpuMs, 2)} ms CPU and p50 ${fixed(last.p50, 1)} ms, ` +
      `against ${fixed(base.cpuMs, 2)} ms and ${fixed(base.p50, 1)} ms at the start`,
  )
}

// ---------------------------------------------------------------------------------------------

const main = async () => {
  const [proxyPort, inspector] = await freePorts(2)
  const proxy = `http://127.0.0.1:${proxyPort}`
  fs.rmSync(path.join(WORK, 'abuse'), { recursive: true, force: true })
  const varArgs = [
    ...Object.entries(VARS).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ...OBSERVABILITY_ARGS,
  ]
  const proc = spawnWrangler('abuse', [
    'dev',
    '--config',
    'wrangler.toml',
    '--ip',
    '127.0.0.1',
    '--port',
    String(proxyPort),
    '--inspector-port',
    String(inspector),
    '--persist-to',
    path.relative(ROOT, STATE),
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
    ...varArgs,
  ])
  const pgid = proc.child.pid
  const ping = async (at, timeoutMs) => {
    const response = await fetch(`${at}/mcp`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      signal: AbortSignal.timeout(timeoutMs),
    })
    return `${response.status} ${await response.text()}`
  }
  const deadline = Date.now() + START_TIMEOUT_SECONDS * 1000
  for (;;) {
    if (proc.exited !== null) {
      printLog(proc)
      throw new BenchError(`wrangler ${proc.exited} before answering`)
    }
    try {
      if ((await ping(proxy, 2_000)).startsWith('200 ')) break
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      printLog(proc)
      throw new BenchError(`no answer on ${proxy} within ${START_TIMEOUT_SECONDS} s`)
    }
    await sleep(250)
  }
  const direct = await directOrigin(pgid, proxy, [proxyPort, inspector], ping)
  if (direct === null) throw new BenchError(`no workerd socket answers like wrangler dev's proxy`)
  origin = direct
  port = Number(new URL(direct).port)
  const owner = groupMembers(pgid).find((member) => {
    if (member.comm !== 'workerd') return false
    const cmdline = fs.readFileSync(`/proc/${member.pid}/cmdline`, 'utf8')
    return !cmdline.includes(`--socket-addr=entry=127.0.0.1:${proxyPort}`)
  })
  if (owner === undefined) throw new BenchError('no workerd process runs bare-mcp')
  runtimePid = owner.pid
  const settings = varArgs.filter((arg) => arg !== '--var').join(' ')
  console.log(
    `bare-mcp abuse bench: node ${process.version}, ${origin} (wrangler dev's workerd, pid ${runtimePid}), ` +
      `${settings}, other settings at their defaults, BENCH_ABUSE_REPEAT=${REPEAT}`,
  )
  if (!resetPeak()) console.log('  (cannot reset VmHWM here: peak RSS is sampled every 20 ms)')

  await baseline('0 tools/call echo (baseline)')
  // The streams first, while the heap is small, so what they add shows in RSS; the cases that
  // make the most garbage (1 MB bodies, the slow readers) last. Printed in case order.
  if (runs(3)) await streams()
  if (runs(5)) await listenStreams()
  if (runs(1)) await batches()
  if (runs(2)) await initializes()
  if (runs(5)) await bodies()
  if (runs(4)) await slowReader()
  await baseline('0 echo again, at the end')
  report()
  return VERDICTS.every((v) => v.bounded) ? 0 : 1
}

if (DRY) process.exit(await dry())
runBounded(main, BUDGET_MS)
