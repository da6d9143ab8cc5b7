// Generators (fast-check arbitraries) of structurally plausible hostile requests: real methods,
// paths and headers of both protocol eras, with fields mutated into wrong types, edge numbers,
// odd unicode, `__proto__` keys, deep nesting and long strings within the body limit, and now
// and then a broken byte stream. Random bytes alone would stop at the JSON parser; these reach
// every handler.
//
// JSON is built as values and serialized with `toJson`, which splices in "raw" tokens that no
// JS value serializes to (numbers like 1e999, nesting thousands deep), so the test itself never
// holds a deep object.

import fc from 'fast-check'
import { LEAKS } from './fuzz.ts'
import { WORKER, type Target } from './wire.ts'

export const MODERN = '2026-07-28'
export const LEGACY_REVISIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const
export const REVISIONS = [...LEGACY_REVISIONS, MODERN] as const

/**
 * How far the generators go: as far as an attacker could, within one body (MAX_BODY_BYTES).
 * The server bounds each of these itself (MAX_JSON_DEPTH, MAX_CLIENT_INFO_DEPTH, MAX_BATCH),
 * so every case must be answered, never with a 500.
 */
export const LIMITS = {
  /** Nesting depth of raw deep values anywhere in a body. */
  depth: 100_000,
  /** Nesting depth of an `initialize`'s capabilities and clientInfo (what a session stores). */
  storedDepth: 100_000,
  /** Nesting depth of a 2026-07-28 body field mirrored in a header (`Mcp-Name`). */
  mirroredDepth: 100_000,
  /** Members of a batch: what fits in MAX_BODY_BYTES. */
  batch: 20_000,
}

// ---------------------------------------------------------------------------------------------
// Raw JSON tokens

const RAW = /"\\u0001raw:([^"\\]*)\\u0001"/g

/** A placeholder that `toJson` replaces by `token` verbatim (see `expandRaw`). */
export const raw = (token: string): string => `\u0001raw:${token}\u0001`

const expandRaw = (token: string): string => {
  const repeat = /^repeat:(\d+):([A-Za-z0-9+/=]*)$/.exec(token)
  if (repeat !== null)
    return Array.from({ length: Number(repeat[1]) }, () => atob(repeat[2]!)).join(',')
  const deep = /^deep:(obj|arr|mix):(\d+)$/.exec(token)
  if (deep === null) return token
  const n = Number(deep[2])
  if (deep[1] === 'obj') return `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`
  if (deep[1] === 'arr') return `${'['.repeat(n)}${']'.repeat(n)}`
  const half = Math.ceil(n / 2)
  return `${'[{"__proto__":'.repeat(half)}null${'}]'.repeat(half)}`
}

/** JSON text of `value`, raw tokens still as placeholders (short, for counterexamples). */
export const toJson = (value: unknown): string => JSON.stringify(value)

/** The text with its raw placeholders replaced by their tokens: what is sent. */
export const expand = (text: string): string =>
  text.replace(RAW, (_, token: string) => expandRaw(token))

/** Nesting `depth` deep, as a raw token. */
export const deep = (max: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('obj', 'arr', 'mix'), fc.integer({ min: 1, max }))
    .map(([kind, n]) => raw(`deep:${kind}:${n}`))

// ---------------------------------------------------------------------------------------------
// Leaves: text, numbers

/** No generated text looks like a leak (or could become one next to a server's own words). */
const withoutLeaks = (s: string): boolean =>
  !LEAKS.some(([pattern]) => pattern.test(s)) &&
  !/Error|\bat\b|src|\.[mc]?[jt]s|node_modules|file:|Internal/i.test(s)

const SPECIAL_TEXT = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '\u0000',
  '\t',
  '\r\n',
  '\n\ndata: forged\n\n',
  '\u2028\u2029',
  '\uFEFF',
  '\ud800',
  '\udfff\ud800',
  'null',
  'NaN',
  '-0',
  '../../etc/passwd',
  '%00%2e%2e%2F',
  '${x}{{x}}',
  '<script>alert(1)</script>',
  "'; DROP TABLE sessions; --",
  'é',
  '😀',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '=?base64?SGVsbG8=?=',
  's0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'kb://docs/tools',
  'bare-mcp://greeting/Ada',
]

/** Text up to about 240 KB once encoded: within the 1 MiB body limit, but not much less. */
export const longText = fc
  .tuple(
    fc.constantFrom('a', 'é', '😀', ' ', '"', '\\', '{', '\n'),
    fc.integer({ min: 1, max: 60_000 }),
  )
  .map(([char, n]) => char.repeat(n))

/** Strings as clients (and attackers) send them. */
export const text: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .oneof(
        { weight: 6, arbitrary: fc.string({ maxLength: 24, unit: 'grapheme' }) },
        { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }) },
        { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_TEXT) },
      )
      .filter(withoutLeaks),
  },
  { weight: 1, arbitrary: longText },
)

/** Short strings, for names and keys. */
export const shortText: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 12, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'binary' }) },
    { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_TEXT) },
  )
  .filter(withoutLeaks)

/** Numbers at the edges, and JSON number tokens no JS number serializes to. */
export const edgeNumber: fc.Arbitrary<number | string> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    0.5,
    2 ** 31,
    -(2 ** 31),
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e21,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc
    .constantFrom('1e999', '-1e999', '1E+400', '1e-400', '-0.0', '123456789012345678901234567890')
    .map(raw),
)

// ---------------------------------------------------------------------------------------------
// Hostile JSON values

const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '_meta',
  'id',
  'method',
  'params',
  'jsonrpc',
  'result',
  'error',
  'name',
  'uri',
  'arguments',
  'text',
  'cursor',
]
export const key = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 3, arbitrary: shortText },
)

/** An object with these entries as own properties (`__proto__` included, as JSON.parse makes). */
const object = (entries: fc.Arbitrary<[string, unknown][]>) => entries.map(Object.fromEntries)

/** Any JSON value: wrong types, edge numbers, odd keys, now and then nesting thousands deep. */
export const hostile = (depth = LIMITS.depth): fc.Arbitrary<unknown> =>
  fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      { weight: 3, arbitrary: text },
      { weight: 2, arbitrary: edgeNumber },
      { weight: 1, arbitrary: fc.boolean() },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 2, arbitrary: tie('array') },
      { weight: 3, arbitrary: tie('object') },
    ),
    array: fc.oneof(
      { weight: 9, arbitrary: fc.array(tie('value'), { maxLength: 5 }) },
      { weight: 1, arbitrary: deep(depth) },
    ),
    object: fc.oneof(
      { weight: 9, arbitrary: object(fc.array(fc.tuple(key, tie('value')), { maxLength: 5 })) },
      { weight: 1, arbitrary: deep(depth) },
    ),
  })).value

