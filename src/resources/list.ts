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
// `resources/list` shows the fixed resources first, then those of the set's source, if any
// (src/resources/source.ts: the knowledge base's documents in the demo), one page at a time.
//
// R-SF-21, R-SF-22 · https://modelcontextprotocol.io/specification/2025-11-25/server/resources

import * as v from 'valibot'
import { invalidParams, JsonRpcError } from '../jsonrpc/errors.ts'
import type { Params } from '../jsonrpc/message.ts'
import type { RequestContext } from '../protocol/context.ts'
import type { ResourcesContext } from './read.ts'
import { cursorAt, offsetOf } from '../protocol/pagination.ts'
import { parseParams } from '../protocol/params.ts'
import type { RevisionRules } from '../protocol/revisions.ts'
import { describeMetadata } from './define.ts'
import type { ResourceSource } from './source.ts'

const ListParamsSchema = v.looseObject({ cursor: v.optional(v.string('must be a string')) })

/**
 * One page of `items` described for the request's revision, under `key`, continued by the
 * `source`'s resources when there is one (R-SF-25): one offset runs through both, so the cursor
 * scheme stays the same. An offset past the end (the source shrank since the cursor was issued)
 * is an invalid cursor, and the client lists again.
 */
const listed = async <T extends { describe: (allowed: RevisionRules) => unknown }>(
  method: string,
  key: string,
  items: readonly T[],
  params: Params | undefined,
  ctx: RequestContext,
  source?: ResourceSource,
) => {
  const { cursor } = parseParams(method, ListParamsSchema, params)
  const allowed = ctx.rules
  const offset = offsetOf(cursor)
  const size = ctx.config.PAGE_SIZE
  const shown = items.slice(offset, offset + size).map((item) => item.describe(allowed))
  let more = offset + size < items.length
  if (source !== undefined && !more) {
    // Asked even for no items, to learn whether any follow the fixed ones.
    const sourced = await source.list(ctx, Math.max(0, offset - items.length), size - shown.length)
    for (const item of sourced.resources) {
      shown.push(describeMetadata({ uri: item.uri }, item, allowed, item.size))
    }
    more = sourced.more
  }
  if (cursor !== undefined && shown.length === 0) {
    throw new JsonRpcError(invalidParams('Invalid cursor'))
  }
  const result: Record<string, unknown> = { [key]: shown }
  if (more) result.nextCursor = cursorAt(offset + shown.length)
  return result
}

/** R-SF-21: `resources/list`, paginated (R-SF-34): the fixed resources, then the source's. */
export const listResources = (params: Params | undefined, ctx: ResourcesContext) =>
  listed('resources/list', 'resources', ctx.resources.list, params, ctx, ctx.resources.source)

/** R-SF-22: `resources/templates/list`, paginated (R-SF-34). */
export const listResourceTemplates = (params: Params | undefined, ctx: ResourcesContext) =>
  listed('resources/templates/list', 'resourceTemplates', ctx.resources.templates, params, ctx)
