// Tools that exist only to exercise the framework's rules in tests.

import * as v from 'valibot'
import { audio, image, resource, resourceLink, text } from '../../src/protocol/content.ts'
import { defineTool, ToolError, type Tool } from '../../src/tools/define.ts'

export const boom = defineTool({
  name: 'boom',
  description: 'Throws an unexpected error whose message must never reach the client.',
  run: () => {
    throw new Error('secret: db password is hunter2')
  },
})

export const refuse = defineTool({
  name: 'refuse',
  description: 'Fails on purpose with a message meant for the client.',
  run: () => {
    throw new ToolError('City not found')
  },
})

export const hang = defineTool({
  name: 'hang',
  description: 'Never finishes and ignores its abort signal.',
  run: () => new Promise<string>(() => {}),
})

export const badOutput = defineTool({
  name: 'bad_output',
  description: 'Returns structured output that does not match its output schema.',
  output: v.object({ n: v.number() }),
  run: () => ({ structuredContent: { n: 'not a number' } as unknown as { n: number } }),
})

export const errorWithStructure = defineTool({
  name: 'error_with_structure',
  description: 'Returns an error result that (wrongly) carries structured content.',
  output: v.object({ n: v.number() }),
  run: () => ({ isError: true, content: [text('failed')], structuredContent: { n: 1 } }),
})

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

export const media = defineTool({
  name: 'media',
  description: 'Returns one content block of every type.',
  run: () => ({
    content: [
      text('hello'),
      image(PNG, 'image/png'),
      audio('UklGRg==', 'audio/wav'),
      resource({ uri: 'test://doc', mimeType: 'text/plain', text: 'embedded' }),
      resourceLink({ uri: 'test://linked', name: 'linked', title: 'Linked doc' }),
    ],
  }),
})

export const jumpy = defineTool({
  name: 'jumpy',
  description: 'Reports progress that goes backwards and sideways.',
  run: (_, ctx) => {
    for (const n of [1, 1, 0.5, 2, Number.NaN, 3]) ctx.progress(n, 3, `at ${n}`)
    return 'done'
  },
})

/** A tool whose listing throws: the server's own bug, which must surface as -32603. */
export const brokenListing: Tool = {
  ...defineTool({ name: 'broken', description: 'x', run: () => '' }),
  describe: () => {
    throw new Error('secret detail')
  },
}

/** Records what happened to calls of `watch`, so tests can see a cancellation. */
export const watched = { aborted: 0, finished: 0 }

export const watch = defineTool({
  name: 'watch',
  description:
    'Reports progress every 20 ms for up to `ms` milliseconds, noting if it was aborted.',
  input: v.strictObject({ ms: v.number() }),
  run: async ({ ms }, ctx) => {
    const started = Date.now()
    let step = 0
    while (Date.now() - started < ms) {
      if (ctx.signal.aborted) {
        watched.aborted++
        throw ctx.signal.reason
      }
      ctx.progress(++step)
      await scheduler.wait(20)
    }
    watched.finished++
    return 'finished'
  },
})

export const confirm = defineTool({
  name: 'confirm',
  description: 'Asks the client to confirm an item, twice over two rounds.',
  input: v.strictObject({ item: v.string() }),
  run: async ({ item }, ctx) => {
    const first = await ctx.ask({
      method: 'elicitation/create',
      params: { message: `Confirm ${item}?`, requestedSchema: { type: 'object', properties: {} } },
    })
    const second = await ctx.ask({
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 5 },
    })
    return `${item}: ${String(first.action)}, ${String(second.model)}`
  },
})

export const TEST_TOOLS = [
  boom,
  refuse,
  hang,
  badOutput,
  errorWithStructure,
  media,
  jumpy,
  watch,
  confirm,
]

/** Mirrors three arguments into Mcp-Param-* headers (2026-07-28). */
export const route = defineTool({
  name: 'route',
  description: 'Echoes where it would route.',
  input: v.strictObject({
    region: v.optional(v.string()),
    shard: v.optional(v.pipe(v.number(), v.integer())),
    dry: v.optional(v.boolean()),
  }),
  headerParams: { region: 'Region', shard: 'Shard', dry: 'Dry-Run' },
  run: ({ region }) => `routed to ${region ?? 'anywhere'}`,
})
