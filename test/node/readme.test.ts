// README.md's examples work as written (test/helpers/readme.ts finds them in its Markdown):
//
// - BM-README-1: every curl transcript is replayed, in README order, against `wrangler dev` with
//   fresh state (so the knowledge base holds the demo corpus the README searches), and the answer
//   must be what the README shows, under the placeholder rules of test/node/transcripts.ts;
// - BM-README-2: every example module type-checks as the file it names (tsc with the project's
//   settings, its relative imports resolved from that file's folder) and is formatted as prettier
//   formats it, so pasting it keeps `npm test` green. test/wire/readme.test.ts runs them.

import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as prettier from 'prettier'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startWrangler } from '../../scripts/lib/wrangler.mjs'
import { moduleExamples, transcripts } from '../helpers/readme.ts'
import {
  jsonDifference,
  matchText,
  parseCurl,
  parseExpectedJson,
  sseDifference,
  sseEvents,
  type Captures,
  type SseEvent,
} from './transcripts.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** Reads SSE events until `count` have come, then what follows within a moment, or the end. */
const readEvents = async (res: Response, count: number): Promise<SseEvent[]> => {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let deadline = Date.now() + 10_000
  for (;;) {
    const next = await Promise.race([
      reader.read(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
    ])
    if (next === null || next.done) break
    text += decoder.decode(next.value, { stream: true })
    // A stream that stays open (a GET stream) is read until the README's events, and a moment.
    if (sseEvents(text).length >= count) deadline = Math.min(deadline, Date.now() + 300)
  }
  await reader.cancel().catch(() => {})
  return sseEvents(text)
}

describe('BM-README-1 the curl transcripts, replayed', () => {
  const state = join(ROOT, '.wrangler', `readme-state-${process.pid}`)
  let worker: Awaited<ReturnType<typeof startWrangler>> | undefined
  beforeAll(async () => {
    worker = await startWrangler({ log: join(ROOT, '.wrangler/test-readme.log'), persistTo: state })
  }, 90_000)
  afterAll(async () => {
    await worker?.stop()
    rmSync(state, { recursive: true, force: true })
  })

  const cases = transcripts(README).map((t) => ({ ...t, at: `${t.title} (README.md:${t.line})` }))
  const captures: Captures = new Map()

  test('BM-README-1 the README has transcripts for every kind of answer', () => {
    const kinds = new Set(cases.map((t) => t.expected.lang))
    expect([...kinds].sort()).toEqual(['http', 'json', 'text'])
    expect(cases.length).toBeGreaterThanOrEqual(12)
  })

  test.each(cases)('BM-README-1 $at answers as shown', async (t) => {
    const request = parseCurl(t.command, captures)
    const res = await fetch(`${worker!.url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(20_000),
    })
    let expected = t.expected.text
    if (request.include) {
      const [head = '', ...body] = expected.split('\n\n')
      expected = body.join('\n\n')
      const [status = '', ...headers] = head.split('\n')
      expect(res.status, status).toBe(Number(status.split(' ')[1]))
      for (const line of headers) {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon)
        const actual = res.headers.get(name) ?? ''
        expect(
          matchText(line.slice(colon + 1).trim(), actual, captures),
          `${name}: ${actual}`,
        ).toBe(true)
      }
    }
    if (expected.trim() === '') {
      expect(await res.text()).toBe('')
    } else if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      const want = sseEvents(`${expected}\n\n`)
      expect(sseDifference(want, await readEvents(res, want.length), captures) ?? '').toBe('')
    } else {
      const text = await res.text()
      expect(
        jsonDifference(parseExpectedJson(expected), JSON.parse(text), captures) ?? '',
        text,
      ).toBe('')
    }
  })
})

describe('BM-README-2 the example modules', () => {
  const examples = moduleExamples(README)

  test('BM-README-2 the README has its example modules', () => {
    expect(examples.map((e) => e.path)).toEqual([
      'src/tools/delete-note.ts',
      'src/tools/weather.ts',
      'src/resources/page.ts',
      'src/prompts/summarize.ts',
    ])
  })

  test.each(examples)('BM-README-2 $path is formatted as prettier formats it', async (e) => {
    const filepath = join(ROOT, e.path)
    const options = await prettier.resolveConfig(filepath)
    expect(await prettier.format(e.code, { ...options, filepath })).toBe(e.code)
  })

  test('BM-README-2 every example module type-checks as the file it names', async () => {
    const dir = join(ROOT, '.wrangler', `readme-examples-${process.pid}`)
    try {
      for (const e of examples) {
        mkdirSync(dirname(join(dir, e.path)), { recursive: true })
        writeFileSync(join(dir, e.path), e.code)
      }
      // rootDirs: the examples' folder and src/ are one tree, so './define.ts' resolves.
      const config = {
        extends: '../../tsconfig.json',
        compilerOptions: { rootDirs: ['../../src', './src'] },
        include: ['./src'],
      }
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config))
      const tsc = join(ROOT, 'node_modules/.bin/tsc')
      const { stdout } = await promisify(execFile)(tsc, ['--noEmit', '-p', dir]).catch(
        (error: { stdout?: string; message: string }) => ({
          stdout: error.stdout ?? error.message,
        }),
      )
      expect(stdout).toBe('')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
