// SPEC_NOTES.md is a map from rules to code and tests. This keeps the map honest:
//
// - every rule id of the requirements digest has exactly one row, and every R- row is a digest rule;
// - every row has a status (done, choice, deviation, not applicable, not yet), with a reason
//   unless it is plainly done;
// - every file the "Enforced in" cell names exists, and every symbol named after a file is
//   declared in that file (a function, class, member, variable, type or object key);
// - every test file the "Test" cell names holds a test whose name starts with the row's id,
//   read from the file's syntax tree (test/node/source-facts.ts): a test named for another rule,
//   an id in a comment or in an expected message does not count;
// - a row that is done, a choice or a deviation names at least one test.

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { declaredNames, testNames, UNKNOWN, type TestName } from './source-facts.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

/**
 * The rule ids of the requirements digest (`../shared/spec/MCP-REQUIREMENTS.md`, section 2),
 * by prefix and number ranges: 139 ids. Kept here so the check runs where the digest is not at
 * hand; where it is, the last test compares the two.
 */
const DIGEST: Record<string, [number, number][]> = {
  'R-JR': [[1, 23]],
  'R-LC': [
    [1, 11],
    [20, 31],
  ],
  'R-HT': [
    [1, 20],
    [30, 41],
  ],
  'R-SSE': [[1, 8]],
  'R-AU': [[1, 19]],
  'R-SF': [
    [1, 12],
    [20, 26],
    [30, 35],
    [40, 48],
  ],
}
const DIGEST_IDS = Object.entries(DIGEST).flatMap(([prefix, ranges]) =>
  ranges.flatMap(([from, to]) =>
    Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}`),
  ),
)

const STATUSES = ['done', 'choice', 'deviation', 'not applicable', 'not yet'] as const
/** Statuses that describe something the server does, so a test must show it. */
const NEEDS_TEST = new Set(['done', 'choice', 'deviation'])
const RULE_ID = /^(?:R|BM)-[A-Z]+-\d+/
const PATH =
  /^(?:(?:src|test|scripts|bench|\.github|\.ci)\/|(?:README\.md|wrangler\.toml|package\.json)$)/
const SYMBOL = /^#?[A-Za-z_$][\w$]*$/

interface Row {
  id: string
  line: number
  enforced: string
  tests: string
  status: string
}

/** The table rows of SPEC_NOTES.md whose first cell is a rule id. */
const rows: Row[] = read('SPEC_NOTES.md')
  .split('\n')
  .flatMap((text, i) => {
    if (!/^\| (?:R|BM)-[A-Z]+-\d+ \|/.test(text)) return []
    const cells = text
      .slice(1, text.endsWith('|') ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim())
    return [
      {
        id: cells[0]!,
        line: i + 1,
        enforced: cells[3] ?? '',
        tests: cells[4] ?? '',
        status: cells[5] ?? '',
      },
    ]
  })

const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)

/** The status word of a row, and what follows it. */
const statusOf = (status: string) => {
  const word = STATUSES.find((s) => status === s || new RegExp(`^${s}\\b`).test(status))
  return { word, reason: word === undefined ? '' : status.slice(word.length) }
}

/** The files and symbols of an "Enforced in" cell; parenthesised remarks are not claims. */
const claims = (
  cell: string,
): { files: string[]; symbols: [string, string][]; errors: string[] } => {
  const files: string[] = []
  const symbols: [string, string][] = []
  const errors: string[] = []
  let file: string | undefined
  for (const span of codeSpans(cell.replace(/\([^()]*\)/g, ''))) {
    if (PATH.test(span)) {
      file = span
      files.push(span)
    } else if (!SYMBOL.test(span)) errors.push(`\`${span}\` is neither a file nor a symbol`)
    else if (file === undefined) errors.push(`\`${span}\` comes before any file`)
    else symbols.push([file, span])
  }
  return { files, symbols, errors }
}

/** The rule ids a test's name starts with ("R-AU-16 R-AU-17 ..." names both). */
const leadingIds = (name: string): string[] => {
  const ids: string[] = []
  let rest = name
  for (let m = RULE_ID.exec(rest); m !== null; m = RULE_ID.exec(rest)) {
    const after = rest[m[0].length] ?? ''
    if (/[\w-]/.test(after)) break
    ids.push(m[0])
    rest = rest.slice(m[0].length).replace(/^(?:,\s*|\s+|\/)/, '')
  }
  return ids
}

/** The rules a test is named for: its own leading ids, else its innermost describe's. */
const rulesOf = (test: TestName): string[] => {
  for (const name of [test.name, ...[...test.describes].reverse()]) {
    const ids = leadingIds(name)
    if (ids.length > 0) return ids
  }
  return []
}

const namesIn = new Map<string, TestName[]>()
const testsIn = (path: string) => {
  let names = namesIn.get(path)
  if (names === undefined) {
    names = testNames(join(ROOT, path))
    namesIn.set(path, names)
  }
  return names
}
const symbolsIn = new Map<string, Set<string>>()
const declared = (path: string) => {
  let names = symbolsIn.get(path)
  if (names === undefined) {
    names = declaredNames(join(ROOT, path))
    symbolsIn.set(path, names)
  }
  return names
}

const where = (row: Row) => `SPEC_NOTES.md:${row.line} ${row.id}`

