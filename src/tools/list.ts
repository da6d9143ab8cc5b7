// `tools/list`: the tools a client may call, one page at a time.
//
//   -> {"jsonrpc":"2.0","id":2,"method":"tools/list"}
//   <- {"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"echo","description":"...",
//       "inputSchema":{"type":"object",...}}]}}
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/tools#listing-tools

import * as v from 'valibot'
import type { Params } from '../jsonrpc/message.ts'
import type { ToolsContext } from './call.ts'
import { page } from '../protocol/pagination.ts'
import { parseParams } from '../protocol/params.ts'

const ListParamsSchema = v.looseObject({ cursor: v.optional(v.string('must be a string')) })

export const listTools = (params: Params | undefined, ctx: ToolsContext) => {
  const { cursor } = parseParams('tools/list', ListParamsSchema, params)
  const allowed = ctx.rules
  const { items, nextCursor } = page(ctx.tools.list, cursor, ctx.config.PAGE_SIZE)
  const result: Record<string, unknown> = { tools: items.map((tool) => tool.describe(allowed)) }
  if (nextCursor !== undefined) result.nextCursor = nextCursor
  return result
}
