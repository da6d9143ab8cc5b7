// How deep a JSON value nests. JSON.parse takes any depth, but code that walks a value
// recursively (JSON.stringify, schema validation) overflows the stack on a deep one: a body of
// 100,000 nested objects is well-formed JSON and a crash waiting to happen. So bodies are
// measured once, right after parsing (the walk goes no deeper than the limit), and refused past
// a set depth.
//
//   {"a":[{"b":1}]}   depth 3 (object, array, object)      1, "x", null   depth 0

/**
 * Whether `value` nests arrays and objects more than `limit` levels deep. The walk recurses,
 * but never deeper than `limit` + 1 frames: it stops as soon as the limit is passed.
 */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => deeper(value, 0, limit)

const deeper = (value: unknown, depth: number, limit: number): boolean => {
  if (typeof value !== 'object' || value === null) return false
  if (depth + 1 > limit) return true
  if (Array.isArray(value)) {
    for (const item of value) if (deeper(item, depth + 1, limit)) return true
    return false
  }
  for (const key in value) {
    if (deeper((value as Record<string, unknown>)[key], depth + 1, limit)) return true
  }
  return false
}
