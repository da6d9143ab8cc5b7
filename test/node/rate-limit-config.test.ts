// The rate limiters' bindings (BM-RATE-1): wrangler.toml declares every limiter the code knows
// (src/http/rate-limit.ts LIMITERS), in the top level and in every environment (bindings are
// not inherited), each with the period the code's Retry-After assumes; namespace ids are
// distinct, so no two limiters share counters.

import { unstable_readConfig } from 'wrangler'
import { describe, expect, test } from 'vitest'
import { LIMITERS } from '../../src/http/rate-limit.ts'
import { ROOT } from '../../scripts/lib/wrangler.mjs'

const ENVIRONMENTS = [undefined, 'conformance'] as const

interface Limiter {
  name: string
  namespace_id: string
  simple: { limit: number; period: number }
}

describe('BM-RATE-1 every limiter is bound in wrangler.toml', () => {
  test.each(ENVIRONMENTS)(
    'BM-RATE-1 environment %s: each limiter with its period, distinct namespaces',
    (env) => {
      const config = unstable_readConfig({ config: `${ROOT}/wrangler.toml`, env })
      const limiters: readonly Limiter[] = config.ratelimits
      const bound = Object.fromEntries(
        limiters.map((binding) => [binding.name, binding.simple.period]),
      )
      const expected = Object.fromEntries(
        Object.entries(LIMITERS).map(([name, { period }]) => [name, period]),
      )
      expect(bound).toEqual(expected)
      const namespaces = limiters.map((binding) => binding.namespace_id)
      expect(new Set(namespaces).size).toBe(namespaces.length)
    },
  )
})
