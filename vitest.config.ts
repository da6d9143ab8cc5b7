import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

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

export default defineConfig({
  test: {
    projects: [
      {
        // Wire and unit tests run inside workerd, against the real Worker (SELF / exports).
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: { name: 'workers', include: ['test/wire/**/*.test.ts', 'test/unit/**/*.test.ts'] },
      },
      {
        // Rate limits, met with a few requests: the same Worker with tiny limits.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { ratelimits: tinyRateLimits },
          }),
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
