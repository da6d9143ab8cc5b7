// How deep a JSON value nests. JSON.parse takes any depth, but code that walks a value
// recursively (JSON.stringify, schema validation) overflows the stack on a deep one: a body of
// 100,000 nested objects is well-formed JSON and a crash waiting to happen. So bodies are
// measured once, right after parsing, without recursion, and refused past a set depth.
//
//   {"a":[{"b":1}]}   depth 3 (object, array, object)      1, "x", null   depth 0

/** Whether `value` nests arrays and objects more than `limit` levels deep. */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const stack: [unknown, number][] = [[value, 0]]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, depth] = next
    if (typeof item !== 'object' || item === null) continue
    if (depth + 1 > limit) return true
    const children = Array.isArray(item) ? item : Object.values(item)
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}
