// greet: asks the user for their name, then greets them. Shows the one way a tool asks the
// client for input (`ctx.ask`): in 2026-07-28 it becomes an MRTR `input_required` round.

import { defineTool } from './define.ts'

export const greet = defineTool({
  name: 'greet',
  title: 'Greet me',
  description: 'Asks for your name (an elicitation form), then greets you by it.',
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async (_, ctx) => {
    const answer = await ctx.ask({
      method: 'elicitation/create',
      params: {
        mode: 'form',
        message: 'What is your name?',
        requestedSchema: {
          type: 'object',
          properties: {
            name: { type: 'string', title: 'Your name', minLength: 1, maxLength: 100 },
          },
          required: ['name'],
        },
      },
    })
    const content = answer.content as { name?: unknown } | undefined
    if (answer.action === 'accept' && typeof content?.name === 'string' && content.name !== '') {
      return `Hello, ${content.name}!`
    }
    return 'Hello, stranger.'
  },
})
