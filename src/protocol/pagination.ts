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

/** The cursor of the page that starts at `offset`. */
export const cursorAt = (offset: number): string =>
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

/**
 * Where the page `cursor` names starts (0 without one); throws -32602 for a cursor that is not
 * one of ours. Whether anything is still there is the caller's question (`page` asks it).
 */
export const offsetOf = (cursor: string | undefined): number => {
  if (cursor === undefined) return 0
  const decoded = decode(cursor)
  if (decoded === null) throw new JsonRpcError(invalidParams('Invalid cursor'))
  return decoded
}

/** One page of `items` starting at `cursor`; throws -32602 for a cursor we did not issue. */
export const page = <T>(
  items: readonly T[],
  cursor: string | undefined,
  size: number,
): { items: T[]; nextCursor?: string } => {
  const offset = offsetOf(cursor)
  if (cursor !== undefined && offset >= items.length) {
    throw new JsonRpcError(invalidParams('Invalid cursor'))
  }
  const end = offset + size
  return end < items.length
    ? { items: items.slice(offset, end), nextCursor: cursorAt(end) }
    : { items: items.slice(offset) }
}
