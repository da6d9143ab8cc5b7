// URI templates (RFC 6570), levels 1 to 3: how a resource template names a family of URIs.
//
//   bare-mcp://greeting/{name}  + {name: "Ada Lovelace"}  ->  bare-mcp://greeting/Ada%20Lovelace
//   file:///{+path}             + {path: "src/a.ts"}      ->  file:///src/a.ts
//   bare-mcp://search{?q,lang}  + {q: "mcp", lang: "en"}  ->  bare-mcp://search?q=mcp&lang=en
//
// Expansion follows the RFC exactly (section 3.2 and appendix A). Matching, its reverse, is what
// `resources/read` needs: which template a URI came from, and with which values. The RFC leaves
// matching open (section 1.4: not every template can be reversed), so these are our rules:
//
// - literals match exactly, in the encoding expansion gives them;
// - a value of `{var}`, `{.var}`, `{/var}`, `{;var}`, `{?var}`, `{&var}` holds no reserved
//   character (`:/?#[]@!$&'()*+,;=`), as expansion would have encoded it, and no `.` for `{.var}`;
//   other characters (a space, `é`) are accepted as sent, so hand-typed URIs still match;
// - a value of `{+var}` may hold reserved characters but not `?` or `#` (they start the query and
//   fragment); a value of `{#var}` may hold anything; in both, `,` separates the variables of an
//   expression that has several;
// - a value ends where the literal text after it in the template first appears (the template's
//   final literal must end the URI); of two expressions with no literal between, the first takes
//   all the characters it can;
// - `%XX` triplets are decoded as UTF-8; a value that does not decode is no match;
// - a variable the URI leaves out (level 3: `{/a,b}` against `/1`) is absent from the result;
//   when more than one could be, values go to the variables from left to right;
// - `{?x,y}` parameters come in the template's order.
//
// Matching never backtracks, so its time grows linearly with the URI whatever the template.
// Values are strings (levels 1 to 3); level 4 (`{var:3}`, `{list*}`) is refused when parsing.
//
// https://www.rfc-editor.org/rfc/rfc6570

/** A parsed template: its variables, and the two directions. */
export interface UriTemplate {
  readonly template: string
  /** Variable names in order of first appearance. */
  readonly variables: readonly string[]
  /** RFC 6570 expansion; undefined (or absent) variables are left out as the RFC says. */
  expand(values: Readonly<Record<string, string | undefined>>): string
  /** The variables of `uri` if it is an expansion of this template, else null. */
  match(uri: string): Record<string, string> | null
}

/** The names of the variables in a template string, for typing `read`'s `vars`. */
export type TemplateVariables<T extends string> =
  T extends `${string}{${infer Expression}}${infer Rest}`
    ? ExpressionVariables<Expression> | TemplateVariables<Rest>
    : never
type Operator = '+' | '#' | '.' | '/' | ';' | '?' | '&'
type ExpressionVariables<E extends string> = E extends `${Operator}${infer List}`
  ? ListVariables<List>
  : ListVariables<E>
type ListVariables<L extends string> = L extends `${infer Head},${infer Tail}`
  ? Head | ListVariables<Tail>
  : L

/** Thrown for a template that is not RFC 6570 level 1 to 3; a programming error. */
export class UriTemplateError extends TypeError {}

interface OperatorRules {
  /** Put before the first defined value, and between values. */
  first: string
  separator: string
  /** `name=value` pairs (`;`, `?`, `&`), and what an empty value leaves after the name. */
  named: boolean
  ifEmpty: string
  /** Reserved characters and `%XX` pass through unencoded (`+`, `#`). */
  reserved: boolean
}

/** RFC 6570 appendix A, one row per operator. */
const OPERATORS = new Map<string, OperatorRules>([
  ['', { first: '', separator: ',', named: false, ifEmpty: '', reserved: false }],
  ['+', { first: '', separator: ',', named: false, ifEmpty: '', reserved: true }],
  ['#', { first: '#', separator: ',', named: false, ifEmpty: '', reserved: true }],
  ['.', { first: '.', separator: '.', named: false, ifEmpty: '', reserved: false }],
  ['/', { first: '/', separator: '/', named: false, ifEmpty: '', reserved: false }],
  [';', { first: ';', separator: ';', named: true, ifEmpty: '', reserved: false }],
  ['?', { first: '?', separator: '&', named: true, ifEmpty: '=', reserved: false }],
  ['&', { first: '&', separator: '&', named: true, ifEmpty: '=', reserved: false }],
])

