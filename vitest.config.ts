import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'
import { examplePath, moduleExamples } from './test/helpers/readme.ts'

const ROOT = fileURLToPath(new URL('.', import.meta.url))

/**
 * `import * as m from 'readme:src/tools/weather.ts'` loads README.md's example module for that
 * path (test/helpers/readme.ts), placed beside where it belongs so its relative imports resolve
 * as they would once pasted there. Nothing is written to disk.
 */
const readmeExamples = (): Plugin => ({
  name: 'readme-examples',
  resolveId(id) {
    if (id.startsWith('readme:')) return ROOT + examplePath(id.slice('readme:'.length))
    // The module runner asks again by the served path, root-relative or absolute.
    if (!id.endsWith('.readme-example.ts')) return undefined
    return id.startsWith(ROOT) ? id : ROOT + id.replace(/^\//, '')
  },
  load(id) {
    if (!id.startsWith(ROOT) || !id.endsWith('.readme-example.ts')) return undefined
    const path = id.slice(ROOT.length)
    const examples = moduleExamples(readFileSync(`${ROOT}README.md`, 'utf8'))
    const example = examples.find((e) => examplePath(e.path) === path)
    if (example === undefined) throw new Error(`README.md has no example module for ${path}`)
    return example.code
  },
})

/** Markdown imported as text (SPEC_NOTES.md for the wire view), as wrangler's Text rule does. */
const markdownAsText = (): Plugin => ({
  name: 'markdown-as-text',
  load(id) {
    if (!id.endsWith('.md')) return undefined
    return `export default ${JSON.stringify(readFileSync(id, 'utf8'))}`
  },
})

/**
 * The limits test project runs the same Worker with tiny rate limits (2 per window), so a test
 * can meet them in a few requests; the deployed limits in wrangler.toml stay as they are.
 */
const TINY = { limit: 2 } as const
const tinyRateLimits = {
  MCP_RATE_LIMIT: { namespace_id: '4211', simple: { ...TINY, period: 10 } },
  TOOL_CALL_RATE_LIMIT: { namespace_id: '4212', simple: { ...TINY, period: 10 } },
  REGISTER_RATE_LIMIT: { namespace_id: '4213', simple: { ...TINY, period: 60 } },
  TOKEN_RATE_LIMIT: { namespace_id: '4214', simple: { ...TINY, period: 60 } },
  AUTHORIZE_RATE_LIMIT: { namespace_id: '4215', simple: { ...TINY, period: 60 } },
} as const

/** The caps of src/settings/config.ts, small enough to meet in a test (the shards read these). */
const TINY_CAPS = {
  MAX_SESSIONS_PER_CALLER: '2',
  MAX_STREAMS_PER_CALLER: '2',
  MAX_INFLIGHT_PER_SESSION: '2',
}

/**
 * The server's own log (SERVER_LOG_LEVEL) is off in the Workers projects, so thousands of
 * requests do not print thousands of lines; the tests of the log turn it on for their own
 * servers (test/wire/observability.test.ts, test/wire/audit.test.ts).
 */
const QUIET = { SERVER_LOG_LEVEL: 'off' }

export default defineConfig({
  test: {
    projects: [
      {
        // Wire and unit tests run inside workerd, against the real Worker (SELF / exports).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: QUIET },
          }),
          readmeExamples(),
          markdownAsText(),
        ],
        // Property-based tests (test/fuzz) run here too; FUZZ_SCALE multiplies their runs
        // (`npm run fuzz`), FUZZ_SEED and FUZZ_PATH replay a failure (README, "Fuzzing").
        test: {
          name: 'workers',
          include: ['test/wire/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          provide: {
            fuzzScale: Number(process.env.FUZZ_SCALE ?? 1),
            fuzzSeed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : null,
            fuzzPath: process.env.FUZZ_PATH || null,
          },
        },
      },
      {
        // Rate limits, met with a few requests: the same Worker with tiny limits.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { ratelimits: tinyRateLimits, bindings: { ...TINY_CAPS, ...QUIET } },
          }),
          markdownAsText(),
        ],
        test: { name: 'limits', include: ['test/limits/**/*.test.ts'] },
      },
      {
        // End-to-end tests run in Node against `wrangler dev` started by the global setup.
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/node/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
