// Cursor pagination for list methods.
//
//   -> {"method":"tools/list","params":{"cursor":"eyJvIjo1MH0"}}
//   <- {"result":{"tools":[...],"nextCursor":"eyJvIjoxMDB9"}}      (no nextCursor: last page)
//
// The cursor is opaque to clients: base64url of a tiny JSON object holding the offset.
//
// R-SF-2 · https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/pagination
// An invalid cursor SHOULD get -32602.

import * as v from 'valibot'
import { invalidParams, JsonRpcError } from '../jsonrpc/errors.ts'

const CursorSchema = v.object({ o: v.pipe(v.number(), v.integer(), v.minValue(1)) })

const encode = (offset: number): string =>
  btoa(JSON.stringify({ o: offset }))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

const decode = (cursor: string): number | null => {
  try {
    const parsed = v.safeParse(
      CursorSchema,
      JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))),
    )
    return parsed.success ? parsed.output.o : null
  } catch {
    return null
  }
}

/** One page of `items` starting at `cursor`; throws -32602 for a cursor we did not issue. */
export const page = <T>(
  items: readonly T[],
  cursor: string | undefined,
  size: number,
): { items: T[]; nextCursor?: string } => {
  let offset = 0
  if (cursor !== undefined) {
    const decoded = decode(cursor)
    if (decoded === null || decoded >= items.length) {
      throw new JsonRpcError(invalidParams('Invalid cursor'))
    }
    offset = decoded
  }
  const end = offset + size
  return end < items.length
    ? { items: items.slice(offset, end), nextCursor: encode(end) }
    : { items: items.slice(offset) }
}
