// `prompts/list`: the prompts a client may get, one page at a time.
//
//   -> {"jsonrpc":"2.0","id":1,"method":"prompts/list"}
//   <- {"jsonrpc":"2.0","id":1,"result":{"prompts":[{"name":"code_review","title":"Code review",
//       "description":"...","arguments":[{"name":"code","description":"...","required":true}]}]}}
//
// R-SF-30, R-SF-34 · https://modelcontextprotocol.io/specification/2025-11-25/server/prompts#listing-prompts

import * as v from 'valibot'
import type { Params } from '../jsonrpc/message.ts'
import type { PromptsContext } from './get.ts'
import { page } from '../protocol/pagination.ts'
import { parseParams } from '../protocol/params.ts'

const ListParamsSchema = v.looseObject({ cursor: v.optional(v.string('must be a string')) })

export const listPrompts = (params: Params | undefined, ctx: PromptsContext) => {
  const { cursor } = parseParams('prompts/list', ListParamsSchema, params)
  const allowed = ctx.rules
  const { items, nextCursor } = page(ctx.prompts.list, cursor, ctx.config.PAGE_SIZE)
  const result: Record<string, unknown> = {
    prompts: items.map((prompt) => prompt.describe(allowed)),
  }
  if (nextCursor !== undefined) result.nextCursor = nextCursor
  return result
}
