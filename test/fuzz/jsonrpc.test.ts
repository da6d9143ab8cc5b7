// BM-FUZZ-1: properties of the JSON-RPC parser (src/jsonrpc/), over any text and any JSON
// value: it never throws, every failure is a JSON-RPC error object with the right code, ids are
// kept whenever they can be read, batch members are parsed one by one, valid messages come
// through unchanged, and no error message grows with the input.

import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ErrorCode } from '../../src/jsonrpc/errors.ts'
import { ECHO } from '../../src/jsonrpc/issues.ts'
import { nestsDeeperThan } from '../../src/jsonrpc/depth.ts'
import { parseBody, parseMessage, type BodyLimits } from '../../src/jsonrpc/message.ts'
import { check, runs, timeoutFor } from '../helpers/fuzz.ts'
import {
  expand,
  hostile,
  key,
  longText,
  message,
  shortText,
  text,
  toJson,
} from '../helpers/hostile.ts'

const isId = (value: unknown): value is string | number =>
  typeof value === 'string' || Number.isSafeInteger(value)
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A parse outcome without its members' values, which may be thousands deep (deep equality
 *  would recurse that far). */
const summary = (parsed: ReturnType<typeof parseMessage>) => {
  if (!parsed.ok) return parsed
  const m = parsed.value.message as Record<string, unknown>
  return { kind: parsed.value.kind, id: m.id, method: m.method, members: Object.keys(m) }
}

/** JSON text: plausible messages, then any value, then any text at all. */
const jsonText = fc.oneof(
  { weight: 4, arbitrary: message(['initialize', 'ping', 'tools/call']).map(toJson) },
  { weight: 2, arbitrary: hostile(5_000).map(toJson) },
  { weight: 2, arbitrary: fc.array(message(['ping']), { maxLength: 5 }).map(toJson) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.json() },
)

/** The JSON value of a text, or undefined when it is not JSON. */
const decode = (textValue: string): { value: unknown } | undefined => {
  try {
    return { value: JSON.parse(textValue) }
  } catch {
    return undefined
  }
}

/** The same value with one member replaced: how real clients get messages subtly wrong. */
const mutatedMessage = fc
  .tuple(
    fc.oneof(
      message(['initialize', 'ping', 'tools/call', 'resources/read']),
      fc.constantFrom<Record<string, unknown>>(
        { jsonrpc: '2.0', id: 1, result: {} },
        { jsonrpc: '2.0', id: 'a', error: { code: -1, message: 'no' } },
      ),
    ),
    fc.constantFrom('jsonrpc', 'id', 'method', 'params', 'result', 'error', '__proto__'),
    fc.oneof(hostile(50), longText),
  )
  .map(([msg, member, value]) => ({ ...msg, [member]: value }))

/** No limit at all, to compare parsing with parseMessage member by member. */
const UNLIMITED: BodyLimits = { maxBatch: Infinity, maxDepth: Infinity }
/** The server's defaults (MAX_BATCH, MAX_JSON_DEPTH). */
const DEFAULTS: BodyLimits = { maxBatch: 32, maxDepth: 64 }

