// BM-FUZZ-3: single requests to the MCP endpoints through the real Worker, in both eras:
// initialize-era POSTs (every revision's header, or none), 2026-07-28 POSTs (`_meta` claim,
// MCP-Protocol-Version, Mcp-Method, Mcp-Name), 2025-03-26 batches, other HTTP methods, and
// 2026-07-28 calls whose arguments travel in Mcp-Param-* headers too. Bodies are JSON-RPC
// messages of every method we serve with mutated fields; headers are the ones we read, varied.

import fc from 'fast-check'
import { test } from 'vitest'
import { TOOLS } from '../../src/tools/index.ts'
import {
  checkAsync,
  expectSound,
  runs,
  stillAnswers,
  timeoutFor,
  withLiveness,
} from '../helpers/fuzz.ts'
import {
  paramHeaderPost,
  sendHostile,
  statelessRequest,
  type HostileRequest,
} from '../helpers/hostile.ts'
import { route } from '../helpers/tools.ts'
import { serverWith, type Target } from '../helpers/wire.ts'

const soundAt = (target?: Target) => async (r: HostileRequest) => {
  await expectSound(sendHostile(r, target), {
    mayStayOpen: r.mayStayOpen,
    rpc: true,
    head: r.method === 'HEAD',
  })
}

const STATELESS = 1_500
test(
  `BM-FUZZ-3 stateless requests in both eras (single, batched, any method) never get a 5xx, a leak or a hang (${runs(STATELESS)} cases)`,
  async () => {
    await checkAsync(fc.asyncProperty(statelessRequest, withLiveness(soundAt())), STATELESS)
    await stillAnswers()
  },
  timeoutFor(STATELESS, 100),
)

const withRoute = serverWith([...TOOLS, route])
const PARAMS = 300
test(
  `BM-FUZZ-3 2026-07-28 calls with Mcp-Param-* headers, faithful or not, never get a 5xx, a leak or a hang (${runs(PARAMS)} cases)`,
  async () => {
    await checkAsync(fc.asyncProperty(paramHeaderPost, withLiveness(soundAt(withRoute))), PARAMS)
    await stillAnswers()
  },
  timeoutFor(PARAMS, 100),
)
