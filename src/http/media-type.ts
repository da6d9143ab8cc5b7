// Media types in `Content-Type` and `Accept`, parsed rather than substring-matched, so
// `Application/JSON; charset=UTF-8` is JSON and `application/jsonp` is not.
//
// https://www.rfc-editor.org/rfc/rfc9110#name-media-type

export interface MediaType {
  /** "type/subtype", lowercased. */
  essence: string
  /** Parameter names lowercased; values unquoted. */
  params: Map<string, string>
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Parses one media range such as `text/event-stream;q=0.9`; null when malformed. */
export const parseMediaType = (text: string): MediaType | null => {
  const [head = '', ...rest] = text.split(';')
  const essence = head.trim().toLowerCase()
  const [type, subtype, extra] = essence.split('/')
  if (type === undefined || subtype === undefined || extra !== undefined) return null
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null
  const params = new Map<string, string>()
  for (const part of rest) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const name = part.slice(0, eq).trim().toLowerCase()
    let value = part.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1)
    if (name !== '') params.set(name, value)
  }
  return { essence, params }
}

/**
 * R-JR-2 · https://modelcontextprotocol.io/specification/2025-03-26/basic/transports
 * JSON-RPC messages are UTF-8: the body must be `application/json`, and a charset, if named,
 * must be UTF-8.
 */
export const isJsonContentType = (header: string | null): boolean => {
  if (header === null) return false
  if (header === 'application/json') return true // what nearly every client sends
  const media = parseMediaType(header)
  if (media === null || media.essence !== 'application/json') return false
  const charset = media.params.get('charset')
  return charset === undefined || charset.toLowerCase() === 'utf-8'
}

/** Which of our two response types an `Accept` header admits. */
export interface Acceptable {
  json: boolean
  sse: boolean
}

/**
 * Reads `Accept`. A missing header accepts anything (RFC 9110 §12.5.1); `*\/*` and `type/*`
 * ranges count; a range with `q=0` excludes its type.
 */
export const acceptable = (header: string | null): Readonly<Acceptable> => {
  if (header === null || header.trim() === '') return { json: true, sse: true }
  // A client sends the same Accept on every request: the last few answers are kept.
  const known = recent.get(header)
  if (known !== undefined) return known
  const result = Object.freeze(readAccept(header))
  if (recent.size >= RECENT) recent.delete(recent.keys().next().value!)
  recent.set(header, result)
  return result
}

/** The Accept headers read last (a few: clients send one or two shapes of it). */
const recent = new Map<string, Readonly<Acceptable>>()
const RECENT = 16

const readAccept = (header: string): Acceptable => {
  const result: Acceptable = { json: false, sse: false }
  for (const range of header.split(',')) {
    const media = parseMediaType(range)
    if (media === null) continue
    if (media.params.get('q')?.match(/^0(\.0{0,3})?$/)) continue
    const e = media.essence
    if (e === '*/*' || e === 'application/*' || e === 'application/json') result.json = true
    if (e === '*/*' || e === 'text/*' || e === 'text/event-stream') result.sse = true
  }
  return result
}