/** `arbitrary` once in `n` cases, else undefined (fc.option's `freq` is the reverse). */
export const sometimes = <T>(arbitrary: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })

/** `good`, and one case in twenty anything at all (for whole `params`). */
export const rarely = <T>(good: fc.Arbitrary<T>, depth = LIMITS.depth): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 20, arbitrary: good }, { weight: 1, arbitrary: hostile(depth) })

/** Mostly `good`, sometimes anything at all. */
export const maybe = <T>(good: fc.Arbitrary<T>, depth = LIMITS.depth): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 10, arbitrary: good }, { weight: 1, arbitrary: hostile(depth) })

// ---------------------------------------------------------------------------------------------
// JSON-RPC messages of the methods we serve

const TOOLS = ['echo', 'add', 'count', 'greet', 'search', 'fetch'] as const
const KB_IDS = ['what-is-bare-mcp', 'tools', 'query-syntax', 'deploying', 'nope']
const RESOURCE_URIS = [
  'bare-mcp://readme',
  'bare-mcp://logo.png',
  'bare-mcp://greeting/Ada',
  'bare-mcp://greeting/',
  'bare-mcp://greeting/a%2Fb',
  'bare-mcp://greeting/%FF',
  'kb://docs/tools',
  'kb://docs/',
  'kb://docs/..%2F',
  'https://example.com/',
  'file:///etc/passwd'.replace('file:', 'fyle:'),
]
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']

/** encodeURIComponent, but a lone surrogate (which it refuses) goes as it is. */
const percentEncode = (value: string): string => {
  try {
    return encodeURIComponent(value)
  } catch {
    return value
  }
}

const uri = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RESOURCE_URIS) },
  {
    weight: 2,
    arbitrary: shortText.map((name) => `bare-mcp://greeting/${percentEncode(name)}`),
  },
  { weight: 1, arbitrary: shortText.map((name) => `bare-mcp://greeting/${name}`) },
  { weight: 1, arbitrary: fc.constantFrom(...KB_IDS).map((id) => `kb://docs/${id}`) },
  { weight: 1, arbitrary: text },
)

/** count stays under ~300 ms when its arguments are valid: a longer call is legitimate, not a
 *  hang, and would only slow the run. Its default delayMs (100) counts as given. */
const quickCount = (args: unknown): boolean => {
  if (typeof args !== 'object' || args === null) return true
  const { to, delayMs = 100 } = args as { to?: unknown; delayMs?: unknown }
  const valid = (n: unknown, max: number) =>
    typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max
  return !(valid(to, 100) && valid(delayMs, 5_000) && (to as number) * (delayMs as number) > 300)
}

/** Arguments of each demo tool, mostly of the right shape. */
const toolArguments = (name: string, depth: number): fc.Arbitrary<unknown> => {
  const record = (shape: Record<string, fc.Arbitrary<unknown>>) =>
    maybe(fc.record(shape, { requiredKeys: [] }), depth)
  switch (name) {
    case 'echo':
      return record({ text: maybe(text, depth) })
    case 'add':
      return record({ a: maybe(edgeNumber, depth), b: maybe(edgeNumber, depth) })
    case 'count':
      return record({
        to: maybe(fc.integer({ min: 1, max: 100 }), depth),
        delayMs: maybe(fc.integer({ min: 0, max: 3 }), depth),
      }).filter(quickCount)
    case 'search':
      return record({ query: maybe(text, depth) })
    case 'fetch':
      return record({ id: maybe(fc.oneof(fc.constantFrom(...KB_IDS), text), depth) })
    default:
      return maybe(fc.constant({}), depth)
  }
}

const toolCall = (depth: number) =>
  fc
    .oneof({ weight: 5, arbitrary: fc.constantFrom(...TOOLS) }, { weight: 1, arbitrary: shortText })
    .chain((name) =>
      fc.record(
        {
          name: fc.oneof(
            { weight: 9, arbitrary: fc.constant(name) },
            { weight: 1, arbitrary: hostile(Math.min(depth, LIMITS.mirroredDepth)) },
          ),
          arguments: toolArguments(name, depth),
        },
        { requiredKeys: ['name'] },
      ),
    )

const capabilities = (depth: number) =>
  maybe(
    fc.record(
      {
        elicitation: fc.constantFrom({}, { form: {} }, { url: {} }, { form: {}, url: {} }),
        sampling: fc.constantFrom({}, { tools: {} }),
        roots: fc.record({ listChanged: fc.boolean() }),
        experimental: hostile(depth),
      },
      { requiredKeys: [] },
    ),
    depth,
  )

const version = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...REVISIONS) },
  { weight: 1, arbitrary: fc.constantFrom('', '2025-11-25 ', '2099-01-01', 'latest', '1.0') },
  { weight: 1, arbitrary: shortText },
)

const cursor = fc.record(
  { cursor: sometimes(maybe(fc.oneof(text, fc.constant('eyJvZmZzZXQiOjF9'))), 4) },
  { requiredKeys: [] },
)

const completeParams = fc.record(
  {
    ref: maybe(
      fc.oneof(
        fc.record({
          type: fc.constant('ref/prompt'),
          name: fc.constantFrom('code_review', 'server_tour', 'nope'),
        }),
        fc.record({
          type: fc.constant('ref/resource'),
          uri: fc.constantFrom('bare-mcp://greeting/{name}', 'kb://docs/{id}', 'x'),
        }),
      ),
    ),
    argument: maybe(
      fc.record({ name: fc.constantFrom('language', 'name', 'id', 'code'), value: text }),
    ),
    context: maybe(fc.record({ arguments: maybe(fc.dictionary(shortText, text, { maxKeys: 3 })) })),
  },
  { requiredKeys: [] },
)

/** `params` for `method`, mostly plausible; `depth` bounds raw nesting (`storedDepth` for the
 *  fields an `initialize` stores with a session). */
