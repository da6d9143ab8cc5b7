// How a bad setting is reported (BM-CONFIG-1): its name and what it must be, never the value it
// has. Settings include secrets (AUTH_SECRET, MRTR_SECRET, provider client secrets), and the
// message reaches the log and the body of every 500 the server then answers.
//
//   AUTH_SECRET = 12345 (a TOML number)  ->  Bad setting: "AUTH_SECRET" must be a string
//
// valibot's own messages end in "but received <the value>"; ours (`must be ...`) never name it.

import type * as v from 'valibot'

const KINDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
}

/** What a schema issue expected, in words: `("" | string)` -> "a string". */
const expectation = (expected: string | null): string => {
  const kinds = (expected ?? '')
    .replace(/^\((.*)\)$/, '$1')
    .split(' | ')
    .filter((kind) => kind !== '' && kind !== '""')
    .map((kind) => KINDS[kind] ?? kind)
  return kinds.length === 0 ? 'something else' : [...new Set(kinds)].join(' or ')
}

/** `"NAME" <what it must be>` for the first issue; never the value. */
export const describeSettingIssues = (issues: readonly v.BaseIssue<unknown>[]): string => {
  const issue = issues[0]
  if (issue === undefined) return 'a setting is invalid'
  const name = issue.path?.[0]?.key
  const problem = issue.message.startsWith('Invalid ')
    ? `must be ${expectation(issue.expected)}`
    : issue.message
  return name === undefined ? problem : `"${String(name)}" ${problem}`
}
