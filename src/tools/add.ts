// add: structured output. The result is checked against `output` and mirrored as JSON text.

import * as v from 'valibot'
import { defineTool } from './define.ts'

export const add = defineTool({
  name: 'add',
  title: 'Add two numbers',
  description: 'Adds two numbers and returns their sum as structured output.',
  input: v.strictObject({
    a: v.pipe(v.number(), v.finite(), v.description('The first addend.')),
    b: v.pipe(v.number(), v.finite(), v.description('The second addend.')),
  }),
  output: v.strictObject({ sum: v.pipe(v.number(), v.description('a + b')) }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: ({ a, b }) => ({ structuredContent: { sum: a + b } }),
})
