// The official MCP conformance suite, inside `npm test`: `npm run conformance` (scripts/
// conformance.mjs) starts its own `wrangler dev` with FIXTURES=conformance, checks that every
// fixture is advertised, and runs @modelcontextprotocol/conformance 0.1.16 (`--suite all`) and
// 0.2.0-alpha.12 (`--suite all` for 2025-03-26 .. 2026-07-28). Any FAILURE fails this test;
// the script's report (summaries, warnings, skipped checks, failures) is its message.

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Wrangler's start plus five suite runs take about 30 s here; 2-core CI gets headroom. */
const TIMEOUT_MS = 300_000

const runConformance = () =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['scripts/conformance.mjs'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('close', (code) => resolve({ code, output }))
  })

test(
  'BM-CONFORMANCE-1 the official conformance suites pass with no FAILURE (npm run conformance)',
  { timeout: TIMEOUT_MS },
  async () => {
    const { code, output } = await runConformance()
    console.log(output)
    expect(code, output).toBe(0)
    // The stable suite's `all` really ran its 32 scenarios, and each alpha run its own.
    expect(output).toMatch(/conformance-stable@0\.1\.16 --suite all: 32\/32 scenarios passed/)
    for (const version of ['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']) {
      expect(output).toMatch(
        new RegExp(`--spec-version ${version}: (\\d+)/\\1 scenarios passed, 0 failed`),
      )
    }
  },
)
