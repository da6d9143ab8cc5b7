// `npm run kb:import -- <file.json | folder of .md> [options]`: loads documents into the
// knowledge base through its admin API (src/kb/admin.ts), in bounded batches, with progress.
//
//   npm run kb:import -- docs.json                      # a JSON array of {id, title, text, url?, metadata?}
//   npm run kb:import -- ./handbook                     # every .md file below ./handbook, one document each
//   npm run kb:import -- docs.json --url https://bare-mcp.example.workers.dev --replace
//
// Options:
//   --url <origin>     the Worker (default http://localhost:8787, i.e. `npm start`)
//   --token <token>    the admin token (default: $KB_ADMIN_TOKEN, else KB_ADMIN_TOKEN in .dev.vars)
//   --batch <n>        documents per request, 1..500 (default 500)
//   --replace          delete every document first (the demo corpus goes on any upload anyway)
//
// Each request is all or none; when one is refused the import stops, and the batches before it
// stay imported (run it again after fixing the input: uploads replace documents by id).
// A batch the server finds too large (413) is split in half and retried. Markdown files get
// their id from their path (`guides/Setup.md` -> `guides-setup`) and their title from their
// first `# ` heading. Exit status: 0 when everything was imported, 1 otherwise, 2 on bad usage.

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { devVar } from './lib/dev-vars.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The server's limit (src/kb/admin.ts MAX_BATCH). */
export const MAX_BATCH = 500
/** Batches are also kept under this many bytes (the server's default limit is 8 MiB). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024

class ImportError extends Error {}

const USAGE =
  'usage: npm run kb:import -- <file.json | folder of .md> [--url http://localhost:8787] [--token T] [--batch 500] [--replace]'

const parseArgs = (argv) => {
  const options = {
    url: 'http://localhost:8787',
    token: undefined,
    batch: MAX_BATCH,
    replace: false,
  }
  const rest = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new ImportError(`${arg} needs a value\n${USAGE}`)
      return next
    }
    if (arg === '--url') options.url = value().replace(/\/+$/, '')
    else if (arg === '--token') options.token = value()
    else if (arg === '--batch') options.batch = Number(value())
    else if (arg === '--replace') options.replace = true
    else if (arg === '--help' || arg === '-h') throw new ImportError(USAGE)
    else if (arg.startsWith('--')) throw new ImportError(`unknown option ${arg}\n${USAGE}`)
    else rest.push(arg)
  }
  if (rest.length !== 1) throw new ImportError(USAGE)
  if (!Number.isInteger(options.batch) || options.batch < 1 || options.batch > MAX_BATCH) {
    throw new ImportError(`--batch must be a whole number from 1 to ${MAX_BATCH}`)
  }
  return { ...options, source: rest[0] }
}

/** One admin API call; throws ImportError with the server's message on a refusal. */
export const adminRequest = async (origin, token, method, route, body, contentType) => {
  let response
  try {
    response = await fetch(`${origin}/admin/kb${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      ...(body === undefined ? {} : { body }),
    })
  } catch (error) {
    throw new ImportError(
      `cannot reach ${origin} (${error.cause?.code ?? error.message}); is the Worker running (npm start)?`,
    )
  }
  const text = await response.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = { message: text.slice(0, 500) }
  }
  return { status: response.status, json }
}

const refusal = (status, json) =>
  new ImportError(`the server answered ${status}: ${json.message ?? JSON.stringify(json)}`)

/** Cuts documents into batches of at most `size` documents and MAX_BATCH_BYTES bytes. */
const batches = (docs, size) => {
  const out = []
  let current = []
  let bytes = 2
  for (const doc of docs) {
    const docBytes = Buffer.byteLength(JSON.stringify(doc)) + 1
    if (current.length > 0 && (current.length >= size || bytes + docBytes > MAX_BATCH_BYTES)) {
      out.push(current)
      current = []
      bytes = 2
    }
    current.push(doc)
    bytes += docBytes
  }
  if (current.length > 0) out.push(current)
  return out
}

const elapsed = (started) => `${((performance.now() - started) / 1000).toFixed(1)} s`

/** A progress line: rewritten in place on a terminal, one line per update otherwise. */
const progress = (line, done) => {
  if (process.stdout.isTTY) process.stdout.write(`\r${line}${done ? '\n' : ''}`)
  else console.log(line)
}

/**
 * Uploads `docs` (validated by the server) in batches; returns the totals. Errors name a
 * document by its position in `docs`.
 */
export const importDocuments = async (
  origin,
  token,
  docs,
  { batch = MAX_BATCH, quiet = false } = {},
) => {
  const started = performance.now()
  const totals = { created: 0, updated: 0, documents: 0 }
  let sent = 0
  const send = async (chunk, offset) => {
    const { status, json } = await adminRequest(
      origin,
      token,
      'POST',
      '/docs',
      JSON.stringify(chunk),
      'application/json',
    )
    if (status === 413 && json.error === 'body_too_large' && chunk.length > 1) {
      const half = Math.ceil(chunk.length / 2)
      await send(chunk.slice(0, half), offset)
      await send(chunk.slice(half), offset + half)
      return
    }
    if (status !== 200) {
      // "documents.3.title" counts within the batch; name the position in the whole input.
      const message = String(json.message ?? '').replace(
        /"documents\.(\d+)/,
        (_, index) => `"documents.${offset + Number(index)}`,
      )
      throw refusal(status, { ...json, message })
    }
    totals.created += json.created
    totals.updated += json.updated
    totals.documents = json.documents
    sent += chunk.length
    if (!quiet) {
      const percent = Math.floor((sent / docs.length) * 100)
      progress(
        `imported ${sent.toLocaleString('en-US')} / ${docs.length.toLocaleString('en-US')} (${percent}%)  ${elapsed(started)}`,
        sent === docs.length,
      )
    }
  }
  let offset = 0
  for (const chunk of batches(docs, batch)) {
    await send(chunk, offset)
    offset += chunk.length
  }
  return { ...totals, seconds: (performance.now() - started) / 1000 }
}

