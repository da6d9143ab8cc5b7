// The OpenAI-safe tool lint: checks tool definitions, as `tools/list` shows them, against what
// the OpenAI Responses API, ChatGPT and Claude have been seen to reject (CLIENTS.md C1, C2, D.17).
// MCP itself allows more; a tool that breaks one of these rules can make a whole `tools/list`
// import fail, which the Responses API reports only as an opaque 424 (D.19).
//
//   lintTools(TOOLS)  -> [{ tool: 'bad.name', rule: 'BM-LINT-1', severity: 'error', ... }]
//
// Run it with `npm run lint:tools`; `npm test` runs it over the served tools. The rules
// themselves are in lint-rules.ts, pure, so `npm run doctor` applies them to remote servers.

import {
  LATEST_LEGACY_REVISION,
  MODERN_REVISION,
  rules,
  type Revision,
} from '../protocol/revisions.ts'
import type { Tool } from './define.ts'
import { lintToolObject, type ToolFinding } from './lint-rules.ts'

export { lintToolObject, MAX_DESCRIPTION } from './lint-rules.ts'

/** The revisions whose listings are checked: the newest of each era. */
export const LINT_REVISIONS: readonly Revision[] = [LATEST_LEGACY_REVISION, MODERN_REVISION]

export interface Finding extends ToolFinding {
  /** The revisions whose listing shows the problem. */
  revisions: Revision[]
}

/** Lints every tool as each revision in `revisions` lists it; one finding per problem. */
export const lintTools = (
  tools: readonly Tool[],
  revisions: readonly Revision[] = LINT_REVISIONS,
): Finding[] => {
  const byKey = new Map<string, Finding>()
  for (const tool of tools) {
    for (const revision of revisions) {
      for (const finding of lintToolObject(tool.describe(rules(revision)))) {
        const key = `${finding.tool}\n${finding.rule}\n${finding.message}`
        const seen = byKey.get(key)
        if (seen === undefined) byKey.set(key, { ...finding, revisions: [revision] })
        else seen.revisions.push(revision)
      }
    }
  }
  return [...byKey.values()]
}

/** A report for people: one line per tool, its findings indented below it, then a summary. */
export const formatFindings = (
  tools: readonly Tool[],
  findings: readonly Finding[],
  revisions: readonly Revision[] = LINT_REVISIONS,
): string => {
  const lines = [
    `OpenAI-safe tool lint: ${tools.length} tools, as listed in ${revisions.join(' and ')}`,
  ]
  for (const tool of tools) {
    const own = findings.filter((finding) => finding.tool === tool.name)
    const errors = own.some((finding) => finding.severity === 'error')
    lines.push(`  ${errors ? '✗' : own.length > 0 ? '!' : '✓'} ${tool.name}`)
    for (const finding of own) {
      const where =
        finding.revisions.length === revisions.length ? '' : ` (${finding.revisions.join(', ')})`
      lines.push(`      ${finding.severity} ${finding.rule} ${finding.message}${where}`)
    }
  }
  const count = (severity: Finding['severity']) =>
    findings.filter((finding) => finding.severity === severity).length
  lines.push(`${count('error')} errors, ${count('warning')} warnings`)
  return lines.join('\n')
}
