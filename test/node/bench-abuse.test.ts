// `npm run bench:abuse` measures the worst requests each limit allows and the first it refuses;
// its figures mean something only if those requests sit exactly at the limits. `--dry` builds
// every one and checks it against the server's own parser, `initialize` check and tool schema,
// without starting a server: the largest allowed passes, one more is refused.

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'
import { ROOT } from '../../scripts/lib/wrangler.mjs'

const run = promisify(execFile)

test('BM-ABUSE-1 bench:abuse --dry: the largest allowed batch, initialize and body are read, one more is refused, by the server code', async () => {
  const { stdout } = await run(process.execPath, ['bench/abuse.mjs', '--dry'], {
    cwd: ROOT,
    timeout: 60_000,
  })
  expect(stdout).not.toMatch(/^FAIL/m)
  for (const check of [
    /^ok +batch of MAX_BATCH \(32\) is read$/m,
    /^ok +batch of 33 is refused by MAX_BATCH$/m,
    /^ok +20,000-member batch .* refused by MAX_BATCH$/m,
    /^ok +initialize at MAX_CLIENT_INFO_BYTES \(16384\) and MAX_CLIENT_INFO_DEPTH \(16\) is stored$/m,
    /^ok +one byte more is refused by MAX_CLIENT_INFO_BYTES$/m,
    /^ok +one level deeper is refused by MAX_CLIENT_INFO_DEPTH$/m,
    /^ok +capabilities 100,000 deep .* refused by MAX_JSON_DEPTH$/m,
    /^ok +ping of exactly MAX_BODY_BYTES \(1048576\) is read$/m,
  ])
    expect(stdout).toMatch(check)
  expect(stdout).toMatch(/^bench:abuse --dry: all \d+ checks pass/m)
})