export const paramsFor = (method: string): fc.Arbitrary<unknown> => {
  const depth = LIMITS.depth
  switch (method) {
    case 'initialize':
      return rarely(
        fc.record(
          {
            protocolVersion: maybe(version),
            capabilities: capabilities(LIMITS.storedDepth),
            clientInfo: maybe(
              fc.record({ name: shortText, version: shortText }),
              LIMITS.storedDepth,
            ),
          },
          { requiredKeys: ['protocolVersion', 'capabilities', 'clientInfo'] },
        ),
        LIMITS.storedDepth,
      )
    case 'tools/call':
      return rarely(toolCall(depth), LIMITS.mirroredDepth)
    case 'tools/list':
    case 'resources/list':
    case 'resources/templates/list':
    case 'prompts/list':
      return rarely(cursor, depth)
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return rarely(fc.record({ uri }), LIMITS.mirroredDepth)
    case 'prompts/get':
      return rarely(
        fc.record(
          {
            name: maybe(
              fc.constantFrom('code_review', 'server_tour', 'nope'),
              LIMITS.mirroredDepth,
            ),
            arguments: maybe(fc.record({ code: text, language: shortText }, { requiredKeys: [] })),
          },
          { requiredKeys: ['name'] },
        ),
        LIMITS.mirroredDepth,
      )
    case 'completion/complete':
      return rarely(completeParams, depth)
    case 'logging/setLevel':
      return rarely(fc.record({ level: maybe(fc.constantFrom(...LOG_LEVELS)) }), depth)
    case 'subscriptions/listen':
      return rarely(
        fc.record(
          {
            notifications: maybe(
              fc.record(
                {
                  toolsListChanged: maybe(fc.boolean()),
                  promptsListChanged: maybe(fc.boolean()),
                  resourcesListChanged: maybe(fc.boolean()),
                  resourceSubscriptions: maybe(fc.array(uri, { maxLength: 3 })),
                },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
        depth,
      )
    case 'notifications/cancelled':
      return rarely(
        fc.record({ requestId: maybe(fc.oneof(fc.integer(), shortText)), reason: text }),
      )
    case 'notifications/progress':
      return rarely(fc.record({ progressToken: maybe(fc.integer()), progress: edgeNumber }))
    default:
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(undefined, {}) },
        { weight: 1, arbitrary: hostile(depth) },
      )
  }
}

/** Request methods of the initialize era, then those only 2026-07-28 has. */
export const LEGACY_METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
]
export const MODERN_METHODS = [
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'subscriptions/listen',
]
const NOTIFICATIONS = [
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]

/** A valid request id: a string or a safe integer (R-JR-3). */
const requestId = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }))

/** What breaks a message's envelope: a member replaced (undefined: removed), or added. */
export type Breakage =
  | { member: 'jsonrpc' | 'id' | 'method' | 'params'; value: unknown }
  | { member: 'extra'; value: Record<string, unknown> }

const breakage: fc.Arbitrary<Breakage> = fc.oneof(
  fc.record({
    member: fc.constant('jsonrpc' as const),
    value: fc.constantFrom<unknown>('1.0', 2, '2.0 ', null, undefined),
  }),
  fc.record({
    member: fc.constant('id' as const),
    value: fc.oneof(fc.constantFrom<unknown>(null, 1.5, -0, 2 ** 53, true, {}, [], ''), edgeNumber),
  }),
  fc.record({
    member: fc.constantFrom('method' as const, 'params' as const),
    value: hostile(LIMITS.mirroredDepth),
  }),
  fc.record({
    member: fc.constant('extra' as const),
    value: object(fc.array(fc.tuple(key, hostile()), { minLength: 1, maxLength: 3 })),
  }),
)

const breakEnvelope = (
  msg: Record<string, unknown>,
  broken: Breakage | undefined,
): Record<string, unknown> => {
  if (broken === undefined) return msg
  if (broken.member === 'extra') return { ...broken.value, ...msg }
  const { [broken.member]: _, ...rest } = msg
  return broken.value === undefined ? rest : { ...rest, [broken.member]: broken.value }
}

/** A request, notification or response object; `params` left out when undefined. */
const request = (method: string, kind: 'request' | 'notification') =>
  fc.record({ id: requestId, params: paramsFor(method) }).map(({ id, params }) => ({
    jsonrpc: '2.0',
    ...(kind === 'request' ? { id } : {}),
    method,
    ...(params === undefined ? {} : { params }),
  }))

const response = fc
  .record({
    id: requestId,
    outcome: fc.oneof(
      fc.record({
        result: maybe(fc.constantFrom({}, { action: 'accept', content: { name: 'Ada' } })),
      }),
      fc.record({
        error: maybe(fc.record({ code: maybe(fc.integer()), message: maybe(text) })),
      }),
    ),
  })
  .map(({ id, outcome }) => ({ jsonrpc: '2.0', id, ...outcome }))

/**
 * One JSON-RPC message: mostly a request of `methods` with plausible params (themselves
 * sometimes hostile), else another method, an unknown one, a notification or a response; one
 * message in eight has its envelope broken.
 */
export const message = (methods: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      msg: fc.oneof(
        { weight: 16, arbitrary: fc.constantFrom(...methods).chain((m) => request(m, 'request')) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(...LEGACY_METHODS, ...MODERN_METHODS)
            .chain((m) => request(m, 'request')),
        },
        { weight: 1, arbitrary: shortText.chain((m) => request(m, 'request')) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(...NOTIFICATIONS).chain((m) => request(m, 'notification')),
        },
        { weight: 1, arbitrary: response },
      ),
      broken: sometimes(breakage, 8),
    })
    .map(({ msg, broken }) => breakEnvelope(msg, broken))

/** The `_meta` of a 2026-07-28 request, its required keys sometimes wrong or missing. */
export const modernMeta = fc
  .record(
    {
      'io.modelcontextprotocol/protocolVersion': fc.oneof(
        { weight: 8, arbitrary: fc.constant<unknown>(MODERN) },
        { weight: 1, arbitrary: maybe(version) },
      ),
      'io.modelcontextprotocol/clientCapabilities': capabilities(LIMITS.depth),
      'io.modelcontextprotocol/clientInfo': maybe(
        fc.record({ name: shortText, version: shortText }),
      ),
      'io.modelcontextprotocol/logLevel': maybe(fc.constantFrom(...LOG_LEVELS)),
      progressToken: maybe(fc.oneof(fc.integer(), shortText)),
    },
    {
      requiredKeys: [
        'io.modelcontextprotocol/protocolVersion',
        'io.modelcontextprotocol/clientCapabilities',
      ],
    },
  )
  .chain((meta) =>
    fc.oneof(
      { weight: 20, arbitrary: fc.constant(meta) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(
            'io.modelcontextprotocol/protocolVersion',
            'io.modelcontextprotocol/clientCapabilities',
          )
          .map((gone) =>
            Object.fromEntries(Object.entries(meta).filter(([name]) => name !== gone)),
          ),
      },
    ),
  )

