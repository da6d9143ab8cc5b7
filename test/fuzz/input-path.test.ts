// BM-FUZZ-2: properties of the small pure modules every request passes through before any
// method runs: media types, 2026-07-28 header values, SSE framing, URI templates, session ids
// and event ids. Each never throws on any input, agrees with a model of its rule, and round
// trips what we produce ourselves.

import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { decodeHeaderValue } from '../../src/http/header-value.ts'
import { acceptable, isJsonContentType, parseMediaType } from '../../src/http/media-type.ts'
import { parseUriTemplate, UriTemplateError } from '../../src/resources/uri-template.ts'
import { mintSessionId, shardFor, shardOf } from '../../src/sessions/id.ts'
import { parseEventId } from '../../src/transports/resumable.ts'
import { comment, frame } from '../../src/transports/sse.ts'
import { check, parseEventStream, runs, timeoutFor } from '../helpers/fuzz.ts'
import { encodeHeaderValue } from '../helpers/hostile.ts'

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Any text, lone surrogates and control characters included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('\r', '\n', '\0', ' ', '\t', ':', ';', ',', '=', '"', 'a') }),
)
/** Text a JavaScript string can be encoded to UTF-8 from (no lone surrogates). */
const wellFormed = fc.string({ unit: 'grapheme', maxLength: 60 })

/** Mixed case, as headers arrive. */
const anyCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''))
const space = fc.constantFrom('', ' ', '  ', '\t')

// ---------------------------------------------------------------------------------------------
// Media types (R-JR-2, R-HT-4)

