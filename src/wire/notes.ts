// The rows of SPEC_NOTES.md, bundled with the Worker (wrangler.toml imports Markdown as text),
// so the wire view shows each rule it names in the repository's own words, with its status
// and the spec page it cites, from the same build: no link can point at another version.
//
//   | R-HT-6 | 25-03+ | A POST of only notifications/responses gets 202 ... | ... | ... | done |

import specNotes from '../../SPEC_NOTES.md'

/** One SPEC_NOTES.md row, as the wire view shows it. */
export interface Note {
  id: string
  section: string
  revisions: string
  /** The rule, paraphrased (Markdown as written). */
  rule: string
  status: string
  /** The spec page the row cites (else the page its id's area is on); null for conventions. */
  spec: string | null
}

const SPEC = 'https://modelcontextprotocol.io/specification'

/** Where an area's rules are, for rows that cite no page themselves. */
const AREA_PAGES: [RegExp, string][] = [
  [/^R-JR-/, `${SPEC}/2025-11-25/basic`],
  [/^R-LC-(2\d|3\d)$/, `${SPEC}/2026-07-28/basic`],
  [/^R-LC-/, `${SPEC}/2025-11-25/basic/lifecycle`],
  [/^R-HT-(3\d|4\d)$/, `${SPEC}/2026-07-28/basic/transports/streamable-http`],
  [/^R-HT-/, `${SPEC}/2025-11-25/basic/transports`],
  [/^R-SSE-/, `${SPEC}/2024-11-05/basic/transports`],
  [/^R-AU-/, `${SPEC}/2025-11-25/basic/authorization`],
  [/^R-SF-/, `${SPEC}/2025-11-25/server`],
]

/** Splits a Markdown table row into its cells (a `|` inside backticks stays). */
const cells = (line: string): string[] => {
  const out: string[] = []
  let cell = ''
  let code = false
  for (const char of line.trim().replace(/^\||\|$/g, '')) {
    if (char === '`') code = !code
    if (char === '|' && !code) {
      out.push(cell.trim())
      cell = ''
    } else cell += char
  }
  out.push(cell.trim())
  return out
}

/** Parses SPEC_NOTES.md's rule tables. */
export const parseNotes = (text: string): Map<string, Note> => {
  const notes = new Map<string, Note>()
  let section = ''
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim()
    if (!/^\| (R|BM)-[A-Z]+-\d+ \|/.test(line)) continue
    const [id = '', revisions = '', rule = '', , , status = ''] = cells(line)
    const cited = /\((https:\/\/modelcontextprotocol\.io\/specification\/[^)\s]+)\)/.exec(rule)
    const spec = cited?.[1] ?? AREA_PAGES.find(([pattern]) => pattern.test(id))?.[1] ?? null
    notes.set(id, { id, section, revisions, rule, status, spec })
  }
  return notes
}

let parsed: Map<string, Note> | null = null

/** Every row of the bundled SPEC_NOTES.md, by rule id (parsed once per isolate). */
export const notes = (): Map<string, Note> => (parsed ??= parseNotes(specNotes))
