// `prompts/get`: a prompt filled in with its arguments, as messages for the model.
//
//   -> {"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"code_review",
//       "arguments":{"code":"print(1)","language":"python"}}}
//   <- {"jsonrpc":"2.0","id":2,"result":{"description":"...","messages":[{"role":"user",
//       "content":{"type":"text","text":"Please review this python code: ..."}}]}}
//
// An unknown prompt and arguments that do not validate are -32602 (R-SF-30), in every revision:
// unlike tools, prompts have no error result for a model to read.
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/prompts#getting-a-prompt

import * as v from 'valibot'
import { invalidParams, JsonRpcError } from '../jsonrpc/errors.ts'
import { cut, describeIssues } from '../jsonrpc/issues.ts'
import { ObjectSchema, type Params } from '../jsonrpc/message.ts'
import { contentFor } from '../protocol/content.ts'
import type { RequestContext } from '../protocol/context.ts'
import { parseParams } from '../protocol/params.ts'
import { failAsError, runHandler } from '../protocol/runner.ts'
import { user, type Prompt, type PromptMessage, type PromptReturn } from './define.ts'
import type { PromptSet } from './prompt-set.ts'

/** What a prompt handler looks in: the request's prompts. */
export type PromptsContext = RequestContext & { prompts: PromptSet }

const GetParamsSchema = v.looseObject({
  name: v.string('must be a string'),
  arguments: v.optional(
    v.pipe(
      v.custom<Record<string, unknown>>(
        (value) => v.is(ObjectSchema, value),
        'must be an object of strings',
      ),
      v.record(v.string(), v.string('must be a string')),
    ),
  ),
})

const ROLES = new Set(['user', 'assistant'])

const isMessages = (value: PromptReturn): value is readonly PromptMessage[] => Array.isArray(value)

/** Turns what `get` returned into a GetPromptResult for the request's revision. */
const shape = (prompt: Prompt, returned: PromptReturn, ctx: RequestContext) => {
  const allowed = ctx.rules
  const result: { description?: string; messages: readonly PromptMessage[] } =
    typeof returned === 'string'
      ? { messages: [user(returned)] }
      : isMessages(returned)
        ? { messages: returned }
        : returned
  // R-SF-30: implementations MUST validate prompt outputs; a bad message is our bug (-32603).
  const messages = result.messages.map(({ role, content }) => {
    if (!ROLES.has(role))
      throw new Error(`prompt ${prompt.name} returned a message with role ${role}`)
    // Content blocks a revision lacks (audio, resource_link) become text notes.
    return { role, content: contentFor(allowed, [content])[0] }
  })
  return { description: result.description ?? prompt.description, messages }
}

export const getPrompt = async (params: Params | undefined, ctx: PromptsContext) => {
  const { name, arguments: args = {} } = parseParams('prompts/get', GetParamsSchema, params)
  const prompt = ctx.prompts.get(name)
  // R-SF-30: an unknown prompt is -32602.
  if (prompt === undefined) throw new JsonRpcError(invalidParams(`Unknown prompt: ${cut(name)}`))
  // R-SF-30: missing or invalid arguments are -32602, named as valibot found them.
  const parsed = v.safeParse(prompt.arguments, args)
  if (!parsed.success) {
    throw new JsonRpcError(
      invalidParams(
        `Invalid arguments for prompt ${name}: ${describeIssues(parsed.issues, 'arguments')}`,
      ),
    )
  }
  return runHandler(
    ctx,
    {
      method: 'prompts/get',
      target: name,
      args,
      params,
      asks: true,
      label: 'prompts/get',
      fail: failAsError('prompts/get'),
    },
    async (context) => shape(prompt, await prompt.get(parsed.output, context), ctx),
  )
}