const token = fc.oneof(
  fc.constantFrom('application', 'text', 'json', 'event-stream', '*', 'jsonp', 'x-json', 'plain'),
  fc.string({ unit: fc.constantFrom(...'abcxyz-+.*!#'), minLength: 1, maxLength: 6 }),
)
const paramValue = fc.oneof(
  fc.constantFrom('utf-8', 'UTF-8', 'utf8', 'latin1', '0', '0.0', '0.000', '0.001', '1', '0.5', ''),
  fc.string({ unit: fc.constantFrom(...'abc019.-'), maxLength: 6 }),
)
/** One media range as a model: its parts, and how it is written. */
const mediaRange = fc.record({
  type: token,
  subtype: token,
  params: fc.array(
    fc.record({
      name: fc.constantFrom('charset', 'CharSet', 'q', 'Q', 'boundary', 'x'),
      value: paramValue,
      quoted: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
})
type MediaRange = typeof mediaRange extends fc.Arbitrary<infer T> ? T : never

const writeRange = (range: MediaRange) =>
  fc
    .tuple(anyCase(`${range.type}/${range.subtype}`), space, space)
    .map(
      ([essence, before, after]) =>
        before +
        essence +
        after +
        range.params
          .map((p) => `;${before}${p.name}=${p.quoted ? `"${p.value}"` : p.value}`)
          .join(''),
    )

/** The last value of a parameter (names are case-insensitive), as the parser keeps it. */
const param = (range: MediaRange, name: string) =>
  range.params.filter((p) => p.name.toLowerCase() === name).at(-1)?.value
const essenceOf = (range: MediaRange) => `${range.type}/${range.subtype}`.toLowerCase()
const excluded = (range: MediaRange) => /^0(\.0{0,3})?$/.test(param(range, 'q') ?? '1')

describe('BM-FUZZ-2 media types', () => {
  test(
    `BM-FUZZ-2 parseMediaType never throws; what it returns is a lowercase token/token with lowercase parameter names (${runs(400)} cases)`,
    () => {
      check(
        fc.property(anyText, (header) => {
          const media = parseMediaType(header)
          if (media === null) return
          const [type, subtype] = media.essence.split('/')
          expect(media.essence).toBe(media.essence.toLowerCase())
          expect(TOKEN.test(type ?? '') && TOKEN.test(subtype ?? '')).toBe(true)
          for (const name of media.params.keys()) {
            expect(name).toBe(name.toLowerCase())
            expect(name).not.toBe('')
          }
        }),
        400,
      )
    },
    timeoutFor(400, 2),
  )

  test(
    `BM-FUZZ-2 a Content-Type is JSON exactly when it is application/json with no charset or UTF-8 (${runs(400)} cases)`,
    () => {
      check(
        fc.property(
          mediaRange.chain((range) => writeRange(range).map((header) => ({ range, header }))),
          ({ range, header }) => {
            const charset = param(range, 'charset')
            const model =
              essenceOf(range) === 'application/json' &&
              (charset === undefined || charset.toLowerCase() === 'utf-8')
            expect(isJsonContentType(header)).toBe(model)
          },
        ),
        400,
      )
    },
    timeoutFor(400, 2),
  )

  test(
    `BM-FUZZ-2 Accept admits JSON and SSE exactly as its ranges and q=0 say; garbage admits nothing, absence everything (${runs(400)} cases)`,
    () => {
      const accept = fc.array(
        mediaRange.chain((range) => writeRange(range).map((text) => ({ range, text }))),
        { maxLength: 4 },
      )
      check(
        fc.property(accept, anyText, (ranges, garbage) => {
          const header = ranges.map((r) => r.text).join(',')
          const admits = (types: string[]) =>
            ranges.some((r) => types.includes(essenceOf(r.range)) && !excluded(r.range))
          const model =
            header.trim() === ''
              ? { json: true, sse: true }
              : {
                  json: admits(['*/*', 'application/*', 'application/json']),
                  sse: admits(['*/*', 'text/*', 'text/event-stream']),
                }
          expect(acceptable(header)).toEqual(model)
          expect(acceptable(null)).toEqual({ json: true, sse: true })
          // Any text at all: never a throw, and a real answer.
          const answer = acceptable(garbage)
          expect(typeof answer.json === 'boolean' && typeof answer.sse === 'boolean').toBe(true)
        }),
        400,
      )
    },
    timeoutFor(400, 2),
  )
})

// ---------------------------------------------------------------------------------------------
// Header values (R-HT-36..R-HT-38: Mcp-Name, Mcp-Param-*)

describe('BM-FUZZ-2 header values', () => {
  test(
    `BM-FUZZ-2 decodeHeaderValue never throws and reads back every value as a client encodes it (${runs(500)} cases)`,
    () => {
      check(
        fc.property(wellFormed, anyText, (value, garbage) => {
          expect(decodeHeaderValue(encodeHeaderValue(value))).toBe(value)
          const decoded = decodeHeaderValue(garbage)
          // A plain value is itself and visible ASCII (or tab); anything else needed Base64.
          if (decoded !== null && !garbage.startsWith('=?base64?')) {
            expect(decoded).toBe(garbage)
            expect(/^[\x20-\x7e\t]*$/.test(decoded)).toBe(true)
          }
        }),
        500,
      )
    },
    timeoutFor(500, 2),
  )

  test(
    `BM-FUZZ-2 Base64 that is unpadded, broken, or not UTF-8 is refused (${runs(300)} cases)`,
    () => {
      const bytes = fc.uint8Array({ minLength: 1, maxLength: 40 })
      check(
        fc.property(bytes, (raw) => {
          const b64 = btoa(String.fromCharCode(...raw))
          let utf8: string | null
          try {
            utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw)
          } catch {
            utf8 = null
          }
          expect(decodeHeaderValue(`=?base64?${b64}?=`)).toBe(utf8)
          if (b64.endsWith('=')) {
            expect(decodeHeaderValue(`=?base64?${b64.replace(/=+$/, '')}?=`)).toBeNull()
          }
          expect(decodeHeaderValue(`=?base64?${b64}!?=`)).toBeNull()
          expect(decodeHeaderValue(`=?BASE64?${b64}?=`)).toBe(
            /^[\x20-\x7e\t]*$/.test(`=?BASE64?${b64}?=`) ? `=?BASE64?${b64}?=` : null,
          )
        }),
        300,
      )
    },
    timeoutFor(300, 2),
  )
})

// ---------------------------------------------------------------------------------------------
// SSE framing (R-HT-8)

describe('BM-FUZZ-2 SSE framing', () => {
  const event = fc.record(
    {
      data: anyText,
      event: anyText,
      id: anyText,
      // Settings give integers; Math.floor of a huge or non-finite one is not digits.
      retry: fc.integer({ min: -1_000_000, max: 2 ** 31 }),
    },
    { requiredKeys: ['data'] },
  )
  const single = (value: string) => value.replace(/[\r\n]/g, '')

  test(
    `BM-FUZZ-2 frame() is read back by the WHATWG parser as exactly the event it was given, no field forged (${runs(600)} cases)`,
    () => {
      check(
        fc.property(event, event, (a, b) => {
          const { events, rest } = parseEventStream(frame(a) + frame(b))
          expect(rest).toBe('')
          expect(events).toHaveLength(2)
          for (const [sent, got] of [
            [a, events[0]!],
            [b, events[1]!],
          ] as const) {
            expect(got.data).toBe(sent.data.replace(/\r\n|\r/g, '\n'))
            expect(got.type).toBe(
              sent.event === undefined ? 'message' : single(sent.event) || 'message',
            )
            // `id` is sticky across events, and one with NUL is ignored (WHATWG).
            if (sent.id !== undefined && !single(sent.id).includes('\0'))
              expect(got.lastEventId).toBe(single(sent.id))
            const allowed = new Set(['id', 'event', 'retry', 'data'])
            for (const name of got.fields) expect(allowed.has(name), `field ${name}`).toBe(true)
            expect(got.fields.filter((n) => n !== 'data')).toEqual(
              [
                sent.id === undefined ? [] : ['id'],
                sent.event === undefined ? [] : ['event'],
                sent.retry === undefined ? [] : ['retry'],
              ].flat(),
            )
          }
          if (a.retry !== undefined) expect(frame(a)).toMatch(/(?:^|\n)retry: \d+\n/)
        }),
        600,
      )
    },
    timeoutFor(600, 2),
  )

  test(
    `BM-FUZZ-2 a comment is never an event (${runs(200)} cases)`,
    () => {
      check(
        fc.property(anyText, (text) => {
          expect(parseEventStream(comment(text))).toEqual({ events: [], rest: '' })
        }),
        200,
      )
    },
    timeoutFor(200, 2),
  )
})

// ---------------------------------------------------------------------------------------------
// URI templates (R-SF-20)

const varname = fc.oneof(
  fc.constantFrom('name', 'id', 'x', '__proto__', 'constructor', 'a.b', 'v_1', '%41'),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019_'), minLength: 1, maxLength: 6 }),
)
const OPERATORS = ['', '+', '#', '.', '/', ';', '?', '&'] as const
const literal = fc.constantFrom(
  '',
  'bare-mcp://greeting/',
  'file:///',
  'kb://docs/',
  '/end',
  '.json',
  'x',
)

/** Values that can come back through `op` (uri-template.ts's matching rules). */
const valueFor = (op: string): fc.Arbitrary<string> => {
  if (op === '+') return wellFormed.filter((v) => !/[?#]|%[0-9A-Fa-f]{2}/.test(v))
  if (op === '#') return wellFormed.filter((v) => !/%[0-9A-Fa-f]{2}/.test(v))
  if (op === '.') return wellFormed.filter((v) => !v.includes('.'))
  return wellFormed
}

describe('BM-FUZZ-2 URI templates', () => {
  test(
    `BM-FUZZ-2 parsing any template throws UriTemplateError or nothing; matching any URI never throws and names only its variables (${runs(500)} cases)`,
    () => {
      const templateText = fc.oneof(
        anyText,
        fc
          .array(
            fc.oneof(
              literal,
              anyText.map((t) => `{${t}}`),
              varname.map((v) => `{${v}}`),
            ),
            {
              maxLength: 4,
            },
          )
          .map((parts) => parts.join('')),
      )
      const templates = [
        'bare-mcp://greeting/{name}',
        'kb://docs/{id}',
        'x{?a,b}{#c}',
        '{/a,b}{.c}',
      ]
      check(
        fc.property(templateText, anyText, (source, uri) => {
          let template
          try {
            template = parseUriTemplate(source)
          } catch (error) {
            expect(error).toBeInstanceOf(UriTemplateError)
          }
          for (const t of template === undefined ? templates : [...templates, source]) {
            const parsed = t === source && template !== undefined ? template : parseUriTemplate(t)
            const vars = parsed.match(uri)
            if (vars === null) continue
            for (const [name, value] of Object.entries(vars)) {
              expect(parsed.variables).toContain(name)
              expect(typeof value).toBe('string')
            }
          }
        }),
        500,
      )
    },
    timeoutFor(500, 2),
  )

  test(
    `BM-FUZZ-2 a one-expression template matches its own expansion back to the values (${runs(500)} cases)`,
    () => {
      const cases = fc
        .record({
          op: fc.constantFrom(...OPERATORS),
          names: fc.uniqueArray(varname, { minLength: 1, maxLength: 3 }),
          before: literal,
          after: literal,
        })
        .chain((c) =>
          fc
            .array(valueFor(c.op), { minLength: c.names.length, maxLength: c.names.length })
            .map((values) => ({ ...c, values })),
        )
        // Several values of `+` and `#` are separated by commas, so none may hold one.
        .filter(
          (c) =>
            c.names.length === 1 ||
            !['+', '#'].includes(c.op) ||
            c.values.every((v) => !v.includes(',')),
        )
        // Several unnamed values with nothing between cannot be told apart when some are empty.
        .filter((c) => c.names.length === 1 || c.values.every((v) => v !== ''))
        // Without a separator of their own (`{a,b}`), commas in a value are ambiguous.
        .filter(
          (c) => c.names.length === 1 || c.op !== '' || c.values.every((v) => !v.includes(',')),
        )
      check(
        fc.property(cases, ({ op, names, before, after, values }) => {
          const template = parseUriTemplate(`${before}{${op}${names.join(',')}}${after}`)
          const given = Object.fromEntries(names.map((n, i) => [n, values[i]!]))
          const uri = template.expand(given)
          expect(template.match(uri)).toEqual(given)
        }),
        500,
      )
    },
    timeoutFor(500, 2),
  )
})

// ---------------------------------------------------------------------------------------------
// Session ids (R-HT-13) and event ids (R-HT-12)

describe('BM-FUZZ-2 session and event ids', () => {
  test(
    `BM-FUZZ-2 shardOf never throws and names a shard only in range; minted ids are visible ASCII and name their shard (${runs(300)} cases)`,
    () => {
      check(
        fc.property(anyText, fc.integer({ min: 1, max: 10_000 }), fc.nat(), (text, shards, at) => {
          const shard = shardOf(text, shards)
          if (shard !== null) {
            expect(Number.isInteger(shard) && shard >= 0 && shard < shards).toBe(true)
          }
          const id = mintSessionId(shardFor(null, shards))
          expect(id).toMatch(/^[\x21-\x7e]+$/)
          const own = shardOf(id, shards)
          expect(own !== null && own < shards).toBe(true)
          // One character out of the alphabet, or padding around, and it is no longer ours.
          const i = 1 + (at % (id.length - 1))
          expect(shardOf(`${id.slice(0, i)}!${id.slice(i + 1)}`, shards)).toBeNull()
          expect(shardOf(` ${id}`, shards)).toBeNull()
          expect(shardOf(`${id}\n`, shards)).toBeNull()
        }),
        300,
      )
    },
    timeoutFor(300, 2),
  )

  test(
    `BM-FUZZ-2 parseEventId never throws, reads back every id we write, and nothing out of range (${runs(300)} cases)`,
    () => {
      const stream = fc.string({
        unit: fc.constantFrom(...'ABCxyz019_-'),
        minLength: 1,
        maxLength: 32,
      })
      check(
        fc.property(
          stream,
          fc.integer({ min: 0, max: 999_999_999 }),
          space,
          anyText,
          (s, seq, pad, text) => {
            expect(parseEventId(`${pad}${s}.${seq}${pad}`)).toEqual({ stream: s, seq })
            const parsed = parseEventId(text)
            if (parsed !== null) {
              expect(parsed.stream).toMatch(/^[A-Za-z0-9_-]{1,32}$/)
              expect(Number.isSafeInteger(parsed.seq) && parsed.seq >= 0).toBe(true)
              expect(parsed.seq).toBeLessThanOrEqual(999_999_999)
            }
          },
        ),
        300,
      )
    },
    timeoutFor(300, 2),
  )
})
