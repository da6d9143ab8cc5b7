// SPEC_NOTES.md is a map from rules to code and tests. This keeps the map honest: every row's
// test file exists and holds a test carrying the row's rule id, every code path it names exists,
// and a row without a test is marked "not yet".

import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

interface Row {
  id: string
  code: string[]
  tests: string[]
  status: string
}

const paths = (cell: string) => [...cell.matchAll(/`((?:src|test)\/[^`\s]+)`/g)].map((m) => m[1]!)

const rows: Row[] = read('SPEC_NOTES.md')
  .split('\n')
  .filter((line) => /^\| (R|BM)-[A-Z]+-\d+ \|/.test(line))
  .map((line) => {
    const cells = line.split(' | ')
    return {
      id: cells[0]!.replace('| ', '').trim(),
      code: paths(cells[3] ?? ''),
      tests: paths(cells[4] ?? ''),
      status: cells[5] ?? '',
    }
  })

describe('SPEC_NOTES.md', () => {
  test('has rows', () => {
    expect(rows.length).toBeGreaterThan(30)
  })

  test.each(rows)('$id names code and tests that exist', (row) => {
    for (const path of row.code) expect(existsSync(new URL(path, root)), path).toBe(true)
    if (row.tests.length === 0) {
      expect(row.status, `${row.id} has no test, so it must be "not yet"`).toMatch(/^not yet/)
      return
    }
    const carriesId = new RegExp(`(?<![\\w-])${row.id}(?!\\d)`)
    for (const path of row.tests) {
      expect(existsSync(new URL(path, root)), path).toBe(true)
      expect(read(path), `${path} has no test named for ${row.id}`).toMatch(carriesId)
    }
  })
})

test('serverInfo.version follows package.json', () => {
  const pkg = JSON.parse(read('package.json')) as { version: string }
  expect(read('src/protocol/server-info.ts')).toContain(`version: '${pkg.version}'`)
})
