// API keys: for the Responses API's `headers`/`authorization` fields and server-to-server
// callers that cannot do OAuth. A key is `bmk_<id>_<secret>`; only its SHA-256 is stored (in the
// AuthStore), with a label and scopes. Created and revoked through the admin API
// (/admin/keys, `npm run keys`), shown once at creation.
//
// A verified key is cached in the isolate for KEY_CACHE_MS, so a revoked key stops working
// within that time on every isolate (at once on the one that revoked it).

import type { Env } from '../settings/env.ts'
import { authStore } from './binding.ts'
import { randomToken, sha256 } from './crypto.ts'
import type { Principal } from '../protocol/principal.ts'
import { audit } from '../observe/audit.ts'

export const API_KEY_PREFIX = 'bmk_'
const KEY_SHAPE = /^bmk_([A-Za-z0-9]{12})_[A-Za-z0-9_-]{43}$/

/** How long a looked-up key (or its absence) is remembered in the isolate. */
export const KEY_CACHE_MS = 30_000

export const isApiKey = (token: string): boolean => token.startsWith(API_KEY_PREFIX)

const cache = new Map<string, { principal: Principal | null; until: number }>()

/** A new key: what to show once, and what to store. */
export const mintApiKey = async (): Promise<{ id: string; key: string; hash: string }> => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const id = [...crypto.getRandomValues(new Uint8Array(12))]
    .map((byte) => alphabet[byte % alphabet.length])
    .join('')
  const key = `${API_KEY_PREFIX}${id}_${randomToken(32)}`
  return { id, key, hash: await sha256(key) }
}

/**
 * The principal an API key proves, or null (unknown, revoked or malformed). BM-AUDIT-3: a key
 * looked up in the AuthStore (at most once per key per isolate every KEY_CACHE_MS) is an audit
 * event; every request is in the operation log, under the key's subject.
 */
export const findApiKey = async (
  env: Env,
  key: string,
  request: Request | null = null,
): Promise<Principal | null> => {
  if (!KEY_SHAPE.test(key)) return null
  const hash = await sha256(key)
  const now = Date.now()
  const cached = cache.get(hash)
  if (cached !== undefined && cached.until > now) return cached.principal
  const row = await authStore(env).findApiKey(hash)
  const principal: Principal | null =
    row === null
      ? null
      : // Frozen: one principal serves every request with this key while it is cached.
        Object.freeze({
          subject: `key:${row.id}`,
          clientId: 'api-key',
          scopes: Object.freeze(row.scopes),
          via: 'api-key',
          name: row.label,
        })
  if (principal !== null) {
    const { subject, clientId } = principal
    audit(env, request, {
      name: 'auth.api_key.used',
      outcome: 'success',
      subject,
      client: clientId,
    })
  }
  if (cache.size > 1000) cache.clear()
  cache.set(hash, { principal, until: now + KEY_CACHE_MS })
  return principal
}

/** Forgets every cached lookup (after a revocation in this isolate). */
export const forgetApiKeys = (): void => cache.clear()