/** `params._meta` set to `meta` when `params` is an object (else the message stays broken). */
export const withMeta = (
  msg: Record<string, unknown>,
  meta: Record<string, unknown>,
): Record<string, unknown> => {
  const params = msg.params === undefined ? {} : msg.params
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return msg
  const existing = (params as { _meta?: unknown })._meta
  const merged =
    typeof existing === 'object' && existing !== null && !Array.isArray(existing)
      ? { ...existing, ...meta }
      : meta
  return { ...msg, params: { ...params, _meta: merged } }
}

// ---------------------------------------------------------------------------------------------
// Headers

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 40,
})
/** A header value: printable ASCII (what clients can send; workerd would UTF-8 encode the
 *  rest, with a warning per header), sometimes long. */
export const headerText = fc
  .oneof(
    { weight: 5, arbitrary: printable },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 8_000 }).map((n) => 'x'.repeat(n)) },
  )
  .filter(withoutLeaks)

/** Header values must be ASCII: a name that is not travels Base64-encoded, a method not at all. */
const ascii = (value: string): boolean => /^[\x20-\x7e]*$/.test(value)

/** RFC 4648 Base64 of the UTF-8 of `value`. */
const base64 = (value: string): string => {
  let binary = ''
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** A value as a 2026-07-28 header carries it: plain visible ASCII, else `=?base64?...?=`. */
export const encodeHeaderValue = (value: string): string =>
  /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !value.startsWith('=?base64?')
    ? value
    : `=?base64?${base64(value)}?=`

/** The `Mcp-Name` header for `name`; none when it is not a string, or too long for any proxy
 *  to pass (the server then refuses the request for lacking it). */
export const nameHeader = (name: unknown): Record<string, string> => {
  if (typeof name !== 'string' || name.length > 6_000) return {}
  const encoded = encodeHeaderValue(name)
  return encoded.length > 8_192 ? {} : { 'mcp-name': encoded }
}

const base64url = (bytes: number[]): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/** A session id that looks like ours but names no session (or a shard we do not have). */
export const forgedSessionId = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 9_999 }),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 24, maxLength: 24 }),
    )
    .map(([shard, bytes]) => `s${shard}.${base64url(bytes)}`),
  headerText,
)

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON;CHARSET="UTF-8"',
  'application/json; charset=latin1',
  'application/json;',
  'application/jsonp',
  'application/*',
  'text/plain',
  'text/event-stream',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
]
const ACCEPTS = [
  'application/json, text/event-stream',
  'application/json',
  'text/event-stream',
  '*/*',
  'text/*',
  'application/*',
  'application/json;q=0, text/event-stream',
  'application/json, text/event-stream;q=0',
  'text/html',
  '',
  'application/json;q=0.000, text/event-stream;q=0',
]

/** A value for a header name we read (or that an attacker might hope we read). */
const headerValue = (name: string): fc.Arbitrary<string> => {
  const one = (values: readonly string[]) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...values) },
      { weight: 1, arbitrary: headerText },
    )
  switch (name) {
    case 'content-type':
      return one(CONTENT_TYPES)
    case 'accept':
      return one(ACCEPTS)
    case 'mcp-protocol-version':
      return one([...REVISIONS, ' 2025-11-25', '2025-11-25, 2026-07-28', 'DRAFT-2026-v1'])
    case 'mcp-session-id':
      return forgedSessionId
    case 'mcp-method':
      return one([...LEGACY_METHODS, ...MODERN_METHODS])
    case 'mcp-name':
    case 'mcp-param-region':
      return fc.oneof(
        one([
          'echo',
          'greet',
          'code_review',
          'bare-mcp://readme',
          '=?base64?',
          '=?base64?SGVsbG8?=',
        ]),
        text.filter((s) => s.length < 2_000).map(encodeHeaderValue),
      )
    case 'origin':
      return one([
        'http://localhost',
        'http://localhost:8787',
        'https://evil.example',
        'null',
        'http://127.0.0.1:1',
      ])
    case 'last-event-id':
      return one(['AAAAAAAA.1', 'AAAAAAAA.999999999', 'x.0', '.', '0', ' ', 'AAAAAAAA.1234567890'])
    case 'authorization':
      return one([
        'Bearer x',
        'Bearer ',
        'Basic Zm9vOmJhcg==',
        'Bearer eyJhbGciOiJub25lIn0.e30.',
        'bearer  a b',
      ])
    case 'user-agent':
      return one(['openai-mcp/1.0.0', 'claude-user', 'mcp-remote/0.15', ''])
    default:
      return one(['post', 'get', 'delete', 'sse-open', 'sse-message', '1', 'true'])
  }
}

const HEADER_NAMES = [
  'content-type',
  'accept',
  'mcp-protocol-version',
  'mcp-session-id',
  'mcp-method',
  'mcp-name',
  'mcp-param-region',
  'origin',
  'last-event-id',
  'authorization',
  'user-agent',
  // Our own hop from Worker to shard; a client sending them must gain nothing.
  'x-bare-mcp-op',
  'x-bare-mcp-session',
  'x-bare-mcp-principal',
  'x-bare-mcp-catalog',
  'x-bare-mcp-endpoint',
]

export interface HeaderMutation {
  set: readonly (readonly [string, string])[]
  drop: readonly string[]
}

/** Headers to add or replace, and standard ones to drop (a quarter of requests). */
export const headerMutations: fc.Arbitrary<HeaderMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ set: [], drop: [] }) },
  {
    weight: 1,
    arbitrary: fc.record({
      set: fc.array(
        fc
          .constantFrom(...HEADER_NAMES)
          .chain((name) => headerValue(name).map((value) => [name, value] as const)),
        { maxLength: 3 },
      ),
      drop: fc.subarray(
        ['content-type', 'accept', 'mcp-protocol-version', 'mcp-method', 'mcp-name'],
        { maxLength: 1 },
      ),
    }),
  },
)

/** `headers` with a mutation applied (usually none). */
export const mutateHeaders = (
  headers: Record<string, string>,
  mutation: HeaderMutation,
): Record<string, string> => {
  const out = { ...headers }
  for (const name of mutation.drop) delete out[name]
  for (const [name, value] of mutation.set) out[name] = value
  return out
}

// ---------------------------------------------------------------------------------------------
// Bodies: text mutations and bytes

export type BodyMutation =
  | { kind: 'none' }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'bom' }
  | { kind: 'trailing'; text: string }
  | { kind: 'bad-utf8'; at: number; bytes: readonly number[] }

