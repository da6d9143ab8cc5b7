// `resources/list` and `resources/templates/list`: what a client may read, one page at a time.
//
//   -> {"jsonrpc":"2.0","id":1,"method":"resources/list"}
//   <- {"jsonrpc":"2.0","id":1,"result":{"resources":[{"uri":"bare-mcp://readme","name":"readme",
//       "title":"About bare-mcp","description":"...","mimeType":"text/markdown"}]}}
//
//   -> {"jsonrpc":"2.0","id":2,"method":"resources/templates/list"}
//   <- {"jsonrpc":"2.0","id":2,"result":{"resourceTemplates":[{"uriTemplate":
//       "bare-mcp://greeting/{name}","name":"greeting",...}]}}
//
// R-SF-21, R-SF-22 · https://modelcontextprotocol.io/specification/2025-11-25/server/resources

import * as v from 'valibot'
import type { Params } from '../jsonrpc/message.ts'
import type { RequestContext } from '../protocol/context.ts'
import { page } from '../protocol/pagination.ts'
import { parseParams } from '../protocol/params.ts'
import { rules } from '../protocol/revisions.ts'

const ListParamsSchema = v.looseObject({ cursor: v.optional(v.string('must be a string')) })

/** One page of `items` described for the request's revision, under `key`. */
const listed = <T extends { describe: (allowed: ReturnType<typeof rules>) => unknown }>(
  method: string,
  key: string,
  items: readonly T[],
  params: Params | undefined,
  ctx: RequestContext,
) => {
  const { cursor } = parseParams(method, ListParamsSchema, params)
  const allowed = rules(ctx.revision)
  const { items: shown, nextCursor } = page(items, cursor, ctx.config.PAGE_SIZE)
  const result: Record<string, unknown> = { [key]: shown.map((item) => item.describe(allowed)) }
  if (nextCursor !== undefined) result.nextCursor = nextCursor
  return result
}

/** R-SF-21: `resources/list`, paginated (R-SF-34). */
export const listResources = (params: Params | undefined, ctx: RequestContext) =>
  listed('resources/list', 'resources', ctx.resources.list, params, ctx)

/** R-SF-22: `resources/templates/list`, paginated (R-SF-34). */
export const listResourceTemplates = (params: Params | undefined, ctx: RequestContext) =>
  listed('resources/templates/list', 'resourceTemplates', ctx.resources.templates, params, ctx)
