// The official conformance suite's authorization-server scenarios (npm run conformance:auth)
// inside npm test: metadata discovery and the authorization code grant, with the suite itself
// as the OAuth client and scripts/conformance-auth.mjs playing the person at the browser.

import { expect, test } from 'vitest'
import { runAuthConformance } from '../../scripts/conformance-auth.mjs'

test('BM-CONFORMANCE-2 the authorization-server scenarios pass with no failure', async () => {
  const { checks, output, code } = await runAuthConformance()
  const summary = checks.map((check) => `${check.status} ${check.id}`)
  expect(summary, output).toEqual([
    'SUCCESS authorization-code-grant',
    'SUCCESS authorization-server-metadata',
    'SUCCESS authorization-server-metadata-cimd',
  ])
  expect(code, output).toBe(0)
}, 180_000)
