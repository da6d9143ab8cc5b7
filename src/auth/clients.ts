// Who a `client_id` is: a client that registered with us (RFC 7591, a row in the AuthStore), or,
// when AUTH_CIMD=true and the id is an https URL, the client its metadata document describes
// (cimd.ts, cached in the AuthStore).
//
//   "Qx3...f2"                                  -> clients table
//   "https://chatgpt.com/oauth/abc/client.json" -> cimd_cache, or fetched and validated

import { authStore } from './binding.ts'
import { checkCimdUrl, fetchDocument, looksLikeCimd } from './cimd.ts'
import type { StoredClient } from './store.ts'
import type { AuthContext, Client } from './types.ts'

export type Found =
  { ok: true; client: Client; secretHash: string | null } | { ok: false; error: string }

/** The client `clientId` names, or why there is none (a sentence safe to show a person). */
export const findClient = async (ctx: AuthContext, clientId: string): Promise<Found> => {
  const store = authStore(ctx.env)
  if (ctx.config.AUTH_CIMD && looksLikeCimd(clientId)) {
    const problem = checkCimdUrl(clientId, ctx.config)
    if (problem !== null) return { ok: false, error: problem }
    const cached = await store.getCachedDocument(clientId)
    if (cached !== null) return { ok: true, client: cached, secretHash: null }
    const fetched = await fetchDocument(clientId, ctx.config)
    if (!fetched.ok) return fetched
    await store.putCachedDocument(clientId, fetched.client, Date.now() + fetched.maxAgeS * 1000)
    return { ok: true, client: fetched.client, secretHash: null }
  }
  const stored = clientId === '' ? null : ((await store.getClient(clientId)) as StoredClient | null)
  if (stored === null) return { ok: false, error: 'unknown client_id' }
  return { ok: true, client: stored.client, secretHash: stored.secretHash }
}
