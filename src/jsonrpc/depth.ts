// How deep a JSON value nests. JSON.parse takes any depth, but code that walks a value
// recursively (JSON.stringify, schema validation) overflows the stack on a deep one: a body of
// 100,000 nested objects is well-formed JSON and a crash waiting to happen. So bodies are
// measured once, right after parsing, without recursion, and refused past a set depth.
//
//   {"a":[{"b":1}]}   depth 3 (object, array, object)      1, "x", null   depth 0

/** Whether `value` nests arrays and objects more than `limit` levels deep. */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  if (typeof value !== 'object' || value === null) return false
  // Two parallel stacks (no object per node): the containers still to visit, and their depths.
  const containers: object[] = [value]
  const depths: number[] = [1]
  while (containers.length > 0) {
    const container = containers.pop() as Record<string, unknown>
    const depth = depths.pop()!
    if (depth > limit) return true
    for (const key in container) {
      const child = container[key]
      if (typeof child === 'object' && child !== null) {
        containers.push(child)
        depths.push(depth + 1)
      }
    }
  }
  return false
}
