import * as v from 'valibot'
import { describe, expect, test } from 'vitest'
import { defineTool } from '../../src/tools/define.ts'
import { rules } from '../../src/protocol/revisions.ts'
import { toolSet } from '../../src/tools/toolset.ts'

const tool = (name: string) => defineTool({ name, description: 'd', run: () => '' })

describe('R-SF-4 tool names', () => {
  test.each(['echo', 'get_weather', 'a-b', 'A1', 'x'.repeat(64)])('%s is accepted', (name) => {
    expect(tool(name).name).toBe(name)
  })

  test.each(['', 'has.dot', 'has/slash', 'has space', 'ünï', 'x'.repeat(65)])(
    '%j is refused at definition time',
    (name) => {
      expect(() => tool(name)).toThrow(/must match/)
    },
  )

  test('two tools with one name are refused', () => {
    expect(() => toolSet([tool('a'), tool('a')])).toThrow(/Two tools are named "a"/)
  })
})

describe('R-SF-3 tool schemas', () => {
  test('a tool needs a description', () => {
    expect(() => defineTool({ name: 'n', description: ' ', run: () => '' })).toThrow(/description/)
  })

  test('the input schema must be an object schema', () => {
    const input = v.string() as unknown as v.GenericSchema<Record<string, unknown>>
    expect(() => defineTool({ name: 'n', description: 'd', input, run: () => '' })).toThrow(
      /object schema/,
    )
  })

  test('a tool without input lists {type: object, additionalProperties: false}', () => {
    const described = tool('n').describe(rules('2025-11-25'))
    expect(described.inputSchema).toEqual({
      type: 'object',
      properties: {},
      required: [],
      additionalProperties: false,
    })
  })
})

describe('R-HT-38 header parameters are checked at definition time', () => {
  const input = v.strictObject({ n: v.number(), s: v.string(), t: v.string() })
  test.each([
    [{ n: 'N' }, /must be a string, integer or boolean/],
    [{ s: 'Bad Name' }, /unique HTTP token/],
    [{ s: 'Same', t: 'same' }, /unique HTTP token/],
  ])('%j is refused', (headerParams, message) => {
    expect(() =>
      defineTool({ name: 'x', description: 'd', input, headerParams, run: () => '' }),
    ).toThrow(message)
  })
})
