// Key sets fetched from a URL (RFC 7517 JWK Sets): a client's `jwks_uri` (private_key_jwt,
// client-auth.ts) and the OIDC provider's (upstream/oidc.ts). A client names its own URL, so
// what we keep of them must be bounded (BM-AUTH-26): each set is read with the fetch limits of
// outbound.ts (at most `maxBytes`), and the sets live in one LRU cache per isolate, at most
// AUTH_JWKS_CACHE_MAX of them and AUTH_JWKS_CACHE_BYTES in all, for 10 minutes each. A token
// naming a key the set lacks refetches it (key rotation), at most every 30 s; a set that could
// not be fetched is not tried again for AUTH_FETCH_FAILURE_TTL_S.
//
//   const getKey = remoteKeySet('https://chatgpt.com/oauth/jwks.json', config, outbound, 51_200)
//   await jwtVerify(assertion, getKey, { algorithms: ['RS256'] })

import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose'
import * as v from 'valibot'
import type { Config } from '../../settings/config.ts'
import { lru, type Lru } from '../../http/lru.ts'
import { fetchText, type Outbound } from './outbound.ts'

/** A key set this long in the cache is fetched again. */
const KEYS_TTL_MS = 600_000
/** A key missing from a set younger than this does not refetch it. */
const REFETCH_AFTER_MS = 30_000

/** The key set could not be fetched or read; `message` is for the log. */
export class KeySetUnavailable extends Error {}

type Loaded =
  | { ok: true; getKey: JWTVerifyGetKey; fetchedAt: number; bytes: number }
  | { ok: false; reason: string }

const JwksSchema = v.object({ keys: v.array(v.record(v.string(), v.unknown())) })

/** One cache per settings (one per isolate in production). */
const caches = new WeakMap<Config, Lru<Loaded>>()

const cacheOf = (config: Config): Lru<Loaded> => {
  let cache = caches.get(config)
  if (cache === undefined) {
    cache = lru({ maxEntries: config.AUTH_JWKS_CACHE_MAX, maxBytes: config.AUTH_JWKS_CACHE_BYTES })
    caches.set(config, cache)
  }
  return cache
}

const fetchKeySet = async (url: string, outbound: Outbound, maxBytes: number): Promise<Loaded> => {
  const fetched = await fetchText(
    url,
    { headers: { accept: 'application/jwk-set+json, application/json' } },
    {
      timeoutMs: outbound.timeoutMs,
      maxBytes,
      check: (response) => (response.status === 200 ? null : `it answered ${response.status}`),
    },
  )
  if (!fetched.ok) return fetched
  let json: unknown
  try {
    json = JSON.parse(fetched.text)
  } catch {
    return { ok: false, reason: 'it is not JSON' }
  }
  const parsed = v.safeParse(JwksSchema, json)
  if (!parsed.success) return { ok: false, reason: 'it is not a JWK Set' }
  try {
    const getKey = createLocalJWKSet({ keys: parsed.output.keys })
    return { ok: true, getKey, fetchedAt: Date.now(), bytes: fetched.text.length }
  } catch {
    return { ok: false, reason: 'it is not a JWK Set' }
  }
}

/**
 * The cached key set at `url`, fetching it when absent. Only a settled key set is shared: a
 * request never awaits a fetch another request started (workerd would resume it in that
 * request's context; src/http/settled.ts), so concurrent first callers each fetch.
 */
const load = async (
  url: string,
  config: Config,
  outbound: Outbound,
  maxBytes: number,
): Promise<Loaded> => {
  const cache = cacheOf(config)
  const cached = cache.get(url)
  if (cached !== undefined) return cached
  const loaded = await fetchKeySet(url, outbound, maxBytes)
  // Its size counts once loaded; a failure is kept briefly.
  cache.set(
    url,
    loaded,
    loaded.ok
      ? { bytes: url.length + loaded.bytes, ttlMs: KEYS_TTL_MS }
      : { bytes: url.length, ttlMs: config.AUTH_FETCH_FAILURE_TTL_S * 1000 },
  )
  return loaded
}

/**
 * A key resolver for jose's jwtVerify backed by the key set at `url`, read with `outbound`'s
 * time limit and at most `maxBytes`. Throws KeySetUnavailable when the set cannot be had.
 */
export const remoteKeySet =
  (url: string, config: Config, outbound: Outbound, maxBytes: number): JWTVerifyGetKey =>
  async (header, token) => {
    let loaded = await load(url, config, outbound, maxBytes)
    if (!loaded.ok) throw new KeySetUnavailable(`key set ${url}: ${loaded.reason}`)
    try {
      return await loaded.getKey(header, token)
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error
      if (Date.now() - loaded.fetchedAt < REFETCH_AFTER_MS) throw error
      cacheOf(config).delete(url)
      loaded = await load(url, config, outbound, maxBytes)
      if (!loaded.ok) throw new KeySetUnavailable(`key set ${url}: ${loaded.reason}`)
      return loaded.getKey(header, token)
    }
  }
