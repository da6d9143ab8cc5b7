// `npm run bench:kb`: the knowledge base at 10,000 documents.
//
// 1. Starts `wrangler dev` on free 127.0.0.1 ports with its own state folder
//    (.bench/kb-state, wiped first) and a random KB_ADMIN_TOKEN.
// 2. Generates 10,000 documents (deterministic: same corpus every run, ~1 KB of text each) and
//    imports them through the admin API in batches of 500, as `npm run kb:import` does.
// 3. Sends search queries of several kinds as MCP `tools/call` over HTTP, one at a time, and
//    reports p50 and p99 per kind, next to an `echo` call (the cost of the trip itself).
//
// Env knobs: KB_BENCH_DOCS (default 10000), KB_BENCH_QUERIES per kind (default 200).
// Exit status: 0 on success, 1 when wrangler does not start or a request fails, 130 on Ctrl-C.

import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { adminRequest, importDocuments } from './kb-import.mjs'
import { ROOT, startWrangler } from './lib/wrangler.mjs'

const WORK = path.join(ROOT, '.bench') // git-ignored
const STATE = path.join(WORK, 'kb-state')
const LOG = path.join(WORK, 'kb-bench-wrangler.log')

const count = (name, fallback, max) => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(
      `bench:kb: ${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`,
    )
    process.exit(2)
  }
  return value
}
const DOCS = count('KB_BENCH_DOCS', 10_000, 200_000)
const QUERIES = count('KB_BENCH_QUERIES', 200, 100_000)
const START_TIMEOUT_MS = 90_000
const TOKEN = randomBytes(24).toString('hex')

// wrangler in its own process group (scripts/lib/wrangler.mjs), stopped on every way out.
let worker = null
const stop = async () => {
  await worker?.stop()
  worker = null
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    console.error(`\nbench:kb: ${signal}, stopping wrangler`)
    void stop().then(() => process.exit(code))
  })
}

const start = async () => {
  fs.rmSync(STATE, { recursive: true, force: true })
  worker = await startWrangler({
    vars: { KB_ADMIN_TOKEN: TOKEN },
    log: LOG,
    persistTo: path.relative(ROOT, STATE),
    readyMs: START_TIMEOUT_MS,
  }).catch((error) => {
    console.error(fs.existsSync(LOG) ? fs.readFileSync(LOG, 'utf8').slice(-10_000) : '')
    throw error
  })
  return worker.url
}

// ---------------------------------------------------------------------------------------------
// A deterministic corpus: Zipf-like word frequencies, so common words match thousands of
// documents and rare ones a handful, as in real text.

const rng = (() => {
  let state = 0x2545f491
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
})()
const SYLLABLES = 'ka lo mi ne ru sa to vi ze ba de fo gu hi ja ku le mo nu pa'.split(' ')
const VOCABULARY = Array.from({ length: 5000 }, (_, i) => {
  let word = ''
  for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length))
    word += SYLLABLES[n % SYLLABLES.length]
  return word + (i % 3 === 0 ? 'ing' : i % 3 === 1 ? 'er' : 'ed')
})
const word = () => VOCABULARY[Math.floor(VOCABULARY.length * rng() ** 3)] // skewed to the front
const words = (n) => Array.from({ length: n }, word).join(' ')

const corpus = () =>
  Array.from({ length: DOCS }, (_, i) => ({
    id: `doc-${i}`,
    title: words(3 + Math.floor(rng() * 4)),
    text: `${words(120 + Math.floor(rng() * 80))}.`,
    ...(i % 2 === 0 ? { url: `https://docs.example.com/d/${i}` } : {}),
    metadata: { shard: String(i % 10) },
  }))

// ---------------------------------------------------------------------------------------------

