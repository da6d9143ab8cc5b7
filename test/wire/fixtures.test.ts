// The fixture corpus: each revision's canonical exchanges as literal files,
// test/fixtures/<revision>/<SpecType>/<case>.json, hand-written from the spec's schema.ts and
// replayed here against the Worker. The folder names the spec type of what comes back; the case
// is the same exchange in every revision that has it, so one folder next to another shows what
// changed between revisions.
//
//   {
//     "why": "one line",
//     "request": {
//       "headers": { "content-type": "application/json", ... },
//       "body": { "jsonrpc": "2.0", "id": 1, "method": "tools/list" }
//     },
//     "response": { "status": 200, "headers": { ... }, "body": { "jsonrpc": "2.0", ... } }
//   }
//
// - request: `method` (default POST) and `path` (default /mcp); `body` is a JSON value, sent as
//   compact JSON, or `text` is sent byte for byte (for a body that is not JSON).
// - response: `status`; `headers` names the headers checked (others may be anything); `body` is
//   compared as JSON (every member, in any order), `text` byte for byte, and `sse` is the exact
//   text of an event stream, one string per line.
// - {{name}} stands for a value the corpus does not fix: {{version}} and {{instructions}} are the
//   server's own (src/protocol/server-info.ts); {{session}} in a request is a session the replay
//   opens first, by replaying that revision's InitializeResult/initialize.json; in a response,
//   and for any other name ({{stream}}, an SSE stream id), it matches any text on one line, the
//   same text wherever the name recurs in the fixture.
//
// A fixture is frozen once its revision ships. To add one, write the file and, for a new case
// name, add a row to CASES with the SPEC_NOTES rule it proves (README, "Testing").

import { describe, expect, test } from 'vitest'
import * as v from 'valibot'
import { codeReview } from '../../src/prompts/code-review.ts'
import { SUPPORTED_REVISIONS } from '../../src/protocol/revisions.ts'
import { SERVER_INFO } from '../../src/protocol/server-info.ts'
import { greeting } from '../../src/resources/greeting.ts'
import { add } from '../../src/tools/add.ts'
import { count } from '../../src/tools/count.ts'
import { echo } from '../../src/tools/echo.ts'
import { refuse } from '../helpers/tools.ts'
import { send, serverWith, type RawRequest } from '../helpers/wire.ts'

/**
 * The catalog the corpus is written against: three of the demo's tools, one that fails on
 * purpose, the demo's greeting template and code_review prompt, default settings. Small and
 * fixed, so a fixture changes only when the wire does.
 */
const SERVER = serverWith(
  [echo, add, count, refuse],
  {},
  { templates: [greeting], prompts: [codeReview] },
)

/** Every case of the corpus, with the rule it proves; a case is a file name, in any revision. */
const CASES = [
  { rule: 'R-LC-2', name: 'initialize' },
  { rule: 'R-LC-23', name: 'discover' },
  { rule: 'R-SF-3', name: 'list-tools' },
  { rule: 'R-SF-6', name: 'text-result' },
  { rule: 'R-SF-7', name: 'tool-error' },
  { rule: 'R-SF-7', name: 'invalid-arguments' },
  { rule: 'R-SF-8', name: 'structured-output' },
  { rule: 'R-SF-23', name: 'read-resource' },
  { rule: 'R-JR-13', name: 'resource-not-found' },
  { rule: 'R-SF-30', name: 'get-prompt' },
  { rule: 'R-JR-12', name: 'unknown-method' },
  { rule: 'R-JR-8', name: 'malformed-json' },
  { rule: 'R-JR-17', name: 'batch' },
  { rule: 'R-HT-37', name: 'header-mismatch' },
  { rule: 'R-HT-9', name: 'session-stream' },
]

const Headers = v.record(v.string(), v.string())
const Fixture = v.strictObject({
  why: v.string(),
  request: v.strictObject({
    method: v.optional(v.string()),
    path: v.optional(v.string()),
    headers: Headers,
    body: v.optional(v.unknown()),
    text: v.optional(v.string()),
  }),
  response: v.strictObject({
    status: v.number(),
    headers: v.optional(Headers),
    body: v.optional(v.unknown()),
    text: v.optional(v.string()),
    sse: v.optional(v.array(v.string())),
  }),
})
type Fixture = v.InferOutput<typeof Fixture>

/** The corpus, by path under test/fixtures ("2025-11-25/InitializeResult/initialize.json"). */
const CORPUS = new Map(
  Object.entries(
    import.meta.glob<unknown>('../fixtures/*/*/*.json', { eager: true, import: 'default' }),
  ).map(([path, value]) => [path.replace('../fixtures/', ''), value]),
)

const caseOf = (path: string) => path.split('/')[2]!.replace(/\.json$/, '')
const revisionOf = (path: string) => path.split('/')[0]!

/** The server's own values, as the corpus names them. */
const KNOWN: Record<string, string> = {
  version: SERVER_INFO.version,
  instructions: SERVER_INFO.instructions,
}
const PLACEHOLDER = /\{\{(\w+)\}\}/g

/** `text` as a regular expression that matches exactly it. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** `value` with the known placeholders filled in (`escape` for text holding JSON). */
const fill = (value: unknown, escape = (s: string) => s): unknown => {
  if (typeof value === 'string')
    return value.replace(PLACEHOLDER, (whole, name: string) =>
      name in KNOWN ? escape(KNOWN[name]!) : whole,
    )
  if (Array.isArray(value)) return value.map((item) => fill(item, escape))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, fill(item, escape)]))
  return value
}