export const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  { weight: 60, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.nat().map((at) => ({ kind: 'truncate' as const, at })) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.constantFrom(',', '}', ']', '"', '\\', '\u0000', ' ', '{"a":1}', ','),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('trailing' as const),
      text: fc.constantFrom(' ', '\n', 'x', '{}', '\u0000'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bad-utf8' as const),
      at: fc.nat(),
      bytes: fc.constantFrom(
        [0xff],
        [0xc3],
        [0xed, 0xa0, 0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xc0, 0xaf],
      ),
    }),
  },
)

/** The body `text` with `mutation` applied: text, or bytes when they are not UTF-8. */
const mutateBody = (text: string, mutation: BodyMutation): string | Uint8Array => {
  const at = (n: number) => n % (text.length + 1)
  switch (mutation.kind) {
    case 'none':
      return text
    case 'truncate':
      return text.slice(0, at(mutation.at))
    case 'insert':
      return text.slice(0, at(mutation.at)) + mutation.text + text.slice(at(mutation.at))
    case 'bom':
      return `\uFEFF${text}`
    case 'trailing':
      return text + mutation.text
    case 'bad-utf8': {
      const bytes = new TextEncoder().encode(text)
      const i = mutation.at % (bytes.length + 1)
      return new Uint8Array([...bytes.slice(0, i), ...mutation.bytes, ...bytes.slice(i)])
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Whole requests

/** One generated HTTP request, and what its response may do. */
export interface HostileRequest {
  method: string
  path: string
  headers: Record<string, string>
  /** JSON text with raw placeholders (see `expand`), and how its bytes are then broken. */
  body?: string
  mutation?: BodyMutation
  /** A response that may legitimately stay open (a stream): read briefly, then cancelled. */
  mayStayOpen: boolean
}

/** What goes on the wire for `r.body`. */
export const bodyOf = (
  r: Pick<HostileRequest, 'body' | 'mutation'>,
): string | Uint8Array | undefined =>
  r.body === undefined ? undefined : mutateBody(expand(r.body), r.mutation ?? { kind: 'none' })

/** Sends a generated request to `target` (the deployed Worker by default). */
export const sendHostile = (r: HostileRequest, target: Target = WORKER): Promise<Response> => {
  const body = bodyOf(r)
  return target.fetch(
    new Request(`http://localhost${r.path}`, {
      method: r.method,
      headers: r.headers,
      ...(body === undefined || r.method === 'GET' || r.method === 'HEAD' ? {} : { body }),
    }),
  )
}

export const CLIENT = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

export const MCP_PATHS = ['/mcp', '/mcp/', '/mcp/readonly', '/mcp/research', '/mcp/readonly/']
const mcpPath = fc.oneof(
  { weight: 24, arbitrary: fc.constantFrom(...MCP_PATHS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('/MCP', '/mcp//', '/mcp/unknown', '/mcp?x=1', '/mcp/%2e%2e/'),
  },
)

/** Whether any message of a body asks for something that stays open in a stateless POST. */
const listens = (messages: readonly Record<string, unknown>[]): boolean =>
  messages.some((m) => m.method === 'subscriptions/listen')

/** A POST of one initialize-era message: the revision in its header (or none), any method. */
export const legacyPost = (extra: Record<string, string> = {}): fc.Arbitrary<HostileRequest> =>
  fc
    .record({
      path: mcpPath,
      version: fc.option(fc.constantFrom(...LEGACY_REVISIONS), { nil: undefined, freq: 4 }),
      msg: message(LEGACY_METHODS),
      headers: headerMutations,
      body: bodyMutation,
    })
    .map(({ path, version, msg, headers, body }) => ({
      method: 'POST',
      path,
      headers: mutateHeaders(
        {
          ...CLIENT,
          ...(version === undefined ? {} : { 'mcp-protocol-version': version }),
          ...extra,
        },
        headers,
      ),
      body: toJson(msg),
      mutation: body,
      mayStayOpen: false,
    }))

/** A 2026-07-28 POST: `_meta` claim, `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`. */
export const modernPost = (extra: Record<string, string> = {}): fc.Arbitrary<HostileRequest> =>
  fc
    .record({
      path: mcpPath,
      msg: message(MODERN_METHODS),
      meta: modernMeta,
      headers: headerMutations,
      body: bodyMutation,
    })
    .map(({ path, msg, meta, headers, body }) => {
      const sent = withMeta(msg, meta)
      const params = (sent.params ?? {}) as Record<string, unknown>
      const name = sent.method === 'resources/read' ? params.uri : params.name
      const base: Record<string, string> = {
        ...CLIENT,
        'mcp-protocol-version': MODERN,
        ...(typeof sent.method === 'string' && ascii(sent.method)
          ? { 'mcp-method': sent.method }
          : {}),
        ...nameHeader(name),
        ...extra,
      }
      return {
        method: 'POST',
        path,
        headers: mutateHeaders(base, headers),
        body: toJson(sent),
        mutation: body,
        mayStayOpen: listens([sent]),
      }
    })

/** A 2025-03-26 batch: members of any kind, sometimes one member repeated many times. */
export const batchPost = fc
  .record({
    path: mcpPath,
    // Batches exist in 2025-03-26, which is also what no header means (R-JR-17, R-HT-17).
    version: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 4, arbitrary: fc.constant('2025-03-26') },
      { weight: 1, arbitrary: fc.constantFrom<string>(...LEGACY_REVISIONS, MODERN) },
    ),
    members: fc.oneof(
      {
        weight: 30,
        arbitrary: fc.array(
          fc.oneof(
            { weight: 8, arbitrary: message(LEGACY_METHODS) },
            { weight: 1, arbitrary: hostile() },
          ),
          { minLength: 1, maxLength: 8 },
        ),
      },
      { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
    ),
    repeat: sometimes(
      fc.record({
        member: fc.constantFrom(
          { jsonrpc: '2.0', id: 1, method: 'ping' },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 'x', method: 'tools/list' },
          {
            jsonrpc: '2.0',
            id: 2,
            method: 'tools/call',
            params: { name: 'add', arguments: { a: 1, b: 2 } },
          },
          {
            jsonrpc: '2.0',
            id: 3,
            method: 'tools/call',
            params: { name: 'search', arguments: { query: 'mcp' } },
          },
          { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'bare-mcp://readme' } },
          { jsonrpc: '2.0', id: 5, method: 'nope' },
          { jsonrpc: '2.0', id: 6, result: {} },
          7,
        ),
        times: fc.integer({ min: 1, max: LIMITS.batch }),
      }),
      8,
    ),
    modernMember: sometimes(modernMeta, 10),
    headers: headerMutations,
    body: bodyMutation,
  })
  .map(({ path, version, members, repeat, modernMember, headers, body }) => {
    const parts = members.map(toJson)
    if (repeat !== undefined) {
      // Up to the batch bound, and never much past the body limit; spliced in when sent.
      const one = toJson(repeat.member)
      const times = Math.min(
        repeat.times,
        Math.max(1, LIMITS.batch - parts.length),
        Math.ceil(1_100_000 / one.length),
      )
      parts.push(toJson(raw(`repeat:${times}:${btoa(one)}`)))
    }
    if (modernMember !== undefined) {
      parts.push(toJson(withMeta({ jsonrpc: '2.0', id: 'm', method: 'tools/list' }, modernMember)))
    }
    return {
      method: 'POST',
      path,
      headers: mutateHeaders(
        { ...CLIENT, ...(version === undefined ? {} : { 'mcp-protocol-version': version }) },
        headers,
      ),
      body: `[${parts.join(',')}]`,
      mutation: body,
      mayStayOpen: false,
    }
  })

const OTHER_METHODS = ['GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND']

/** Not a POST: GET (a stream, without a real session), DELETE, OPTIONS (CORS), the rest. */
export const otherMethod = fc
  .record({
    method: fc.constantFrom(...OTHER_METHODS),
    path: mcpPath,
    headers: headerMutations,
    body: fc.option(text, { nil: undefined, freq: 4 }),
  })
  .map(({ method, path, headers, body }) => ({
    method,
    path,
    headers: mutateHeaders({ accept: 'text/event-stream' }, headers),
    ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body }),
    mayStayOpen: false,
  }))

