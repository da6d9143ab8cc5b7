// Who a `client_id` is: a client that registered with us (RFC 7591, a row in the AuthStore), or,
// when AUTH_CIMD=true and the id is an https URL, the client its metadata document describes
// (cimd.ts, cached in the AuthStore).
//
//   "Qx3...f2"                                  -> clients table (unless it expired unused)
//   "https://chatgpt.com/oauth/abc/client.json" -> cimd_cache, or fetched and validated
//
// BM-AUTH-3: a document that could not be used is remembered as such for
// AUTH_FETCH_FAILURE_TTL_S, so asking again does not fetch again; the client hears one sentence
// (CIMD_UNUSABLE) whatever the reason, which goes to the log.

import { authStore } from './binding.ts'
import { checkCimdUrl, CIMD_UNUSABLE, fetchDocument, looksLikeCimd } from './cimd.ts'
import type { AuthContext, Client } from './types.ts'
import { audit } from '../observe/audit.ts'

export type Found =
  { ok: true; client: Client; secretHash: string | null } | { ok: false; error: string }

/** The client `clientId` names, or why there is none (a sentence safe to show a person). */
export const findClient = async (ctx: AuthContext, clientId: string): Promise<Found> => {
  const store = authStore(ctx.env)
  if (ctx.config.AUTH_CIMD && looksLikeCimd(clientId)) {
    const problem = checkCimdUrl(clientId, ctx.outbound)
    if (problem !== null) return { ok: false, error: problem }
    const cached = await store.getCachedDocument(clientId)
    if (cached !== null) {
      return 'client' in cached
        ? { ok: true, client: cached.client, secretHash: null }
        : { ok: false, error: CIMD_UNUSABLE }
    }
    const fetched = await fetchDocument(clientId, ctx.config, ctx.outbound)
    const max = ctx.config.AUTH_CIMD_CACHE_MAX
    if (!fetched.ok) {
      console.warn(`client metadata document ${clientId} refused: ${fetched.reason}`)
      audit(ctx.env, ctx.request, {
        name: 'auth.client.document',
        outcome: 'failure',
        client: clientId,
        reason: fetched.reason,
      })
      const until = Date.now() + ctx.config.AUTH_FETCH_FAILURE_TTL_S * 1000
      await store.putCachedDocument(clientId, null, until, max)
      return { ok: false, error: CIMD_UNUSABLE }
    }
    const until = Date.now() + fetched.maxAgeS * 1000
    await store.putCachedDocument(clientId, fetched.client, until, max)
    audit(ctx.env, ctx.request, {
      name: 'auth.client.document',
      outcome: 'success',
      client: clientId,
      clientName: fetched.client.clientName,
      reason: `token_endpoint_auth_method ${fetched.client.tokenEndpointAuthMethod}`,
    })
    return { ok: true, client: fetched.client, secretHash: null }
  }
  const stored = clientId === '' ? null : await store.getClient(clientId)
  if (stored === null) return { ok: false, error: 'unknown client_id' }
  return { ok: true, client: stored.client, secretHash: stored.secretHash }
}
