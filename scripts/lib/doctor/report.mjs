// The doctor's report: sections of lines, each a step a client takes and how it went, rendered
// as plain text for people (and CI logs). Every problem carries its fix.
//
//   ChatGPT (developer mode connector)
//     ok    server/discover (2026-07-28): 200, serves 2026-07-28 and 4 more          [11 ms]
//     FAIL  tools/list without a session: 400
//           fix: Serve requests that carry no Mcp-Session-Id: ChatGPT never sends it back

const WIDTH = 100
const LABEL = { ok: 'ok', warn: 'WARN', fail: 'FAIL', info: '--', skip: 'skip' }

/** A new, empty report for `target` (the URL as given). */
export const createReport = (target) => ({ target, sections: [] })

/**
 * Adds a section. `client` names the client whose verdict it decides (null: a section that is
 * not a client, such as the address itself). Returns the functions that add lines.
 */
export const addSection = (report, title, client = null) => {
  const section = { title, client, lines: [] }
  report.sections.push(section)
  const line =
    (level) =>
    (text, extra = {}) => {
      section.lines.push({ level, text, ...extra })
    }
  return {
    section,
    ok: line('ok'),
    warn: line('warn'),
    fail: line('fail'),
    info: line('info'),
    skip: line('skip'),
  }
}

export const count = (report, level) =>
  report.sections.reduce(
    (sum, section) => sum + section.lines.filter((line) => line.level === level).length,
    0,
  )

/** `text` wrapped at WIDTH, every line after the first indented by `indent`. */
const wrap = (text, first, indent) => {
  const lines = []
  let current = first
  let empty = true
  for (const word of String(text)
    .split(/\s+/)
    .filter((part) => part !== '')) {
    if (!empty && current.length + 1 + word.length > WIDTH) {
      lines.push(current)
      current = indent
      empty = true
    }
    current += (empty ? '' : ' ') + word
    empty = false
  }
  lines.push(current)
  return lines
}

const renderLine = (line) => {
  const label = LABEL[line.level].padEnd(6)
  const ms = line.ms === undefined ? '' : `[${line.ms} ms]`
  const out = wrap(line.text, `  ${label}`, '        ')
  const last = out[out.length - 1]
  if (ms !== '') {
    if (last.length + ms.length + 2 <= WIDTH)
      out[out.length - 1] = `${last.padEnd(WIDTH - ms.length)}${ms}`
    else out.push(`${' '.repeat(WIDTH - ms.length)}${ms}`)
  }
  if (line.detail !== undefined) out.push(...wrap(line.detail, '        ', '        '))
  if (line.fix !== undefined) out.push(...wrap(line.fix, '        fix: ', '             '))
  return out
}

/** The verdict of a client section: would it connect? */
export const verdict = (report, section) => {
  const fails = section.lines.filter((line) => line.level === 'fail').length
  const warns = section.lines.filter((line) => line.level === 'warn').length
  const blocked = report.sections.some(
    (other) =>
      other.blocks?.includes(section.client) && other.lines.some((l) => l.level === 'fail'),
  )
  if (fails > 0 || blocked) {
    return `would not connect (${fails > 0 ? `${fails} failure${fails > 1 ? 's' : ''}` : 'see above'})`
  }
  if (section.lines.every((line) => line.level === 'skip' || line.level === 'info')) {
    const signIn = report.sections.find(
      (other) => other.blocks?.includes(section.client) && other.signIn,
    )
    return signIn ? 'can start sign-in; the rest needs --token' : 'not checked'
  }
  return warns > 0 ? `would connect, ${warns} warning${warns > 1 ? 's' : ''}` : 'would connect'
}

/** The whole report as text, ending with the summary and the exit status. */
export const render = (report, { header = [], exitStatus }) => {
  const out = [`MCP doctor: ${report.target}`, ...header, '']
  for (const section of report.sections) {
    out.push(section.title)
    for (const line of section.lines) out.push(...renderLine(line))
    out.push('')
  }
  out.push('Summary')
  const clients = report.sections.filter((section) => section.client !== null)
  const width = Math.max(0, ...clients.map((section) => section.client.length)) + 2
  for (const section of clients)
    out.push(`  ${section.client.padEnd(width)}${verdict(report, section)}`)
  const fails = count(report, 'fail')
  const warns = count(report, 'warn')
  out.push(
    `  ${fails} failure${fails === 1 ? '' : 's'}, ${warns} warning${warns === 1 ? '' : 's'}. ` +
      (fails === 0
        ? 'Every client checked would connect.'
        : 'Fix the failures above (each says how), then run the doctor again.'),
  )
  out.push(`  Exit status ${exitStatus}.`)
  return out.join('\n')
}
