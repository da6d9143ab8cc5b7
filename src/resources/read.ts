// `resources/read`: the contents at a URI, as text or as base64 bytes.
//
//   -> {"jsonrpc":"2.0","id":3,"method":"resources/read",
//       "params":{"uri":"bare-mcp://greeting/Ada"}}
//   <- {"jsonrpc":"2.0","id":3,"result":{"contents":[{"uri":"bare-mcp://greeting/Ada",
//       "mimeType":"text/plain","text":"Hello, Ada!"}]}}
//
// A URI is looked up among the resources first, then matched against each template in listing
// order; the first that returns contents answers. When none does, the answer is the not-found
// error of the revision (-32002 before 2026-07-28, -32602 with HTTP 400 in it), with the URI in
// `data`, and never a result with an empty `contents` array (R-SF-23).
//
// R-SF-23, R-SF-26 · https://modelcontextprotocol.io/specification/2026-07-28/server/resources#error-handling

import * as v from 'valibot'
import { JsonRpcError } from '../jsonrpc/errors.ts'
import type { Params } from '../jsonrpc/message.ts'
import type { RequestContext } from '../protocol/context.ts'
import { parseParams } from '../protocol/params.ts'
import { failAsError, runHandler } from '../protocol/runner.ts'
import { ABSOLUTE_URI, type ReadContext, type ResourceReturn } from './define.ts'
import type { ResourceSet } from './resource-set.ts'

/** What a resource handler looks in: the request's resources and templates. */
export type ResourcesContext = RequestContext & { resources: ResourceSet }

/** Longer URIs are refused before any template sees them. */
export const MAX_URI_LENGTH = 8192

const ReadParamsSchema = v.looseObject({
  // R-SF-26: servers MUST validate resource URIs.
  uri: v.pipe(
    v.string('must be a string'),
    v.maxLength(MAX_URI_LENGTH, `must be at most ${MAX_URI_LENGTH} characters`),
    v.regex(ABSOLUTE_URI, 'must be an absolute URI'),
  ),
})

/** A `contents` item on the wire. */
type Contents = { uri: string; mimeType?: string } & ({ text: string } | { blob: string })

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const base64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/**
 * Turns what `read` returned into `contents`, or null for "nothing here" (null, or an empty
 * list). R-SF-26: binary data MUST be properly encoded, so a blob string that is not base64 is
 * our bug (-32603), not something to send.
 */
const contentsOf = (
  returned: ResourceReturn,
  uri: string,
  mimeType: string | undefined,
): Contents[] | null => {
  if (returned === null) return null
  const items =
    typeof returned === 'string' || returned instanceof Uint8Array || !Array.isArray(returned)
      ? [returned as Exclude<ResourceReturn, null | readonly unknown[]>]
      : (returned as readonly Exclude<ResourceReturn, null | readonly unknown[]>[])
  if (items.length === 0) return null
  return items.map((item) => {
    if (typeof item === 'string') item = { text: item }
    else if (item instanceof Uint8Array) item = { blob: item }
    const head: { uri: string; mimeType?: string } = { uri: item.uri ?? uri }
    const type = item.mimeType ?? mimeType
    if (type !== undefined) head.mimeType = type
    if ('text' in item) return { ...head, text: item.text }
    if (typeof item.blob !== 'string') return { ...head, blob: base64(item.blob) }
    if (!BASE64.test(item.blob))
      throw new Error(`read of ${uri} returned a blob that is not base64`)
    return { ...head, blob: item.blob }
  })
}

/** R-SF-23: the not-found error of the request's revision, naming the URI. */
const notFound = (uri: string, ctx: RequestContext) =>
  new JsonRpcError({
    code: ctx.rules.resourceNotFound,
    message: 'Resource not found',
    data: { uri },
  })

export const readResource = async (params: Params | undefined, ctx: ResourcesContext) => {
  const { uri } = parseParams('resources/read', ReadParamsSchema, params)
  const reading = {
    method: 'resources/read',
    target: uri,
    args: {},
    params,
    asks: true,
    label: 'resources/read',
    fail: failAsError('resources/read'),
  } as const
  return runHandler(ctx, reading, async (context: ReadContext) => {
    const resource = ctx.resources.get(uri)
    if (resource !== undefined) {
      const contents = contentsOf(await resource.read(uri, context), uri, resource.mimeType)
      if (contents !== null) return { contents }
    }
    for (const template of ctx.resources.templates) {
      const vars = template.match(uri)
      if (vars === null) continue
      const contents = contentsOf(await template.read(uri, vars, context), uri, template.mimeType)
      if (contents !== null) return { contents }
    }
    throw notFound(uri, ctx)
  })
}
