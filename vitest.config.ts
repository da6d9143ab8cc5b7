import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        // Wire and unit tests run inside workerd, against the real Worker (SELF / exports).
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        // Property-based tests (test/fuzz) run here too; FUZZ_SCALE multiplies their runs
        // (`npm run fuzz`), FUZZ_SEED and FUZZ_PATH replay a failure, FUZZ_UNBOUNDED=1 lifts
        // the generators' bounds around known failures (README, "Fuzzing").
        test: {
          name: 'workers',
          include: ['test/wire/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          provide: {
            fuzzScale: Number(process.env.FUZZ_SCALE ?? 1),
            fuzzSeed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : null,
            fuzzPath: process.env.FUZZ_PATH || null,
            fuzzUnbounded: process.env.FUZZ_UNBOUNDED ?? '',
          },
        },
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
