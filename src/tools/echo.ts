// echo: repeats its input. The smallest possible tool.

import * as v from 'valibot'
import { defineTool } from './define.ts'

export const echo = defineTool({
  name: 'echo',
  title: 'Echo',
  description: 'Returns the given text unchanged. Useful to test a connection.',
  input: v.strictObject({
    text: v.pipe(v.string(), v.maxLength(10_000), v.description('The text to send back.')),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: ({ text }) => text,
})