interface Expression {
  operator: string
  rules: OperatorRules
  names: string[]
  /** The whole expression as it appears in a URI, one capture per value (see `pattern`). */
  exact: RegExp
  /** Sticky: the longest run of characters this expression could use, from `lastIndex`. */
  run: RegExp
}
type Part = { literal: string } | Expression

const UNRESERVED = /^[A-Za-z0-9\-._~]$/
const RESERVED = /^[:/?#[\]@!$&'()*+,;=]$/
const TRIPLET = /^%[0-9A-Fa-f]{2}/
/** RFC 6570 2.3: varname = varchar *( ["."] varchar ); varchar = ALPHA / DIGIT / "_" / pct */
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/

const utf8 = new TextEncoder()

/**
 * Percent-encodes what the operator does not let through (RFC 6570 section 3.2.1): unreserved
 * characters always stay; reserved ones and existing `%XX` only when `reserved`.
 */
const encode = (value: string, reserved: boolean): string => {
  let out = ''
  for (let i = 0; i < value.length;) {
    const char = String.fromCodePoint(value.codePointAt(i)!)
    if (UNRESERVED.test(char) || (reserved && RESERVED.test(char))) {
      out += char
    } else if (reserved && TRIPLET.test(value.slice(i, i + 3))) {
      out += value.slice(i, i + 3)
      i += 3
      continue
    } else {
      for (const byte of utf8.encode(char))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
    }
    i += char.length
  }
  return out
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
const TRIPLET_PATTERN = '%[0-9A-Fa-f]{2}'
/** Any character but `excluded`, or a `%XX` triplet: the two never overlap, so no backtracking. */
const charsBut = (excluded: string): string =>
  `(?:[^${escapeRegExp(`%${excluded}`)}]|${TRIPLET_PATTERN})*`

/** What one value may look like on the wire, per the matching rules above. */
const valuePattern = (operator: string, several: boolean): string => {
  if (operator === '+' || operator === '#')
    return charsBut(`${operator === '+' ? '?#' : ''}${several ? ',' : ''}`)
  return charsBut(`:/?#[]@!$&'()*+,;=${operator === '.' ? '.' : ''}`)
}

/**
 * The regular expression of a whole expression, with one capture per value, and for named
 * operators a capture of the name before it (present: the variable was in the URI).
 */
const pattern = (operator: string, rules: OperatorRules, names: readonly string[]): string => {
  const value = `(${valuePattern(operator, names.length > 1)})`
  if (rules.named) {
    // `;x` (empty) or `;x=1`; `?x=` or `?x=1`. The first parameter present takes `first`.
    const later = rules.first === rules.separator ? escapeRegExp(rules.first) : '[?&]'
    return names
      .map((name, index) => {
        const lead = index === 0 ? escapeRegExp(rules.first) : later
        const tail = rules.ifEmpty === '' ? `(?:=${value})?` : `=${value}`
        return `(?:${lead}(${escapeRegExp(encode(name, true))})${tail})?`
      })
      .join('')
  }
  if (rules.first === rules.separator) {
    // `.` and `/`: every value brings its own prefix.
    return names.map(() => `(?:${escapeRegExp(rules.first)}${value})?`).join('')
  }
  // '', '+', '#': values joined by `,`; the first is there whenever the expression is.
  const list =
    value +
    names
      .slice(1)
      .map(() => `(?:,${value})?`)
      .join('')
  return rules.first === '' ? list : `(?:${escapeRegExp(rules.first)}${list})?`
}

/** The characters an expression may span: its values' and its own punctuation. */
const runPattern = (operator: string, rules: OperatorRules, several: boolean): string => {
  if (operator === '#') return charsBut('')
  if (operator === '+') return charsBut('?#')
  const own = new Set([rules.first, several ? rules.separator : '', rules.named ? '=' : ''])
  return charsBut([...`:/?#[]@!$&'()*+,;=`].filter((char) => !own.has(char)).join(''))
}

const parseExpression = (template: string, body: string): Expression => {
  const operator = OPERATORS.has(body.charAt(0)) && body !== '' ? body.charAt(0) : ''
  const rules = OPERATORS.get(operator)!
  const names = body.slice(operator.length).split(',')
  for (const name of names) {
    if (/[:*]/.test(name)) {
      throw new UriTemplateError(
        `URI template "${template}": "{${body}}" uses a level 4 modifier, which is not supported`,
      )
    }
    if (!VARNAME.test(name)) {
      throw new UriTemplateError(`URI template "${template}": "{${body}}" is not an expression`)
    }
  }
  return {
    operator,
    rules,
    names,
    exact: new RegExp(`^${pattern(operator, rules, names)}$`),
    run: new RegExp(runPattern(operator, rules, names.length > 1), 'y'),
  }
}

const parse = (template: string): Part[] => {
  const parts: Part[] = []
  let rest = template
  while (rest !== '') {
    const open = rest.indexOf('{')
    const close = rest.indexOf('}')
    if (close !== -1 && (open === -1 || close < open)) {
      throw new UriTemplateError(`URI template "${template}": "}" without "{"`)
    }
    if (open === -1) {
      parts.push({ literal: encode(rest, true) })
      break
    }
    if (open > 0) parts.push({ literal: encode(rest.slice(0, open), true) })
    if (close === -1) throw new UriTemplateError(`URI template "${template}": "{" is never closed`)
    parts.push(parseExpression(template, rest.slice(open + 1, close)))
    rest = rest.slice(close + 1)
  }
  return parts
}

const expandExpression = ({ rules, names }: Expression, values: Record<string, unknown>) => {
  let out = ''
  let defined = 0
  for (const name of names) {
    const value = Object.hasOwn(values, name) ? values[name] : undefined
    if (typeof value !== 'string') continue
    out += defined++ === 0 ? rules.first : rules.separator
    if (rules.named) {
      out += encode(name, true)
      out += value === '' ? rules.ifEmpty : `=${encode(value, rules.reserved)}`
    } else {
      out += encode(value, rules.reserved)
    }
  }
  return out
}

const decode = (value: string): string | null => {
  try {
    return decodeURIComponent(value)
  } catch {
    return null
  }
}

/** Reads the values of one expression from exactly `text` into `vars`; false if it cannot. */
const readExpression = (
  expression: Expression,
  text: string,
  vars: Record<string, string>,
): boolean => {
  const found = expression.exact.exec(text)
  if (found === null) return false
  // `{?x,y}`: the first parameter present is the one introduced by `?`.
  if (expression.operator === '?' && text !== '' && (text[0] !== '?' || text.includes('?', 1)))
    return false
  let group = 1
  for (const name of expression.names) {
    const present = expression.rules.named ? found[group++] !== undefined : true
    const raw = found[group++]
    if (!present || (raw === undefined && !expression.rules.named)) continue
    const value = decode(raw ?? '')
    if (value === null) return false
    // The same variable twice (`{a}/{a}`) must have one value.
    if (Object.hasOwn(vars, name) && vars[name] !== value) return false
    vars[name] = value
  }
  return true
}

/** Parses a level 1 to 3 template; throws UriTemplateError when it is not one. */
export const parseUriTemplate = (template: string): UriTemplate => {
  const parts = parse(template)
  const variables = [...new Set(parts.flatMap((part) => ('names' in part ? part.names : [])))]
  const last = parts.length - 1

  const match = (uri: string): Record<string, string> | null => {
    const vars: Record<string, string> = Object.create(null)
    let cursor = 0
    for (let i = 0; i < parts.length;) {
      const part = parts[i]!
      if ('literal' in part) {
        if (!uri.startsWith(part.literal, cursor)) return null
        cursor += part.literal.length
        i++
        continue
      }
      // Expressions i..j-1 sit between two literals (or the ends of the URI).
      let j = i
      while (j <= last && !('literal' in parts[j]!)) j++
      const next = parts[j] as { literal: string } | undefined
      let end = uri.length
      if (next !== undefined && j === last) {
        end = uri.length - next.literal.length
        if (end < cursor || !uri.endsWith(next.literal)) return null
      } else if (next !== undefined) {
        end = uri.indexOf(next.literal, cursor)
        if (end === -1) return null
      }
      for (let at = cursor; i < j; i++) {
        const expression = parts[i] as Expression
        let stop = end
        if (i < j - 1) {
          expression.run.lastIndex = at
          stop = Math.min(end, at + (expression.run.exec(uri)?.[0].length ?? 0))
        }
        if (!readExpression(expression, uri.slice(at, stop), vars)) return null
        at = stop
      }
      cursor = end
    }
    return cursor === uri.length ? { ...vars } : null
  }

  return {
    template,
    variables,
    expand: (values) =>
      parts
        .map((part) => ('literal' in part ? part.literal : expandExpression(part, values)))
        .join(''),
    match,
  }
}
