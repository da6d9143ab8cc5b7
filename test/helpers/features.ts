// Resources, templates and prompts that exist only to exercise the framework's rules in tests.

import * as v from 'valibot'
import { completeFrom } from '../../src/protocol/completer.ts'
import { definePrompt, assistant, user } from '../../src/prompts/define.ts'
import {
  defineResource,
  defineResourceTemplate,
  type ResourceContents,
} from '../../src/resources/define.ts'
import { audio, image, resource, resourceLink } from '../../src/protocol/content.ts'

export const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

const ICON = { src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'] }

export const staticText = defineResource({
  uri: 'test://static-text',
  name: 'static-text',
  title: 'Static text',
  description: 'A text resource.',
  mimeType: 'text/plain',
  size: 26,
  annotations: { audience: ['assistant'], priority: 0.5, lastModified: '2025-01-12T15:00:58Z' },
  icons: [ICON],
  read: () => 'This is a static resource.',
})

export const staticBinary = defineResource({
  uri: 'test://static-binary',
  name: 'static-binary',
  description: 'A PNG given as a base64 string.',
  mimeType: 'image/png',
  read: () => ({ blob: PNG }),
})

export const several = defineResource({
  uri: 'test://several',
  name: 'several',
  description: 'Two contents: one text with its own type and URI, one blob from bytes.',
  read: () => [
    { uri: 'test://several/a.json', mimeType: 'application/json', text: '{"a":1}' },
    { blob: new Uint8Array([0, 1, 2, 253, 254, 255]) },
  ],
})

export const missing = defineResource({
  uri: 'test://missing',
  name: 'missing',
  description: 'Listed, but read returns null: not found.',
  read: () => null,
})

export const empty = defineResource({
  uri: 'test://empty',
  name: 'empty',
  description: 'Returns an empty list, which must never reach the client.',
  read: () => [] as unknown as [ResourceContents],
})

export const broken = defineResource({
  uri: 'test://broken',
  name: 'broken',
  description: 'Throws an error whose message must never reach the client.',
  read: () => {
    throw new Error('secret: db password is hunter2')
  },
})

export const badBlob = defineResource({
  uri: 'test://bad-blob',
  name: 'bad-blob',
  description: 'Returns a blob that is not base64.',
  read: () => ({ blob: 'not base64!' }),
})

export const dataTemplate = defineResourceTemplate({
  uriTemplate: 'test://template/{id}/data',
  name: 'data',
  title: 'Data by id',
  description: 'JSON data for an id.',
  mimeType: 'application/json',
  annotations: { priority: 1, lastModified: '2025-01-12T15:00:58Z' },
  icons: [ICON],
  complete: {
    // 150 candidates: more than one answer may carry.
    id: (value) =>
      Array.from({ length: 150 }, (_, i) => String(i)).filter((id) => id.startsWith(value)),
  },
  read: (_uri, { id }) => JSON.stringify({ id, data: `Data for ID: ${id}` }),
})

export const searchTemplate = defineResourceTemplate({
  uriTemplate: 'test://search{?q,lang}',
  name: 'search',
  description: 'A query in the URI (level 3).',
  read: (_uri, { q, lang }) => `q=${q ?? '(none)'} lang=${lang ?? '(none)'}`,
})

const REPOS: Record<string, string[]> = {
  modelcontextprotocol: ['modelcontextprotocol', 'typescript-sdk', 'python-sdk'],
  cloudflare: ['workers-sdk', 'workerd'],
}

export const repoTemplate = defineResourceTemplate({
  uriTemplate: 'test://repo/{owner}/{repo}',
  name: 'repo',
  description: 'A repository; the repo completion depends on the owner already chosen.',
  complete: {
    owner: completeFrom(Object.keys(REPOS)),
    repo: (value, { arguments: chosen }) => {
      const repos = REPOS[chosen.owner ?? ''] ?? Object.values(REPOS).flat()
      return { values: repos.filter((repo) => repo.startsWith(value)), hasMore: false }
    },
  },
  read: (_uri, { owner, repo }) => (owner! in REPOS ? `${owner}/${repo}` : null),
})

export const pagedTemplate = defineResourceTemplate({
  uriTemplate: 'test://paged/{word}',
  name: 'paged',
  description: 'Completion that knows there is more but not how much.',
  complete: {
    word: () => ({ values: ['alpha', 'beta'], hasMore: true }),
  },
  read: (_uri, { word }) => word ?? null,
})

export const throwingTemplate = defineResourceTemplate({
  uriTemplate: 'test://throwing/{x}',
  name: 'throwing',
  description: 'Its completion throws.',
  complete: {
    x: () => {
      throw new Error('secret: completion internals')
    },
  },
  read: () => null,
})

export const askingTemplate = defineResourceTemplate({
  uriTemplate: 'test://secret/{name}',
  name: 'secret',
  description: 'Asks the user to confirm before it can be read.',
  mimeType: 'text/plain',
  read: async (_uri, { name }, ctx) => {
    const answer = await ctx.ask({
      method: 'elicitation/create',
      params: {
        message: `Reveal the secret of ${name}?`,
        requestedSchema: { type: 'object', properties: {} },
      },
    })
    return answer.action === 'accept' ? `The secret of ${name}` : null
  },
})

export const TEST_RESOURCES = [staticText, staticBinary, several, missing, empty, broken, badBlob]
export const TEST_TEMPLATES = [
  dataTemplate,
  searchTemplate,
  repoTemplate,
  pagedTemplate,
  throwingTemplate,
  askingTemplate,
]

export const simplePrompt = definePrompt({
  name: 'test_simple_prompt',
  description: 'A prompt without arguments.',
  get: () => 'This is a simple prompt for testing.',
})

export const argumentsPrompt = definePrompt({
  name: 'test_prompt_with_arguments',
  title: 'With arguments',
  description: 'A prompt with two required arguments and one optional.',
  icons: [ICON],
  arguments: v.strictObject({
    arg1: v.pipe(v.string(), v.title('First'), v.description('First test argument')),
    arg2: v.pipe(v.string(), v.minLength(2), v.description('Second test argument')),
    arg3: v.optional(v.string()),
  }),
  complete: {
    arg1: completeFrom(['testValue1', 'testValue2', 'other']),
    arg3: (value, { arguments: chosen }) => [`${chosen.arg1 ?? 'none'}-${value}`],
  },
  get: ({ arg1, arg2 }) => ({
    description: 'Filled in',
    messages: [
      user(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`),
      assistant('Understood.'),
    ],
  }),
})

export const mediaPrompt = definePrompt({
  name: 'media_prompt',
  description: 'One message per content type.',
  get: () => [
    user(image(PNG, 'image/png')),
    user(audio('UklGRg==', 'audio/wav')),
    user(resource({ uri: 'test://example-resource', mimeType: 'text/plain', text: 'Embedded' })),
    user(resourceLink({ uri: 'test://static-text', name: 'static-text', title: 'Static text' })),
  ],
})

export const badRolePrompt = definePrompt({
  name: 'bad_role',
  description: 'Returns a message with a role that does not exist.',
  get: () => [{ role: 'system' as 'user', content: { type: 'text', text: 'x' } }],
})

export const throwingPrompt = definePrompt({
  name: 'throwing_prompt',
  description: 'Throws an error whose message must never reach the client.',
  get: () => {
    throw new Error('secret: prompt internals')
  },
})

export const askingPrompt = definePrompt({
  name: 'test_input_required_result_prompt',
  description: 'Asks the user for context first (MRTR in 2026-07-28).',
  arguments: v.object({ topic: v.optional(v.string()) }),
  get: async (_, ctx) => {
    const answer = await ctx.ask({
      method: 'elicitation/create',
      params: {
        message: 'What context should the prompt use?',
        requestedSchema: {
          type: 'object',
          properties: { context: { type: 'string' } },
          required: ['context'],
        },
      },
    })
    const content = answer.content as { context?: string } | undefined
    return `Use this context: ${content?.context ?? '(none)'}`
  },
})

export const TEST_PROMPTS = [
  simplePrompt,
  argumentsPrompt,
  mediaPrompt,
  badRolePrompt,
  throwingPrompt,
  askingPrompt,
]
