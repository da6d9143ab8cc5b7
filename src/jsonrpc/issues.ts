// Turning valibot issues into one short sentence that names the field at fault, for error
// messages such as `"params.name" must be a string`.

import type * as v from 'valibot'

/** `"path.to.field" problem` for the first issue (or just the problem at the root). */
export const describeIssues = (issues: readonly v.BaseIssue<unknown>[], root = ''): string => {
  const issue = issues[0]
  if (issue === undefined) return 'is invalid'
  const path = [root, ...(issue.path?.map((item) => String(item.key)) ?? [])]
    .filter((part) => part !== '')
    .join('.')
  // A missing member reads "Invalid key: Expected "x" but received undefined" in valibot.
  const missing =
    issue.kind === 'schema' &&
    issue.received === 'undefined' &&
    issue.message.startsWith('Invalid key')
  const problem = missing ? 'is required' : issue.message
  return path === '' ? problem : `"${path}" ${problem}`
}