describe('SPEC_NOTES.md', () => {
  test('every rule id of the digest has a row, and every R- row is a digest rule', () => {
    const ids = new Set(rows.map((row) => row.id))
    const missing = DIGEST_IDS.filter((id) => !ids.has(id))
    expect(missing, `digest rules without a row: ${missing.join(', ')}`).toEqual([])
    const unknown = rows.filter((row) => row.id.startsWith('R-') && !DIGEST_IDS.includes(row.id))
    expect(unknown.map(where), 'rows for rule ids the digest does not have').toEqual([])
  })

  test('no rule has two rows', () => {
    const seen = new Map<string, Row>()
    const twice = rows.filter((row) => seen.has(row.id) || !seen.set(row.id, row))
    expect(twice.map(where)).toEqual([])
  })

  test.each(rows)('$id has a status, and a reason unless it is done', (row) => {
    const { word, reason } = statusOf(row.status)
    expect(
      word,
      `${where(row)}: status "${row.status}" is not one of ${STATUSES.join(', ')}`,
    ).toBeDefined()
    if (word !== 'done') {
      expect(
        reason.replace(/^[\s:;,(—-]+/, '').length,
        `${where(row)}: "${word}" needs a reason`,
      ).toBeGreaterThanOrEqual(10)
    }
  })

  test.each(rows)('$id names code that exists: every file, and every symbol in its file', (row) => {
    const { files, symbols, errors } = claims(row.enforced)
    expect(errors, `${where(row)} "Enforced in": ${errors.join('; ')}`).toEqual([])
    for (const file of files) {
      expect(existsSync(join(ROOT, file)), `${where(row)}: ${file} does not exist`).toBe(true)
    }
    for (const [file, symbol] of symbols) {
      expect(statSync(join(ROOT, file)).isFile(), `${where(row)}: ${file} is not a file`).toBe(true)
      expect(
        declared(file).has(symbol),
        `${where(row)}: \`${symbol}\` is not declared in ${file}`,
      ).toBe(true)
    }
  })

  test.each(rows)('$id names test files that each hold a test named for it', (row) => {
    const spans = codeSpans(row.tests)
    const { word } = statusOf(row.status)
    if (word !== undefined && NEEDS_TEST.has(word)) {
      expect(spans.length, `${where(row)} is "${word}" but names no test`).toBeGreaterThan(0)
    }
    for (const path of spans) {
      expect(path, `${where(row)}: \`${path}\` in "Test" is not a test file`).toMatch(
        /^test\/.+\.test\.ts$/,
      )
      expect(existsSync(join(ROOT, path)), `${where(row)}: ${path} does not exist`).toBe(true)
      const named = testsIn(path).filter((t) => rulesOf(t).includes(row.id))
      expect(
        named.length,
        `${where(row)}: ${path} has no test whose name starts with ${row.id}`,
      ).toBeGreaterThan(0)
    }
  })

  const digest = digestFile()
  test.skipIf(digest === undefined)('the ids above are the digest’s own', () => {
    const text = readFileSync(digest!, 'utf8')
    const ids = [...text.matchAll(/^\| (R-[A-Z]+-\d+) \|/gm)].map((m) => m[1]!)
    expect([...new Set(ids)].sort()).toEqual([...DIGEST_IDS].sort())
  })
})

/** The digest, where it sits next to the main checkout (`../shared/spec/`), else undefined. */
function digestFile(): string | undefined {
  const tail = join('..', 'shared', 'spec', 'MCP-REQUIREMENTS.md')
  const roots = [ROOT]
  try {
    const common = execFileSync(
      'git',
      ['rev-parse', '--path-format=absolute', '--git-common-dir'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    )
    roots.push(dirname(common.trim()))
  } catch {
    // Not a git checkout: only the first place is looked at.
  }
  return roots.map((root) => join(root, tail)).find((path) => existsSync(path))
}

test('the guard reads test names from the syntax tree: tables expanded, comments and strings ignored', () => {
  const found = testsIn('test/node/fixtures/named-tests.ts')
  expect(found.map((t) => [...t.describes, t.name].join(' > '))).toEqual([
    UNKNOWN, // inside runTable: its rows are only known where it is called
    'R-T-3 a describe > inherits the id of its describe',
    'R-T-3 a describe > R-T-4 its own id comes first',
    'R-T-3 a describe > R-T-5 a is 1',
    'R-T-1 from a table',
    'R-T-2 another row',
    'R-T-1 from a table',
    'R-T-2 another row',
    'R-T-7 added',
  ])
  expect(found.map(rulesOf)).toEqual([
    [],
    ['R-T-3'],
    ['R-T-4'],
    ['R-T-5'],
    ...[['R-T-1'], ['R-T-2']],
    ['R-T-1'],
    ['R-T-2'],
    ['R-T-7'],
  ])
  expect(leadingIds('R-AU-16 R-AU-17 x')).toEqual(['R-AU-16', 'R-AU-17'])
  expect(leadingIds('R-HT-12x')).toEqual([])
})

test('the guard reads declarations from the syntax tree: members, private members, types', () => {
  const shard = declared('src/transports/session-shard.ts')
  expect(shard.has('SessionShard') && shard.has('handle') && shard.has('#watchList')).toBe(true)
  expect(declared('src/protocol/principal.ts').has('Principal')).toBe(true)
  expect(declared('src/protocol/dispatch.ts').has('receive')).toBe(false)
})

test('serverInfo.version follows package.json', () => {
  const pkg = JSON.parse(read('package.json')) as { version: string }
  expect(read('src/protocol/server-info.ts')).toContain(`version: '${pkg.version}'`)
})