const mcp = (origin, method, params, timeoutMs = 30_000) =>
  fetch(`${origin}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params ? { params } : {}) }),
    signal: AbortSignal.timeout(timeoutMs),
  })

const call = async (origin, name, args) => {
  const started = performance.now()
  const res = await mcp(origin, 'tools/call', { name, arguments: args })
  const body = await res.json()
  const ms = performance.now() - started
  if (res.status !== 200 || body.error || body.result?.isError) {
    throw new Error(`${name} ${JSON.stringify(args)} failed: ${JSON.stringify(body).slice(0, 500)}`)
  }
  return { ms, result: body.result }
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

const pick = (list) => list[Math.floor(rng() * list.length)]
const common = () => VOCABULARY[Math.floor(rng() * 20)]
const rare = () => VOCABULARY[2000 + Math.floor(rng() * 3000)]

/** Query kinds: what models and people send. */
const KINDS = [
  ['common word', () => common()],
  ['rare word', () => rare()],
  ['two words', () => `${word()} ${word()}`],
  ['phrase', () => `"${word()} ${word()}"`],
  ['prefix', () => `${common().slice(0, 3)}*`],
  ['5 plain words', () => words(5)],
  ['unparseable', () => `"${word()} (${word()}`],
]

const main = async () => {
  console.log(`bench:kb: ${DOCS.toLocaleString('en-US')} documents, ${QUERIES} queries per kind`)
  const docs = corpus()
  const bytes = docs.reduce((sum, doc) => sum + Buffer.byteLength(JSON.stringify(doc)), 0)
  const origin = await start()
  console.log(`wrangler dev ${origin} (log: ${path.relative(ROOT, LOG)})`)

  const imported = await importDocuments(origin, TOKEN, docs)
  const stats = (await adminRequest(origin, TOKEN, 'GET', '/stats')).json
  if (stats.documents !== DOCS)
    throw new Error(`expected ${DOCS} documents, stats say ${stats.documents}`)

  // Warm-up (not measured): the first calls compile and page the index in.
  for (let i = 0; i < 20; i++) await call(origin, 'search', { query: word() })

  const rows = []
  const measure = async (label, next) => {
    const times = []
    let results = 0
    for (let i = 0; i < QUERIES; i++) {
      const { ms, result } = await next()
      times.push(ms)
      results += result.structuredContent?.results?.length ?? 0
    }
    times.sort((a, b) => a - b)
    rows.push([
      label,
      percentile(times, 50),
      percentile(times, 99),
      label.startsWith('search') ? results / QUERIES : NaN,
    ])
    return times
  }
  await measure('echo (baseline)', () => call(origin, 'echo', { text: 'hello' }))
  const all = []
  for (const [label, make] of KINDS)
    all.push(
      ...(await measure(`search: ${label}`, () => call(origin, 'search', { query: make() }))),
    )
  await measure('fetch', () => call(origin, 'fetch', { id: `doc-${Math.floor(rng() * DOCS)}` }))
  all.sort((a, b) => a - b)
  rows.splice(rows.length - 1, 0, [
    'search: all kinds',
    percentile(all, 50),
    percentile(all, 99),
    NaN,
  ])
  await stop()

  const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`
  console.log('')
  console.log(
    `import   ${DOCS.toLocaleString('en-US')} documents (${mib(bytes)} of JSON) in ${imported.seconds.toFixed(1)} s ` +
      `(${Math.round(DOCS / imported.seconds).toLocaleString('en-US')} docs/s, batches of 500); database ${mib(stats.databaseBytes)}`,
  )
  console.log('')
  const header = ['request (one at a time, over HTTP)', 'p50 ms', 'p99 ms', 'results']
  const table = [
    header,
    ...rows.map(([label, p50, p99, n]) => [
      label,
      p50.toFixed(2),
      p99.toFixed(2),
      Number.isNaN(n) ? '' : n.toFixed(1),
    ]),
  ]
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)))
  for (const [index, row] of table.entries()) {
    console.log(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  '),
    )
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  console.log('')
  console.log('Times are end to end through wrangler dev on this machine; "echo" is the floor.')
}

main().then(
  () => stop().then(() => process.exit(0)),
  (error) => {
    console.error(`bench:kb: ${error?.message ?? error}`)
    return stop().then(() => process.exit(1))
  },
)