/** The values bound to placeholders so far in one replay. */
type Bindings = Map<string, string>

/**
 * Whether `actual` is `expected` with its placeholders matched: each unbound name matches one
 * line's worth of text and is bound to it; a bound name must match its value again.
 */
const matches = (expected: string, actual: string, bindings: Bindings): boolean => {
  const groups: string[] = []
  let pattern = ''
  let last = 0
  for (const m of expected.matchAll(PLACEHOLDER)) {
    pattern += literal(expected.slice(last, m.index))
    const name = m[1]!
    const bound = bindings.get(name)
    if (bound !== undefined) pattern += literal(bound)
    else if (groups.includes(name)) pattern += `\\k<${name}>`
    else {
      groups.push(name)
      pattern += `(?<${name}>[^\\r\\n]+?)`
    }
    last = m.index + m[0].length
  }
  pattern += literal(expected.slice(last))
  const found = new RegExp(`^${pattern}$`).exec(actual)
  if (found === null) return false
  for (const name of groups) bindings.set(name, found.groups![name]!)
  return true
}

/** The raw request a fixture sends, with the bound placeholders put in. */
const rawRequest = (
  fixture: Fixture,
  bindings: Bindings,
): RawRequest & { headers: Record<string, string> } => {
  const { method, path, headers, body, text } = fixture.request
  const put = (s: string) =>
    s.replace(PLACEHOLDER, (whole, name: string) => bindings.get(name) ?? whole)
  return {
    ...(method === undefined ? {} : { method }),
    ...(path === undefined ? {} : { path }),
    headers: Object.fromEntries(Object.entries(headers).map(([k, value]) => [k, put(value)])),
    ...(text !== undefined
      ? { body: text }
      : body !== undefined
        ? { body: JSON.stringify(body) }
        : {}),
  }
}

const load = (path: string): Fixture => {
  const fixture = v.parse(Fixture, CORPUS.get(path))
  const { body, text, sse } = fixture.response
  expect(
    [body, text, sse].filter((x) => x !== undefined),
    `${path}: one of body, text, sse`,
  ).toHaveLength(1)
  return fixture
}

/** Sends a fixture's request and checks the response against it, binding placeholders. */
const replay = async (path: string, bindings: Bindings = new Map()): Promise<void> => {
  const fixture = load(path)
  const inSession = fixture.request.headers['mcp-session-id'] === '{{session}}'
  const opens = inSession && !bindings.has('session')
  if (opens) {
    // A session as the revision's client opens one: initialize, then say initialized.
    await replay(`${revisionOf(path)}/InitializeResult/initialize.json`, bindings)
    const { headers } = rawRequest(fixture, bindings)
    const initialized = '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    expect((await send({ headers, body: initialized }, SERVER)).status).toBe(202)
  }
  const res = await send(rawRequest(fixture, bindings), SERVER)
  const expected = fill(fixture.response) as Fixture['response']
  const text = await res.text()
  expect({ status: res.status, text }).toMatchObject({ status: expected.status })
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = res.headers.get(name)
    expect(actual !== null && matches(value, actual, bindings), `header ${name}: ${actual}`).toBe(
      true,
    )
  }
  if (expected.body !== undefined) expect(JSON.parse(text)).toEqual(expected.body)
  if (expected.text !== undefined) expect(text).toBe(expected.text)
  if (fixture.response.sse !== undefined) {
    // The lines hold JSON: a filled-in value is written as it is inside a JSON string.
    const lines = fill(fixture.response.sse, (s) => JSON.stringify(s).slice(1, -1)) as string[]
    const wanted = lines.map((line) => `${line}\n`).join('')
    expect(matches(wanted, text, bindings), `SSE text:\n${text}\nwanted:\n${wanted}`).toBe(true)
  }
  if (opens) {
    const headers = { 'mcp-session-id': bindings.get('session')! }
    expect((await send({ method: 'DELETE', headers }, SERVER)).status).toBe(204)
  }
}

describe.each(CASES)('$rule $name', ({ name }) => {
  const paths = [...CORPUS.keys()].filter((path) => caseOf(path) === name).sort()
  test.each(paths)('%s', (path) => replay(path))
})

describe('BM-CORPUS-1 the corpus', () => {
  test('BM-CORPUS-1 every file is a case of CASES in a revision we serve, and every case has a file', () => {
    const names = new Set(CASES.map((c) => c.name))
    for (const path of CORPUS.keys()) {
      expect(SUPPORTED_REVISIONS as readonly string[], path).toContain(revisionOf(path))
      expect(names.has(caseOf(path)), `${path} is in no row of CASES`).toBe(true)
    }
    for (const name of names) {
      expect(
        [...CORPUS.keys()].some((path) => caseOf(path) === name),
        name,
      ).toBe(true)
    }
  })

  test('BM-CORPUS-1 every revision has the core cases', () => {
    for (const revision of SUPPORTED_REVISIONS) {
      const cases = [...CORPUS.keys()].filter((p) => revisionOf(p) === revision).map(caseOf)
      for (const name of [
        revision === '2026-07-28' ? 'discover' : 'initialize',
        'list-tools',
        'text-result',
        'tool-error',
        'structured-output',
        'read-resource',
        'get-prompt',
        'unknown-method',
        'malformed-json',
      ]) {
        expect(cases, `${revision} lacks ${name}`).toContain(name)
      }
    }
  })
})