/** Any stateless request to an MCP endpoint, in either era. */
export const statelessRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { weight: 5, arbitrary: legacyPost() },
  { weight: 5, arbitrary: modernPost() },
  { weight: 2, arbitrary: batchPost },
  { weight: 1, arbitrary: otherMethod },
)

// ---------------------------------------------------------------------------------------------
// Sequences: a legacy session, a 2026-07-28 input_required exchange, the HTTP+SSE transport

/** Which session id a step sends: the real one, a forged one, or none. */
export type SessionRef = 'real' | 'forged' | 'none'
const sessionRef: fc.Arbitrary<SessionRef> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('real' as const) },
  { weight: 1, arbitrary: fc.constantFrom('forged' as const, 'none' as const) },
)
/** Which MCP-Protocol-Version a step sends: the negotiated one, none, or another. */
const versionRef = fc.oneof(
  { weight: 10, arbitrary: fc.constant('negotiated') },
  { weight: 1, arbitrary: fc.constantFrom<string>('none', ...REVISIONS, 'garbage') },
)

export type SessionStep =
  | { kind: 'post'; session: SessionRef; version: string; request: HostileRequest }
  | { kind: 'get'; session: SessionRef; lastEventId: 'none' | 'seen' | 'bumped' | string }
  | { kind: 'delete'; session: SessionRef }
  | { kind: 'answer'; session: SessionRef; result: unknown }

const sessionStep: fc.Arbitrary<SessionStep> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('post' as const),
      session: sessionRef,
      version: versionRef,
      request: fc.oneof(
        { weight: 8, arbitrary: legacyPost() },
        { weight: 1, arbitrary: batchPost },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('get' as const),
      session: sessionRef,
      lastEventId: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('none', 'seen', 'bumped') },
        { weight: 1, arbitrary: headerValue('last-event-id') },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), session: sessionRef }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      session: sessionRef,
      result: maybe(
        fc.oneof(
          fc.record({ action: fc.constant('accept'), content: fc.record({ name: text }) }),
          fc.constantFrom({ action: 'decline' }, { action: 'cancel' }, { roots: [] }),
        ),
      ),
    }),
  },
)

/** A legacy session: `initialize` (mostly valid, so a session opens), then hostile steps. */
export const sessionSequence = fc.record({
  path: fc.constantFrom(...MCP_PATHS),
  init: fc.record({
    jsonrpc: fc.constant('2.0'),
    id: requestId,
    method: fc.constant('initialize'),
    params: rarely(
      fc.record({
        protocolVersion: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom<unknown>(...LEGACY_REVISIONS) },
          { weight: 1, arbitrary: maybe(version) },
        ),
        capabilities: capabilities(LIMITS.storedDepth),
        clientInfo: maybe(fc.record({ name: shortText, version: shortText }), LIMITS.storedDepth),
      }),
      LIMITS.storedDepth,
    ),
  }),
  initHeaders: headerMutations,
  steps: fc.array(sessionStep, { minLength: 1, maxLength: 6 }),
})
export type SessionSequence = typeof sessionSequence extends fc.Arbitrary<infer T> ? T : never

/** How a retry's `requestState` relates to the one the server sent. */
export type StateChange =
  | { kind: 'same' | 'none' | 'first' }
  | { kind: 'flip' | 'cut'; at: number }
  | { kind: 'append' | 'replace'; text: string }

const stateChange: fc.Arbitrary<StateChange> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'same' as const }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'none' as const }, { kind: 'first' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('flip' as const, 'cut' as const), at: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('append' as const, 'replace' as const),
      text: fc.oneof(shortText, fc.constantFrom('v1..', 'v1.e30.', 'v2.x.y', 'v1.eyJ2IjoxfQ.AAAA')),
    }),
  },
)

/** The `requestState` to send, from the last and first ones the server sent. */
export const changeState = (
  change: StateChange,
  last: string,
  first: string,
): string | undefined => {
  switch (change.kind) {
    case 'same':
      return last
    case 'none':
      return undefined
    case 'first':
      return first
    case 'flip': {
      const i = change.at % Math.max(1, last.length)
      const c = last.charAt(i)
      return last.slice(0, i) + (c === 'A' ? 'B' : 'A') + last.slice(i + 1)
    }
    case 'cut':
      return last.slice(0, change.at % (last.length + 1))
    case 'append':
      return last + change.text
    case 'replace':
      return change.text
  }
}

/** `_meta` whose client capabilities (when an object) declare form elicitation, which greet's
 *  question needs (R-SF-44); otherwise most first calls would stop at -32021. */
const askingMeta = fc.oneof(
  {
    weight: 6,
    arbitrary: modernMeta.map((meta) => {
      const key = 'io.modelcontextprotocol/clientCapabilities'
      const caps = meta[key]
      return typeof caps === 'object' && caps !== null && !Array.isArray(caps)
        ? { ...meta, [key]: { ...caps, elicitation: { form: {} } } }
        : meta
    }),
  },
  { weight: 1, arbitrary: modernMeta },
)

