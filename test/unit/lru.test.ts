// The LRU cache that bounds per-isolate memory (src/http/lru.ts), used by the key-set cache
// (BM-AUTH-26): count and byte limits, recency, expiry.

import { afterEach, describe, expect, test, vi } from 'vitest'
import { lru } from '../../src/http/lru.ts'

afterEach(() => {
  vi.useRealTimers()
})

describe('BM-AUTH-26 a bounded LRU cache', () => {
  test('BM-AUTH-26 BM-LIMIT-6 at most maxEntries: the least recently used goes first', () => {
    const cache = lru<number>({ maxEntries: 2 })
    cache.set('a', 1)
    cache.set('b', 2)
    expect(cache.get('a')).toBe(1) // a is now the most recent
    cache.set('c', 3)
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3])
    expect(cache.size).toBe(2)
  })

  test('BM-AUTH-26 BM-LIMIT-6 at most maxBytes in all; a value larger than that is not kept', () => {
    const cache = lru<string>({ maxEntries: 100, maxBytes: 10 })
    cache.set('a', 'aaaa', { bytes: 4 })
    cache.set('b', 'bbbb', { bytes: 4 })
    cache.set('c', 'cccc', { bytes: 4 })
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 'bbbb', 'cccc'])
    expect(cache.bytes).toBe(8)
    cache.set('huge', 'x', { bytes: 11 })
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.bytes).toBe(8)
  })

  test('BM-AUTH-26 replacing a key counts its size once', () => {
    const cache = lru<string>({ maxEntries: 10, maxBytes: 10 })
    cache.set('a', 'x', { bytes: 6 })
    cache.set('a', 'y', { bytes: 6 })
    expect(cache.bytes).toBe(6)
    expect(cache.size).toBe(1)
    cache.delete('a')
    expect(cache.bytes).toBe(0)
  })

  test('BM-AUTH-26 an entry expires after its ttlMs', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const cache = lru<number>({ maxEntries: 10, maxBytes: 100 })
    cache.set('a', 1, { ttlMs: 1000, bytes: 5 })
    cache.set('b', 2)
    vi.setSystemTime(1_000_999)
    expect(cache.get('a')).toBe(1)
    vi.setSystemTime(1_001_000)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.get('b')).toBe(2)
    expect(cache.bytes).toBe(0)
  })
})
