import fc from 'fast-check'
import { expect, test } from 'vitest'
import { WORKER, type Target } from '../helpers/wire.ts'
import { checkAsync, expectSound, runs, timeoutFor } from '../helpers/fuzz.ts'
import { bodyOf, statelessRequest, type HostileRequest } from '../helpers/hostile.ts'

const sendRaw = (r: HostileRequest, target: Target = WORKER) => {
  const body = bodyOf(r)
  return target.fetch(
    new Request(`http://localhost${r.path}`, {
      method: r.method,
      headers: r.headers,
      ...(body === undefined ? {} : { body }),
    }),
  )
}

const STATELESS = 1000
test(
  `BM-FUZZ-3 stateless requests in both eras never get a 5xx, a leak or a hang (${runs(STATELESS)} cases)`,
  async () => {
    await checkAsync(
      fc.asyncProperty(statelessRequest, async (r) => {
        await expectSound(sendRaw(r), {
          mayStayOpen: r.mayStayOpen,
          rpc: true,
          head: r.method === 'HEAD',
        })
      }),
      STATELESS,
    )
  },
  timeoutFor(STATELESS, 100),
)