/** One retry of a call that answered `input_required`. */
export const mrtrRound = fc.record({
  state: stateChange,
  /** 'answer': accept each question asked; else decline all, send nothing, or anything. */
  responses: fc.oneof(
    { weight: 4, arbitrary: fc.constant<unknown>('answer') },
    { weight: 1, arbitrary: fc.constantFrom<unknown>('decline', 'none') },
    { weight: 1, arbitrary: hostile(LIMITS.depth) },
  ),
  name: fc.oneof(
    { weight: 12, arbitrary: fc.constant<unknown>('greet') },
    { weight: 1, arbitrary: maybe(text, LIMITS.mirroredDepth) },
  ),
  headers: headerMutations,
  meta: askingMeta,
})

/** A 2026-07-28 `tools/call` of a tool that asks (greet), then retries. */
export const mrtrSequence = fc.record({
  meta: askingMeta,
  rounds: fc.array(mrtrRound, { minLength: 1, maxLength: 4 }),
})

/** The legacy HTTP+SSE transport: GET /sse, then POSTs to the endpoint it names. */
export const legacySseSequence = fc.record({
  ssePath: fc.constantFrom('/sse', '/sse/'),
  sseHeaders: headerMutations,
  posts: fc.array(
    fc.record({
      /** The endpoint's sessionId, or another query. */
      query: fc.oneof(
        { weight: 12, arbitrary: fc.constant('real') },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.constantFrom(
              '',
              '?sessionId=',
              '?sessionId=%ZZ',
              '?sessionid=x',
              '?sessionId=a&sessionId=b',
            ),
            forgedSessionId.map((id) => `?sessionId=${encodeURIComponent(id)}`),
          ),
        },
      ),
      method: fc.oneof(
        { weight: 20, arbitrary: fc.constant('POST') },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS') },
      ),
      request: fc.oneof(
        { weight: 8, arbitrary: legacyPost() },
        { weight: 1, arbitrary: batchPost },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  /** The first POST is a valid 2024-11-05 initialize (most of the time). */
  initialize: fc.boolean(),
})

// ---------------------------------------------------------------------------------------------
// Every other endpoint: metadata, the authorization server, the admin APIs, unknown paths

/** Secrets the fuzzed admin APIs are configured with (so they are on, and sometimes reached). */
export const KB_ADMIN_TOKEN = 'fuzz-kb-admin-token-0123456789'
export const ADMIN_TOKEN = 'fuzz-admin-token-0123456789'
/** Settings of the two fuzzed Workers: admin APIs on; and the same behind AUTH=true. */
export const ADMIN_SETTINGS = { KB_ADMIN_TOKEN, ADMIN_TOKEN }
export const AUTH_SETTINGS = {
  ...ADMIN_SETTINGS,
  AUTH: 'true',
  AUTH_PROVIDER: 'dev',
  AUTH_SECRET: 'fuzz-auth-secret-0123456789abcdef-0123',
}

const ENDPOINT_PATHS = [
  '/',
  '/favicon.ico',
  '/mcpx',
  '/mcp',
  '/mcp/readonly',
  '/sse',
  '/messages',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource/mcp/readonly',
  '/.well-known/oauth-protected-resource/nope',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/.well-known/jwks.json',
  '/authorize',
  '/token',
  '/register',
  '/revoke',
  '/signin',
  '/callback',
  '/consent',
  '/admin/kb',
  '/admin/kb/',
  '/admin/kb/docs',
  '/admin/kb/docs/tools',
  '/admin/kb/docs/new-doc',
  '/admin/kb/docs/%2e%2e',
  '/admin/kb/docs/a/b',
  '/admin/kb/stats',
  '/admin/kb/nope',
  '/admin/keys',
  '/admin/keys/',
  '/admin/keys/bmk_abc',
  '/admin/keys/a/b',
]

const QUERY_NAMES = [
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'state',
  'scope',
  'resource',
  'prompt',
  'code',
  'iss',
  'error',
  'id',
  'title',
  'url',
  'sessionId',
]
const FORM_NAMES = [
  'grant_type',
  'code',
  'redirect_uri',
  'client_id',
  'client_secret',
  'code_verifier',
  'refresh_token',
  'token',
  'token_type_hint',
  'resource',
  'scope',
  'client_assertion_type',
  'client_assertion',
  'csrf',
  'decision',
  'name',
  'state',
]
const FIELD_VALUES = [
  'code',
  'token',
  'S256',
  'plain',
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.',
  'http://localhost:3000/callback',
  'http://localhost/mcp',
  // A Client ID Metadata Document URL nobody listens on: fetched, refused at once.
  'https://localhost:1/client.json',
  'mcp:tools',
  'none',
  'consent',
  'allow',
  'deny',
  'dGhpcyBpcyBub3QgYSB2ZXJpZmllcg',
]
const fieldValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_VALUES) },
  { weight: 2, arbitrary: shortText },
  { weight: 1, arbitrary: text },
)

/** Name=value pairs, URL-encoded (a query string or a form body). */
const formEncoded = (names: readonly string[]) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...names), shortText), fieldValue), {
      maxLength: 6,
    })
    .map((pairs) => {
      const form = new URLSearchParams()
      for (const [name, value] of pairs) {
        try {
          form.append(name, value)
        } catch {
          // A lone surrogate cannot be encoded; a client could not send it either.
        }
      }
      return form.toString()
    })

const kbDocument = fc.record(
  {
    id: maybe(fc.oneof(fc.constantFrom(...KB_IDS, 'new-doc'), shortText)),
    title: maybe(text),
    text: maybe(text),
    url: maybe(fc.constantFrom('https://example.com/doc', 'ftp://x', 'not a url')),
    metadata: maybe(fc.dictionary(shortText, shortText, { maxKeys: 3 })),
  },
  { requiredKeys: ['id', 'title', 'text'] },
)

const clientMetadata = fc.record(
  {
    redirect_uris: maybe(
      fc.array(
        fc.oneof(
          fc.constantFrom(
            'http://localhost:3000/callback',
            'http://127.0.0.1/cb',
            'https://app.example/cb#frag',
            'javascript:alert(1)',
            'com.example.app:/cb',
          ),
          shortText,
        ),
        { maxLength: 3 },
      ),
    ),
    client_name: maybe(text),
    token_endpoint_auth_method: maybe(
      fc.constantFrom('none', 'client_secret_post', 'private_key_jwt'),
    ),
    grant_types: maybe(fc.constantFrom(['authorization_code', 'refresh_token'], ['implicit'])),
    application_type: maybe(fc.constantFrom('native', 'web')),
    jwks: hostile(200),
  },
  { requiredKeys: [] },
)

