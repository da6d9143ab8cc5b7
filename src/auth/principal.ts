// The principal crosses one boundary: from the Worker, which checked the token, to the session
// shard that runs the request. It travels in an internal header that the Worker always sets
// (or deletes) itself, so a client can never supply it (src/sessions/route.ts).

import * as v from 'valibot'
import type { Principal } from '../protocol/principal.ts'

const PrincipalSchema = v.object({
  subject: v.string(),
  clientId: v.string(),
  scopes: v.array(v.string()),
  via: v.picklist(['oauth', 'api-key']),
  name: v.exactOptional(v.string()),
  email: v.exactOptional(v.string()),
})

/** Header-safe (ASCII) form of a principal. */
export const encodePrincipal = (principal: Principal): string =>
  encodeURIComponent(JSON.stringify(principal))

/** The principal in an internal header, or null when absent or unreadable. */
export const decodePrincipal = (header: string | null): Principal | null => {
  if (header === null) return null
  try {
    const parsed = v.safeParse(PrincipalSchema, JSON.parse(decodeURIComponent(header)))
    return parsed.success ? parsed.output : null
  } catch {
    return null
  }
}
