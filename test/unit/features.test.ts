// Definition-time checks of resources, templates and prompts: a mistake fails at startup, never
// at the client.

import * as v from 'valibot'
import { describe, expect, test } from 'vitest'
import { definePrompt } from '../../src/prompts/define.ts'
import { promptSet } from '../../src/prompts/prompt-set.ts'
import { rules } from '../../src/protocol/revisions.ts'
import {
  defineResource,
  defineResourceTemplate,
  type ResourceSpec,
} from '../../src/resources/define.ts'
import { resourceSet } from '../../src/resources/resource-set.ts'
import { UriTemplateError } from '../../src/resources/uri-template.ts'

const resource = (spec: Partial<ResourceSpec>) =>
  defineResource({ uri: 'test://a', name: 'a', description: 'd', read: () => '', ...spec })

describe('R-SF-21 resources are checked when defined', () => {
  test.each([
    [{ uri: 'relative/path' }, /absolute URI/],
    [{ uri: 'test://a b' }, /absolute URI/],
    [{ name: ' ' }, /needs a name/],
    [{ description: '' }, /needs a description/],
    [{ size: -1 }, /size/],
    [{ size: 1.5 }, /size/],
    [{ annotations: { priority: 2 } }, /priority/],
    [{ annotations: { audience: ['robot' as 'user'] } }, /audience/],
    [{ annotations: { lastModified: 'yesterday' } }, /lastModified/],
    [{ icons: [{ src: '' }] }, /icon/],
  ] as const)('%j is refused', (spec, message) => {
    expect(() => resource(spec as Partial<ResourceSpec>)).toThrow(message)
  })

  test('two resources at one URI are refused', () => {
    expect(() => resourceSet([resource({}), resource({})])).toThrow(/Two resources/)
  })

  test('annotations without audience or priority before 2025-06-18 are left out whole', () => {
    const described = resource({ annotations: { lastModified: '2025-01-12T15:00:58Z' } })
    expect(described.describe(rules('2025-03-26'))).not.toHaveProperty('annotations')
    expect(described.describe(rules('2025-06-18'))).toHaveProperty('annotations', {
      lastModified: '2025-01-12T15:00:58Z',
    })
  })
})

describe('R-SF-22 resource templates are checked when defined', () => {
  const template = (uriTemplate: string, complete?: Record<string, () => string[]>) =>
    defineResourceTemplate({
      uriTemplate,
      name: 't',
      description: 'd',
      ...(complete === undefined ? {} : { complete }),
      read: () => null,
    })

  test('a template that is not RFC 6570 level 1-3 is refused', () => {
    expect(() => template('test://{id')).toThrow(UriTemplateError)
    expect(() => template('test://{id:3}')).toThrow(/level 4/)
  })

  test('a template without variables is refused', () => {
    expect(() => template('test://static')).toThrow(/defineResource/)
  })

  test('completion for a variable the template lacks is refused', () => {
    expect(() => template('test://{id}', { name: () => [] })).toThrow(/not one of its variables/)
  })

  test('two equal templates are refused', () => {
    expect(() => resourceSet([], [template('test://{id}'), template('test://{id}')])).toThrow(
      /Two resource templates/,
    )
  })
})

describe('R-SF-30 prompts are checked when defined', () => {
  test('a prompt needs a name and a description', () => {
    expect(() => definePrompt({ name: '', description: 'd', get: () => '' })).toThrow(/name/)
    expect(() => definePrompt({ name: 'p', description: ' ', get: () => '' })).toThrow(
      /description/,
    )
  })

  test('arguments that are not strings are refused', () => {
    const args = v.object({ n: v.number() }) as unknown as v.GenericSchema<Record<string, string>>
    expect(() =>
      definePrompt({ name: 'p', description: 'd', arguments: args, get: () => '' }),
    ).toThrow(/argument "n" must be a string schema/)
  })

  test('completion for an argument the prompt lacks is refused', () => {
    expect(() =>
      definePrompt({
        name: 'p',
        description: 'd',
        arguments: v.object({ a: v.string() }),
        complete: { b: () => [] } as never,
        get: () => '',
      }),
    ).toThrow(/not one of its arguments/)
  })

  test('two prompts with one name are refused', () => {
    const prompt = definePrompt({ name: 'p', description: 'd', get: () => '' })
    expect(() => promptSet([prompt, prompt])).toThrow(/Two prompts/)
  })

  test('arguments are listed from the schema: name, title, description, required', () => {
    const prompt = definePrompt({
      name: 'p',
      description: 'd',
      arguments: v.object({
        a: v.pipe(v.string(), v.title('A'), v.description('The a.')),
        b: v.optional(v.string()),
      }),
      get: () => '',
    })
    expect(prompt.describe(rules('2025-06-18')).arguments).toEqual([
      { name: 'a', title: 'A', description: 'The a.', required: true },
      { name: 'b', required: false },
    ])
    expect(prompt.describe(rules('2025-03-26')).arguments).toEqual([
      { name: 'a', description: 'The a.', required: true },
      { name: 'b', required: false },
    ])
  })
})