/** A JSON body any of these endpoints might take (and all the ones it must refuse). */
const endpointJson = fc.oneof(
  { weight: 2, arbitrary: fc.array(kbDocument, { maxLength: 4 }) },
  { weight: 2, arbitrary: kbDocument },
  { weight: 2, arbitrary: clientMetadata },
  {
    weight: 1,
    arbitrary: fc.record({
      label: maybe(shortText),
      scopes: maybe(fc.array(shortText, { maxLength: 3 })),
    }),
  },
  { weight: 1, arbitrary: hostile() },
)

/** The token, and the body type, each endpoint expects. */
const tokenFor = (path: string): string | undefined =>
  path.startsWith('/admin/kb')
    ? `Bearer ${KB_ADMIN_TOKEN}`
    : path.startsWith('/admin/keys')
      ? `Bearer ${ADMIN_TOKEN}`
      : ['/token', '/revoke'].includes(path)
        ? `Basic ${btoa('client:secret')}`
        : undefined
const bodyTypeFor = (path: string): 'json' | 'form' | 'markdown' =>
  ['/token', '/revoke', '/authorize', '/signin', '/consent', '/callback'].includes(path)
    ? 'form'
    : path.startsWith('/admin/kb/docs/')
      ? 'markdown'
      : 'json'

/** A request to any endpoint but the MCP ones' happy paths: metadata, OAuth, admin, 404s. */
export const endpointRequest: fc.Arbitrary<HostileRequest & { auth: boolean }> = fc
  .record({
    auth: fc.boolean(),
    method: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('GET', 'POST') },
      { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH') },
    ),
    path: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...ENDPOINT_PATHS) },
      {
        weight: 1,
        arbitrary: fc
          .array(
            fc.oneof(
              fc.constantFrom('admin', 'kb', 'docs', '.well-known', '..', '%2F', ''),
              shortText,
            ),
            { maxLength: 4 },
          )
          .map((parts) => `/${parts.map(percentEncode).join('/')}`),
      },
    ),
    query: sometimes(formEncoded(QUERY_NAMES), 2),
    /** 'fitting': what the endpoint takes (json, form or markdown). */
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant('fitting') },
      { weight: 2, arbitrary: fc.constantFrom('json', 'form', 'markdown') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'multipart/form-data', '') },
    ),
    json: endpointJson,
    form: formEncoded(FORM_NAMES),
    markdown: text.map((t) => `# ${t}\n\n${t}`),
    /** 'right': the token the endpoint wants (the admin secrets, client credentials). */
    authorization: fc.oneof(
      { weight: 4, arbitrary: fc.constant<string | undefined>('right') },
      { weight: 2, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.constantFrom(`Bearer ${KB_ADMIN_TOKEN}`, `bearer  ${ADMIN_TOKEN} `),
          headerValue('authorization'),
        ),
      },
    ),
    headers: headerMutations,
    cookie: sometimes(
      fc.oneof(shortText, headerText).map((t) => `bare_mcp_csrf=${percentEncode(t)}`),
      4,
    ),
  })
  .map((c) => {
    const typeHeader: Record<string, string> = {
      json: 'application/json',
      form: 'application/x-www-form-urlencoded',
      markdown: 'text/markdown; charset=utf-8',
    }
    const kind = c.contentType === 'fitting' ? bodyTypeFor(c.path) : c.contentType
    const body = kind === 'json' ? toJson(c.json) : kind === 'form' ? c.form : c.markdown
    const authorization = c.authorization === 'right' ? tokenFor(c.path) : c.authorization
    const headers = mutateHeaders(
      {
        accept: 'application/json, text/html',
        ...(kind === '' ? {} : { 'content-type': typeHeader[kind] ?? kind }),
        ...(authorization === undefined ? {} : { authorization }),
        ...(c.cookie === undefined ? {} : { cookie: c.cookie }),
      },
      c.headers,
    )
    return {
      auth: c.auth,
      method: c.method,
      path: c.query === undefined ? c.path : `${c.path}?${c.query}`,
      headers,
      ...(c.method === 'GET' || c.method === 'HEAD' ? {} : { body }),
      // GET /sse opens the legacy stream.
      mayStayOpen: c.method === 'GET' && c.path.startsWith('/sse'),
    }
  })

// ---------------------------------------------------------------------------------------------
// Mcp-Param-* headers (R-HT-38), against a tool that mirrors arguments into them

/** How a client mirrors one argument into its header: faithfully, or not. */
const mirror = fc.oneof(
  { weight: 6, arbitrary: fc.constant<unknown>('same') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('missing', 'base64') },
  { weight: 1, arbitrary: headerText },
)

/** A 2026-07-28 call of test/helpers/tools.ts `route` (region, shard, dry in headers). */
export const paramHeaderPost: fc.Arbitrary<HostileRequest> = fc
  .record({
    args: fc.record(
      {
        region: maybe(text, LIMITS.mirroredDepth),
        shard: maybe(edgeNumber, LIMITS.mirroredDepth),
        dry: maybe(fc.boolean(), LIMITS.mirroredDepth),
      },
      { requiredKeys: [] },
    ),
    mirrors: fc.record({ Region: mirror, Shard: mirror, 'Dry-Run': mirror }),
    meta: modernMeta,
    headers: headerMutations,
    body: bodyMutation,
  })
  .map(({ args, mirrors, meta, headers, body }) => {
    const values: Record<string, unknown> = {
      Region: args.region,
      Shard: args.shard,
      'Dry-Run': args.dry,
    }
    const params: Record<string, string> = {}
    for (const [name, how] of Object.entries(mirrors)) {
      const value = values[name]
      if (value === undefined || how === 'missing') continue
      const plain = typeof value === 'string' ? value : JSON.stringify(value)
      if (plain.length > 4_000) continue
      params[`mcp-param-${name.toLowerCase()}`] =
        how === 'same'
          ? encodeHeaderValue(plain)
          : how === 'base64'
            ? `=?base64?${base64(plain)}?=`
            : String(how)
    }
    return {
      method: 'POST',
      path: '/mcp',
      headers: mutateHeaders(
        {
          ...CLIENT,
          'mcp-protocol-version': MODERN,
          'mcp-method': 'tools/call',
          'mcp-name': 'route',
          ...params,
        },
        headers,
      ),
      body: toJson(
        withMeta(
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'route', arguments: args },
          },
          meta,
        ),
      ),
      mutation: body,
      mayStayOpen: false,
    }
  })
