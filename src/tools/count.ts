// count: a slow counter that reports progress and logs as it goes, and stops when cancelled.
// With a progressToken and an Accept that allows SSE, the answer streams:
//   notifications/progress (1/3), (2/3), (3/3), then the result.

import * as v from 'valibot'
import { defineTool } from './define.ts'

export const count = defineTool({
  name: 'count',
  title: 'Count slowly',
  description:
    'Counts from 1 to `to`, waiting `delayMs` between steps and reporting progress at each step.',
  input: v.strictObject({
    to: v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.maxValue(100),
      v.description('Last number (1-100).'),
    ),
    delayMs: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(0),
        v.maxValue(5_000),
        v.description('Pause per step in ms.'),
      ),
      100,
    ),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async ({ to, delayMs }, ctx) => {
    for (let n = 1; n <= to; n++) {
      await scheduler.wait(delayMs)
      ctx.signal.throwIfAborted()
      ctx.progress(n, to, `Counted to ${n}`)
      ctx.log('debug', `Counted to ${n}`, 'count')
    }
    ctx.log('info', `Finished counting to ${to}`, 'count')
    return `Counted to ${to}.`
  },
})
