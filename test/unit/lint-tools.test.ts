// The OpenAI-safe tool lint (src/tools/lint.ts): the served tools pass it, and each rule fires on
// a tool object that breaks it. `npm run lint:tools` runs this file and prints the report.

import { describe, expect, test } from 'vitest'
import { formatFindings, lintToolObject, lintTools } from '../../src/tools/lint.ts'
import { TOOLS } from '../../src/tools/index.ts'
import type { Tool } from '../../src/tools/define.ts'

/** A tool object that passes every rule; each case below breaks one thing. */
const GOOD = {
  name: 'get_weather',
  description: 'Current temperature for a city.',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
  outputSchema: { type: 'object', properties: { celsius: { type: 'number' } } },
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: true },
}

const rulesOf = (tool: Record<string, unknown>) =>
  lintToolObject(tool).map((finding) => `${finding.severity} ${finding.rule} ${finding.message}`)

describe('the served tools', () => {
  test('BM-LINT-8 every served tool (demo and knowledge base) passes with no errors', () => {
    const findings = lintTools(TOOLS)
    console.log(formatFindings(TOOLS, findings))
    const errors = findings.filter((finding) => finding.severity === 'error')
    expect(errors, formatFindings(TOOLS, findings)).toEqual([])
  })

  test('BM-LINT-8 and with no warnings either', () => {
    expect(lintTools(TOOLS)).toEqual([])
  })
})

