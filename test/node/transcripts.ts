// Replaying README.md's curl transcripts (test/helpers/readme.ts finds them): the command is
// parsed as the shell would pass it to curl, sent to a live server, and the answer compared with
// what the README shows, under the rules the README states ("The wire format, by example"):
//
// - `...` leaves something out: the rest of a string ("Demo MCP server. ..."), more items of a
//   list ([{...}, ...]), more members of an object ({"id":"x",...}), or a whole value ({...});
//   in a header or SSE line, any text.
// - `<name>` (lowercase words in angle brackets) is a value the server chose, like a session id:
//   it matches anything where it first appears and must be the same wherever it appears again,
//   in later answers and in later commands, which send the value captured.
// - With `-i` the answer starts with the status line and the headers the README cares about;
//   other headers are not compared. An SSE answer is compared event by event (comments, such as
//   keep-alives, are not events); a stream that stays open is read until the README's events.

export type Captures = Map<string, string>

export interface CurlRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string
  /** `-i`: the answer shows the status line and headers. */
  include: boolean
}

const PLACEHOLDER = /<([a-z][a-z ]*[a-z])>/g

/** Splits a command line as a POSIX shell would (quotes, no expansion), up to `|`, `#` or `;`. */
const words = (command: string): string[] => {
  const out: string[] = []
  let word: string | null = null
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!
    if (c === "'") {
      const end = command.indexOf("'", i + 1)
      if (end === -1) throw new Error(`unterminated ' in ${command}`)
      word = (word ?? '') + command.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      let j = i + 1
      let text = ''
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === '\\' && '"\\$`'.includes(command[j + 1] ?? '')) j++
        text += command[j]
      }
      word = (word ?? '') + text
      i = j
    } else if (/\s/.test(c)) {
      if (word !== null) out.push(word)
      word = null
    } else if ((c === '|' || c === ';' || c === '#') && word === null) {
      break
    } else word = (word ?? '') + c
  }
  if (word !== null) out.push(word)
  return out
}

/** The request a `curl` command sends (the flags the README uses), placeholders filled in. */
export const parseCurl = (command: string, captures: Captures): CurlRequest => {
  const filled = command.replace(PLACEHOLDER, (whole, name: string) => {
    const value = captures.get(name)
    if (value === undefined) throw new Error(`${whole} is used before any answer showed it`)
    return value
  })
  const [curl, ...args] = words(filled)
  if (curl !== 'curl') throw new Error(`not a curl command: ${command}`)
  const request: CurlRequest = { method: 'GET', path: '', headers: {}, include: false }
  let explicitMethod: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-H') {
      const header = args[++i] ?? ''
      const colon = header.indexOf(':')
      request.headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim()
    } else if (arg === '-d' || arg === '--data') {
      request.body = args[++i] ?? ''
    } else if (arg === '-X') {
      explicitMethod = args[++i]
    } else if (/^-[siN]+$/.test(arg)) {
      if (arg.includes('i')) request.include = true
    } else if (arg.startsWith('-')) {
      throw new Error(`flag ${arg} is not understood by the replay`)
    } else {
      const url = new URL(/^https?:/.test(arg) ? arg : `http://${arg}`)
      request.path = url.pathname + url.search
    }
  }
  request.method = explicitMethod ?? (request.body === undefined ? 'GET' : 'POST')
  if (request.body !== undefined && request.headers['content-type'] === undefined) {
    request.headers['content-type'] = 'application/x-www-form-urlencoded' // as curl -d does
  }
  return request
}

/** Matches `actual` text against README text with `...` and `<name>` placeholders. */
export const matchText = (expected: string, actual: string, captures: Captures): boolean => {
  const names: string[] = []
  const source = expected
    .split(/(\.\.\.|<[a-z][a-z ]*[a-z]>)/)
    .map((part) => {
      if (part === '...') return '[\\s\\S]*'
      const name = /^<([a-z][a-z ]*[a-z])>$/.exec(part)?.[1]
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      const known = captures.get(name)
      if (known !== undefined) return known.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      names.push(name)
      return '([\\s\\S]+?)'
    })
    .join('')
  const match = new RegExp(`^${source}$`).exec(actual)
  if (match === null) return false
  names.forEach((name, i) => captures.set(name, match[i + 1]!))
  return true
}

const REST = '\u0000...'

