// Turning valibot issues into one short sentence that names the field at fault, for error
// messages such as `"params.name" must be a string`.
//
// The sentence repeats at most ECHO characters of any key or value the client sent: valibot's
// own messages quote the received value whole (`Expected Object but received "xxxx…"`), and a
// hostile one may be as long as the body (BM-ECHO-1).

import type * as v from 'valibot'

/** How many characters of a client's key or value a message may repeat. */
export const ECHO = 64

/** `text` cut to `max` characters, marked with `…` when cut (never half a surrogate pair). */
export const cut = (text: string, max = ECHO): string => {
  if (text.length <= max) return text
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max
  return `${text.slice(0, end)}…`
}

/** valibot's `received`, a quoted string when the value was one, cut inside its quotes. */
const shorten = (received: string): string =>
  received.length > 1 && received.startsWith('"') && received.endsWith('"')
    ? `"${cut(received.slice(1, -1))}"`
    : cut(received)

/** `"path.to.field" problem` for the first issue (or just the problem at the root). */
export const describeIssues = (issues: readonly v.BaseIssue<unknown>[], root = ''): string => {
  const issue = issues[0]
  if (issue === undefined) return 'is invalid'
  const path = [root, ...(issue.path?.map((item) => cut(String(item.key))) ?? [])]
    .filter((part) => part !== '')
    .join('.')
  // A missing member reads "Invalid key: Expected "x" but received undefined" in valibot.
  const missing =
    issue.kind === 'schema' &&
    issue.received === 'undefined' &&
    issue.message.startsWith('Invalid key')
  const problem = missing
    ? 'is required'
    : issue.received.length > ECHO
      ? issue.message.split(issue.received).join(shorten(issue.received))
      : issue.message
  return path === '' ? problem : `"${cut(path, 4 * ECHO)}" ${problem}`
}