/** Every .md file below `dir`, sorted, as [relative path, absolute path]. */
const markdownFiles = (dir) =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(md|markdown)$/i.test(entry.name))
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name)
      return [path.relative(dir, full), full]
    })
    .sort(([a], [b]) => a.localeCompare(b))

/** `guides/Über Setup.md` -> `guides-uber-setup` (src/kb/markdown.ts slug, path-aware). */
const idFromPath = (relative) =>
  relative
    .replace(/\.(md|markdown)$/i, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 128)
    .replace(/^-+|-+$/g, '')

const importMarkdown = async (origin, token, dir) => {
  const files = markdownFiles(dir)
  if (files.length === 0) throw new ImportError(`no .md files in ${dir}`)
  const started = performance.now()
  const totals = { created: 0, updated: 0, documents: 0 }
  for (const [index, [relative, full]] of files.entries()) {
    const id = idFromPath(relative)
    if (id === '') throw new ImportError(`${relative}: no id can be made from this file name`)
    const { status, json } = await adminRequest(
      origin,
      token,
      'POST',
      `/docs?id=${encodeURIComponent(id)}`,
      fs.readFileSync(full),
      'text/markdown; charset=utf-8',
    )
    if (status !== 200 && status !== 201)
      throw new ImportError(`${relative}: ${refusal(status, json).message}`)
    totals.created += json.created
    totals.updated += json.updated
    totals.documents = json.documents
    progress(
      `imported ${index + 1} / ${files.length} files  ${relative} -> ${id}  ${elapsed(started)}`,
      index + 1 === files.length,
    )
  }
  return { ...totals, seconds: (performance.now() - started) / 1000 }
}

const readJsonDocuments = (file) => {
  let value
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ImportError(`${file} is not valid JSON: ${error.message}`)
  }
  if (!Array.isArray(value)) throw new ImportError(`${file} must hold a JSON array of documents`)
  return value
}

const main = async () => {
  const options = parseArgs(process.argv.slice(2))
  const token = options.token ?? devVar('KB_ADMIN_TOKEN')
  if (!token) {
    throw new ImportError(
      'no admin token: pass --token, set KB_ADMIN_TOKEN, or put KB_ADMIN_TOKEN=... in .dev.vars (and restart npm start)',
    )
  }
  if (!fs.existsSync(options.source)) throw new ImportError(`${options.source} does not exist`)
  const isDir = fs.statSync(options.source).isDirectory()
  const docs = isDir ? null : readJsonDocuments(options.source)
  if (docs !== null && docs.length === 0)
    throw new ImportError(`${options.source} holds no documents`)

  const before = await adminRequest(options.url, token, 'GET', '/stats')
  if (before.status !== 200) throw refusal(before.status, before.json)
  console.log(
    `knowledge base "${before.json.name}" at ${options.url}: ${before.json.documents} documents${before.json.demo ? ' (the demo corpus, replaced by this import)' : ''}`,
  )
  if (options.replace) {
    const cleared = await adminRequest(options.url, token, 'DELETE', '/docs')
    if (cleared.status !== 200) throw refusal(cleared.status, cleared.json)
    console.log(`deleted ${cleared.json.deleted} documents (--replace)`)
  }
  const result = isDir
    ? await importMarkdown(options.url, token, options.source)
    : await importDocuments(options.url, token, docs, { batch: options.batch })
  console.log(
    `done in ${result.seconds.toFixed(1)} s: ${result.created} created, ${result.updated} updated; ${result.documents} documents in the knowledge base`,
  )
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    if (error instanceof ImportError) {
      console.error(`kb:import: ${error.message}`)
      process.exit(error.message === USAGE || error.message.endsWith(USAGE) ? 2 : 1)
    }
    console.error(error)
    process.exit(1)
  })
}
