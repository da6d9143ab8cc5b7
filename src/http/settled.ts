// Values an isolate makes once and every request then shares (keys, secrets, documents fetched
// from elsewhere). Only a settled value is shared, never a pending promise: workerd resumes a
// request that awaits a promise in the context of the request whose I/O settled it, and the
// waiter then fails on its own body or bindings ("Cannot perform I/O on behalf of a different
// request"; seen here as 31 of 32 concurrent token-carrying calls failing at once under the
// bench, while such promises were shared). Concurrent first callers therefore each make the
// value; the first to finish is kept, and every caller gets that one.

/** A Map, WeakMap or cache keyed by K. */
export interface Store<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): unknown
}

/** The value `store` holds for `key`, made with `make` (awaited by this request only) if none. */
export const settled = async <K, V>(
  store: Store<K, V>,
  key: K,
  make: () => Promise<V>,
): Promise<V> => {
  const known = store.get(key)
  if (known !== undefined) return known
  const made = await make()
  const first = store.get(key)
  if (first !== undefined) return first
  store.set(key, made)
  return made
}