describe('each rule fires', () => {
  test('a good tool object has no findings', () => {
    expect(lintToolObject(GOOD)).toEqual([])
  })

  test.each([['has.dot'], ['has/slash'], ['has space'], [''], ['x'.repeat(65)], [42]])(
    'BM-LINT-1 name %j is refused',
    (name) => {
      expect(rulesOf({ ...GOOD, name })).toEqual([
        `error BM-LINT-1 name ${JSON.stringify(name)} must match /^[a-zA-Z0-9_-]{1,64}$/`,
      ])
    },
  )

  test.each([
    ['a string schema', { type: 'string' }],
    ['no type', { properties: {} }],
    ['not a schema', 'object'],
    ['missing', undefined],
  ])('BM-LINT-2 an inputSchema that is %s is refused', (_, inputSchema) => {
    expect(rulesOf({ ...GOOD, inputSchema })).toEqual([
      'error BM-LINT-2 inputSchema must be a JSON Schema with "type": "object" at its root',
    ])
  })

  test('BM-LINT-2 the outputSchema root must be an object too', () => {
    expect(rulesOf({ ...GOOD, outputSchema: { type: 'array', items: {} } })).toEqual([
      'error BM-LINT-2 outputSchema must be a JSON Schema with "type": "object" at its root',
    ])
  })

  test.each(['anyOf', 'oneOf', 'allOf'])('BM-LINT-3 a top-level %s is refused', (keyword) => {
    const inputSchema = { ...GOOD.inputSchema, [keyword]: [{ required: ['city'] }] }
    expect(rulesOf({ ...GOOD, inputSchema })).toEqual([
      `error BM-LINT-3 inputSchema has "${keyword}" at its root; wrap it in a property`,
    ])
  })

  test('BM-LINT-3 anyOf inside a property is fine', () => {
    const inputSchema = {
      type: 'object',
      properties: { when: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
    }
    expect(rulesOf({ ...GOOD, inputSchema })).toEqual([])
  })

  test.each([
    [
      'items as a list',
      { type: 'array', items: [{ type: 'number' }, { type: 'number' }] },
      'items',
    ],
    ['prefixItems', { type: 'array', prefixItems: [{ type: 'number' }] }, 'prefixItems'],
  ])('BM-LINT-4 a tuple (%s), however deep, is refused', (_, point, keyword) => {
    const inputSchema = {
      type: 'object',
      properties: { route: { type: 'array', items: point } },
    }
    expect(rulesOf({ ...GOOD, inputSchema })).toEqual([
      `error BM-LINT-4 inputSchema #/properties/route/items is a tuple ("${keyword}" as a list); use an object or a single "items" schema`,
    ])
  })

  test('BM-LINT-4 data that looks like a tuple (a default value) is not a schema', () => {
    const inputSchema = {
      type: 'object',
      properties: { p: { type: 'object', default: { items: [1, 2] } } },
    }
    expect(rulesOf({ ...GOOD, inputSchema })).toEqual([])
  })

  test.each([
    ['#/$defs/point', []],
    ['#/properties/city', []],
    ['#/$defs/a~1b', []],
    ['#here', []],
    ['#', []],
    ['#/$defs/missing', ['#/$defs/missing']],
    ['#/properties/nope', ['#/properties/nope']],
    ['#nowhere', ['#nowhere']],
    ['https://example.com/schema.json', ['https://example.com/schema.json']],
    ['other.json#/x', ['other.json#/x']],
  ])('BM-LINT-5 $ref %s resolves or is reported', (ref, unresolved) => {
    const inputSchema = {
      type: 'object',
      $defs: { point: { $anchor: 'here', type: 'object' }, 'a/b': { type: 'string' } },
      properties: { city: { type: 'string' }, where: { $ref: ref } },
    }
    expect(rulesOf({ ...GOOD, inputSchema })).toEqual(
      unresolved.map(
        (r) =>
          `error BM-LINT-5 inputSchema #/properties/where has "$ref": "${r}", which does not resolve within the schema`,
      ),
    )
  })

  test.each([
    ['missing', undefined, 'description is missing; the model picks tools by it'],
    ['blank', '  ', 'description is missing; the model picks tools by it'],
    [
      'over 1024 characters',
      'd'.repeat(1025),
      'description is 1025 characters; keep it within 1024',
    ],
  ])('BM-LINT-6 a description %s is refused', (_, description, message) => {
    expect(rulesOf({ ...GOOD, description })).toEqual([`error BM-LINT-6 ${message}`])
  })

  test('BM-LINT-6 a description of exactly 1024 characters passes', () => {
    expect(rulesOf({ ...GOOD, description: 'd'.repeat(1024) })).toEqual([])
  })

  test('BM-LINT-7 no annotations at all is an error', () => {
    const { annotations: _, ...tool } = GOOD
    expect(rulesOf(tool)).toEqual([
      'error BM-LINT-7 annotations.readOnlyHint is missing (true or false)',
    ])
  })

  test('BM-LINT-7 destructiveHint and openWorldHint missing are warnings', () => {
    expect(rulesOf({ ...GOOD, annotations: { readOnlyHint: false } })).toEqual([
      'warning BM-LINT-7 annotations.destructiveHint is missing; ChatGPT asks for it',
      'warning BM-LINT-7 annotations.openWorldHint is missing; ChatGPT asks for it',
    ])
  })
})

describe('over tool lists', () => {
  /** A Tool whose listing differs per revision, as header params and icons do. */
  const fake = (name: string, byRevision: (revision: string) => Record<string, unknown>): Tool =>
    ({
      name,
      describe: (allowed: { revision: string }) => ({ name, ...byRevision(allowed.revision) }),
    }) as unknown as Tool

  test('BM-LINT-8 a problem in one revision only is reported once, naming that revision', () => {
    const tools = [
      fake('modern_only', (revision) => ({
        ...GOOD,
        name: 'modern_only',
        inputSchema: revision === '2026-07-28' ? { type: 'string' } : GOOD.inputSchema,
      })),
      fake('both', () => ({ ...GOOD, name: 'both', description: '' })),
      fake('fine', () => ({ ...GOOD, name: 'fine' })),
    ]
    const findings = lintTools(tools)
    expect(findings.map((f) => [f.tool, f.rule, f.revisions])).toEqual([
      ['modern_only', 'BM-LINT-2', ['2026-07-28']],
      ['both', 'BM-LINT-6', ['2025-11-25', '2026-07-28']],
    ])
    expect(formatFindings(tools, findings)).toBe(
      [
        'OpenAI-safe tool lint: 3 tools, as listed in 2025-11-25 and 2026-07-28',
        '  ✗ modern_only',
        '      error BM-LINT-2 inputSchema must be a JSON Schema with "type": "object" at its root (2026-07-28)',
        '  ✗ both',
        '      error BM-LINT-6 description is missing; the model picks tools by it',
        '  ✓ fine',
        '2 errors, 0 warnings',
      ].join('\n'),
    )
  })
})