/** README JSON with `...` turned into markers: a member, a list item or a value left out. */
export const parseExpectedJson = (text: string): unknown => {
  let out = ''
  const stack: string[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') {
      let j = i + 1
      for (; j < text.length && text[j] !== '"'; j++) if (text[j] === '\\') j++
      out += text.slice(i, j + 1)
      i = j
    } else if (text.startsWith('...', i)) {
      const before = out.trimEnd().at(-1)
      const marker = JSON.stringify(REST)
      out += stack.at(-1) === '{' && before !== ':' ? `${marker}:0` : marker
      i += 2
    } else {
      if (c === '{' || c === '[') stack.push(c)
      if (c === '}' || c === ']') stack.pop()
      out += c
    }
  }
  return JSON.parse(out)
}

/** Where `actual` differs from the README's `expected` value (parsed by parseExpectedJson). */
export const jsonDifference = (
  expected: unknown,
  actual: unknown,
  captures: Captures,
  at = '$',
): string | null => {
  if (expected === REST) return null
  if (typeof expected === 'string') {
    return typeof actual === 'string' && matchText(expected, actual, captures)
      ? null
      : `${at}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: ${JSON.stringify(actual)} is not a list`
    const rest = expected.indexOf(REST)
    const head = rest === -1 ? expected : expected.slice(0, rest)
    const tail = rest === -1 ? [] : expected.slice(rest + 1)
    if (rest === -1 ? actual.length !== head.length : actual.length < head.length + tail.length) {
      return `${at}: ${actual.length} items, the README shows ${expected.length}${rest === -1 ? '' : ' and more'}`
    }
    const pairs: [unknown, unknown, number][] = [
      ...head.map((e, i): [unknown, unknown, number] => [e, actual[i], i]),
      ...tail.map((e, i): [unknown, unknown, number] => {
        const index = actual.length - tail.length + i
        return [e, actual[index], index]
      }),
    ]
    for (const [e, a, i] of pairs) {
      const difference = jsonDifference(e, a, captures, `${at}[${i}]`)
      if (difference !== null) return difference
    }
    return null
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return `${at}: ${JSON.stringify(actual)} is not an object`
    }
    const open = REST in expected
    const entries = Object.entries(expected).filter(([key]) => key !== REST)
    for (const [key, value] of entries) {
      if (!(key in actual)) return `${at}.${key} is missing`
      const difference = jsonDifference(
        value,
        (actual as Record<string, unknown>)[key],
        captures,
        `${at}.${key}`,
      )
      if (difference !== null) return difference
    }
    if (!open) {
      const extra = Object.keys(actual).filter((key) => !(key in expected))
      if (extra.length > 0) return `${at} has members the README does not show: ${extra.join(', ')}`
    }
    return null
  }
  return Object.is(expected, actual)
    ? null
    : `${at}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`
}

export interface SseEvent {
  id?: string
  event?: string
  retry?: string
  data: string
}

/** SSE events of `text` (complete ones only; comment-only blocks dropped). */
export const sseEvents = (text: string): SseEvent[] =>
  text
    .split(/\r?\n\r?\n/)
    .slice(0, -1)
    .flatMap((block) => {
      const event: SseEvent = { data: '' }
      const data: string[] = []
      let fields = 0
      for (const line of block.split(/\r?\n/)) {
        if (line === '' || line.startsWith(':')) continue
        fields++
        const colon = line.indexOf(':')
        const name = colon === -1 ? line : line.slice(0, colon)
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (name === 'data') data.push(value)
        else if (name === 'id' || name === 'event' || name === 'retry') event[name] = value
      }
      event.data = data.join('\n')
      return fields === 0 ? [] : [event]
    })

/** Where an SSE answer differs from the README's events. */
export const sseDifference = (
  expected: SseEvent[],
  actual: SseEvent[],
  captures: Captures,
): string | null => {
  if (actual.length !== expected.length) {
    return `${actual.length} events, the README shows ${expected.length}`
  }
  for (const [i, e] of expected.entries()) {
    const a = actual[i]!
    for (const field of ['id', 'event', 'retry'] as const) {
      const want = e[field]
      const got = a[field]
      if (
        want === undefined
          ? got !== undefined
          : got === undefined || !matchText(want, got, captures)
      ) {
        return `event ${i + 1}: ${field} ${JSON.stringify(got)} is not ${JSON.stringify(want)}`
      }
    }
    const difference = e.data.startsWith('{')
      ? jsonDifference(
          parseExpectedJson(e.data),
          JSON.parse(a.data),
          captures,
          `event ${i + 1} data`,
        )
      : matchText(e.data, a.data, captures)
        ? null
        : `event ${i + 1}: data ${JSON.stringify(a.data)} is not ${JSON.stringify(e.data)}`
    if (difference !== null) return difference
  }
  return null
}