describe('BM-FUZZ-1 the JSON-RPC parser', () => {
  test(
    `BM-FUZZ-1 parseBody never throws; a failure is -32700 (not JSON) or -32600 (empty batch), nothing else (${runs(800)} cases)`,
    () => {
      check(
        fc.property(jsonText, fc.constantFrom('', ' ', '\uFEFF', '\n'), (body, pad) => {
          const sent = pad + expand(body) + pad
          const parsed = parseBody(sent, UNLIMITED)
          const json = decode(sent)
          // BM-LIMIT-1, BM-LIMIT-2: with the limits, a body past either is one -32600 naming it;
          // any other body parses as it does without them.
          const limited = parseBody(sent, DEFAULTS)
          if (json !== undefined && nestsDeeperThan(json.value, DEFAULTS.maxDepth)) {
            expect(limited).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidRequest } })
            expect(limited.ok || limited.error.message).toContain('MAX_JSON_DEPTH')
          } else if (
            json !== undefined &&
            Array.isArray(json.value) &&
            json.value.length > DEFAULTS.maxBatch
          ) {
            expect(limited.ok || limited.error.message).toContain('MAX_BATCH')
          } else {
            expect(limited).toEqual(parsed)
          }
          if (json === undefined) {
            expect(parsed).toEqual({
              ok: false,
              error: { code: ErrorCode.ParseError, message: expect.any(String) },
            })
          } else if (Array.isArray(json.value) && json.value.length === 0) {
            expect(parsed).toEqual({
              ok: false,
              error: { code: ErrorCode.InvalidRequest, message: expect.any(String) },
            })
          } else if (Array.isArray(json.value)) {
            // R-JR-17: one bad member does not spoil the others.
            expect(parsed.ok && parsed.batch).toBe(true)
            if (parsed.ok && parsed.batch) {
              expect(parsed.messages.map(summary)).toEqual(
                json.value.map((member) => summary(parseMessage(member))),
              )
            }
          } else {
            expect(parsed.ok && !parsed.batch).toBe(true)
            if (parsed.ok && !parsed.batch) {
              expect(summary(parsed.message)).toEqual(summary(parseMessage(json.value)))
            }
          }
        }),
        800,
      )
    },
    timeoutFor(800, 2),
  )

  test(
    `BM-FUZZ-1 parseMessage never throws; a failure is -32600 with the id when readable (${runs(1_000)} cases)`,
    () => {
      const anyValue = fc.oneof(
        { weight: 3, arbitrary: mutatedMessage },
        { weight: 2, arbitrary: message(['ping', 'tools/list']) },
        { weight: 2, arbitrary: hostile(50) },
        {
          weight: 1,
          arbitrary: fc
            .array(fc.tuple(fc.oneof(key, longText), hostile(10)), { maxLength: 6 })
            .map((entries) => Object.fromEntries(entries)),
        },
      )
      check(
        fc.property(anyValue, (value) => {
          // Parsing sees what the server sees: the value after a JSON round trip.
          const sent = decode(expand(toJson(value)))?.value
          const parsed = parseMessage(sent)
          if (parsed.ok) {
            expect(isObject(sent)).toBe(true)
            return
          }
          expect(parsed.error.code).toBe(ErrorCode.InvalidRequest)
          expect(typeof parsed.error.message).toBe('string')
          // R-JR-8: the id, when it could be read; `"id": null` is never taken for a notification.
          const id = isObject(sent) ? sent.id : undefined
          expect(parsed.id).toEqual(isId(id) ? id : null)
        }),
        1_000,
      )
    },
    timeoutFor(1_000, 2),
  )

  test(
    `BM-ECHO-1 no parser error repeats more than ${ECHO} characters of a long key or value (${runs(600)} cases)`,
    () => {
      // A long string (with a marker no schema message contains) as a member's value or key.
      const long = fc
        .tuple(fc.string({ minLength: ECHO + 1, maxLength: 2_000, unit: 'grapheme' }), fc.nat())
        .map(([body, n]) => `§${n}§${body}`)
      const placed = fc
        .tuple(
          fc.oneof(
            message(['ping', 'tools/call']),
            fc.constantFrom<Record<string, unknown>>(
              { jsonrpc: '2.0', id: 1, result: {} },
              { jsonrpc: '2.0', id: 'a', error: { code: -1, message: 'no' } },
            ),
          ),
          fc.constantFrom('jsonrpc', 'id', 'method', 'params', 'result', 'error'),
          long,
          fc.boolean(),
        )
        .map(([msg, member, value, asKey]) =>
          asKey ? { ...msg, [member]: { [value]: 1 }, [value]: 1 } : { ...msg, [member]: value },
        )
      check(
        fc.property(placed, (value) => {
          const parsed = parseMessage(JSON.parse(JSON.stringify(value)))
          if (parsed.ok) return
          const repeated = Object.keys(value)
            .concat(Object.values(value).filter((v): v is string => typeof v === 'string'))
            .filter((s) => s.startsWith('§'))
          for (const s of repeated) expect(parsed.error.message).not.toContain(s.slice(0, ECHO + 1))
        }),
        600,
      )
    },
    timeoutFor(600, 2),
  )

  test(
    `BM-FUZZ-1 valid requests, notifications and responses parse to themselves (${runs(600)} cases)`,
    () => {
      const id = fc.oneof(fc.string(), fc.maxSafeInteger(), fc.integer())
      const params = fc.dictionary(shortText, fc.jsonValue(), { maxKeys: 4 })
      const valid = fc.oneof(
        fc
          .record(
            { id, method: shortText.filter((m) => m !== ''), params },
            { requiredKeys: ['id', 'method'] },
          )
          .map((m) => ['request', { jsonrpc: '2.0', ...m }] as const),
        fc
          .record(
            { method: shortText.filter((m) => m !== ''), params },
            { requiredKeys: ['method'] },
          )
          .map((m) => ['notification', { jsonrpc: '2.0', ...m }] as const),
        fc
          .record({ id, result: params })
          .map((m) => ['response', { jsonrpc: '2.0', ...m }] as const),
        fc
          .record({
            id: fc.option(id, { nil: null }),
            error: fc.record(
              { code: fc.integer(), message: text, data: fc.jsonValue() },
              { requiredKeys: ['code', 'message'] },
            ),
          })
          .map((m) => ['response', { jsonrpc: '2.0', ...m }] as const),
      )
      check(
        fc.property(valid, ([kind, value]) => {
          const sent = JSON.parse(JSON.stringify(value)) as unknown
          const parsed = parseMessage(sent)
          expect(parsed).toEqual({ ok: true, value: { kind, message: sent } })
        }),
        600,
      )
    },
    timeoutFor(600, 2),
  )
})
