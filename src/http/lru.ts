// A least-recently-used cache for per-isolate memory: at most `maxEntries` entries and, when
// sizes are given, at most `maxBytes` in all. Whatever a client can make us remember (key sets
// named by its own URL, lookups keyed by its input) goes in one of these, never in a bare Map,
// so an isolate's memory stays bounded whatever arrives.
//
//   const keys = lru<KeySet>({ maxEntries: 100, maxBytes: 1_048_576 })
//   keys.set(url, keySet, { bytes: text.length, ttlMs: 600_000 })
//   keys.get(url)   // the key set, now most recently used; undefined once evicted or expired
//
// A Map keeps insertion order, so its first key is the least recently used one: a hit moves its
// key to the end, and eviction takes from the front.

export interface LruLimits {
  /** Most entries kept. */
  maxEntries: number
  /** Most bytes kept, summing the sizes given to `set` (entries without one count 0). */
  maxBytes?: number
}

export interface Lru<V> {
  /** The value, unless absent or expired; marks it most recently used. */
  get(key: string): V | undefined
  /**
   * Stores `value` as the most recently used, evicting the least recently used entries until
   * the limits hold. A value larger than `maxBytes` alone is not stored.
   */
  set(key: string, value: V, options?: { bytes?: number; ttlMs?: number }): void
  delete(key: string): void
  clear(): void
  /** Entries held (expired ones included until they are touched or evicted). */
  readonly size: number
  /** Bytes held, as given to `set`. */
  readonly bytes: number
}

interface Entry<V> {
  value: V
  bytes: number
  /** Epoch ms; Infinity for no expiry. */
  expiresAt: number
}

/** A new, empty LRU cache with these limits. */
export const lru = <V>(limits: LruLimits): Lru<V> => {
  const entries = new Map<string, Entry<V>>()
  const maxBytes = limits.maxBytes ?? Infinity
  let bytes = 0

  const remove = (key: string): void => {
    const entry = entries.get(key)
    if (entry === undefined) return
    bytes -= entry.bytes
    entries.delete(key)
  }

  return {
    get(key) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (Date.now() >= entry.expiresAt) {
        remove(key)
        return undefined
      }
      entries.delete(key)
      entries.set(key, entry)
      return entry.value
    },
    set(key, value, options = {}) {
      remove(key)
      const size = options.bytes ?? 0
      if (size > maxBytes || limits.maxEntries < 1) return
      const expiresAt = options.ttlMs === undefined ? Infinity : Date.now() + options.ttlMs
      entries.set(key, { value, bytes: size, expiresAt })
      bytes += size
      for (const oldest of entries.keys()) {
        if (entries.size <= limits.maxEntries && bytes <= maxBytes) break
        remove(oldest)
      }
    },
    delete: remove,
    clear() {
      entries.clear()
      bytes = 0
    },
    get size() {
      return entries.size
    },
    get bytes() {
      return bytes
    },
  }
}
