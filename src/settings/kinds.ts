// The kinds of value a setting can have, for the settings schemas (src/settings/config.ts and
// src/settings/auth.ts).

import * as v from 'valibot'

/** wrangler `[vars]` may be TOML numbers or booleans; secrets and `.dev.vars` are strings. */
export const scalar = v.pipe(
  v.union([v.string(), v.number(), v.boolean()], 'must be a string'),
  v.transform(String),
)

export const integer = (fallback: number, min: number, max: number) =>
  v.optional(
    v.pipe(
      scalar,
      v.trim(),
      v.regex(/^\d+$/, 'must be a whole number'),
      v.transform(Number),
      v.minValue(min, `must be at least ${min}`),
      v.maxValue(max, `must be at most ${max}`),
    ),
    String(fallback),
  )

export const flag = (fallback: boolean) =>
  v.optional(
    v.pipe(
      scalar,
      v.picklist(['true', 'false'], 'must be "true" or "false"'),
      v.transform((value) => value === 'true'),
    ),
    String(fallback),
  )

/** "a, b,, c" -> ["a", "b", "c"]: the non-empty, trimmed items of a separated list. */
export const items = (value: string, separator: string): string[] =>
  value
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '')
