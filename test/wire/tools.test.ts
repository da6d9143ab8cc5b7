// Tools on the wire: listing and pagination, tool objects per revision, calling, the two kinds of
// failure, structured output, content types, progress and logging.

import { describe, expect, test } from 'vitest'
import type { Revision } from '../../src/protocol/revisions.ts'
import { defineTool } from '../../src/tools/define.ts'
import { TOOLS } from '../../src/tools/index.ts'
import {
  has,
  legacyRequest,
  requestIn,
  result,
  resultIn,
  REVISIONS,
  rpcError,
  statusIn,
  toolError,
} from '../helpers/eras.ts'
import {
  initializeRequest,
  messages,
  post,
  reply,
  rpc,
  send,
  serverWith,
  toolCall,
  wireTable,
  type RawRequest,
  type Target,
  type WireCase,
} from '../helpers/wire.ts'
import { brokenListing, TEST_TOOLS } from '../helpers/tools.ts'

const TEST_SERVER = serverWith(TEST_TOOLS, { TOOL_TIMEOUT_MS: '1000' })

const ADD_INPUT = {
  type: 'object',
  properties: {
    a: { type: 'number', description: 'The first addend.' },
    b: { type: 'number', description: 'The second addend.' },
  },
  required: ['a', 'b'],
  additionalProperties: false,
}
const ADD_OUTPUT = {
  type: 'object',
  properties: { sum: { type: 'number', description: 'a + b' } },
  required: ['sum'],
  additionalProperties: false,
}
const ADD_ANNOTATIONS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}
const ADD_DESCRIPTION = 'Adds two numbers and returns their sum as structured output.'

/** `add` as `revision` lists it: each field from the revision that introduced it. */
const addListed = (revision: Revision) => ({
  name: 'add',
  ...(has(revision, 'titles') ? { title: 'Add two numbers' } : {}),
  description: ADD_DESCRIPTION,
  inputSchema: ADD_INPUT,
  ...(has(revision, 'structuredContent') ? { outputSchema: ADD_OUTPUT } : {}),
  ...(has(revision, 'toolAnnotations') ? { annotations: ADD_ANNOTATIONS } : {}),
})

const ICON = { src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'] }
/** A tool with an icon, which only revisions with icons list. */
const iconic = defineTool({
  name: 'iconic',
  description: 'Has an icon.',
  icons: [ICON],
  run: () => '',
})

type Listing = {
  result: { tools: { name: string; annotations?: Record<string, unknown> }[]; nextCursor?: string }
}

const listTools = async (
  revision: Revision,
  params: Record<string, unknown> = {},
  target: Target = serverWith(TOOLS),
) => (await reply<Listing>(requestIn(revision, 'tools/list', params), target)).body

describe('tools/list', () => {
  test('R-SF-1 the tools capability is declared', async () => {
    const res = await rpc(initializeRequest('2025-11-25'))
    const body = (await res.json()) as { result: { capabilities: { tools?: unknown } } }
    expect(body.result.capabilities.tools).toEqual({ listChanged: false })
  })

  describe.each(REVISIONS)('%s', (revision) => {
    test('R-SF-3 lists the tool object of its revision: annotations, then title and outputSchema, then icons', async () => {
      const { result } = await listTools(revision, {}, serverWith([...TOOLS, iconic]))
      expect(result.tools.find((tool) => tool.name === 'add')).toEqual(addListed(revision))
      expect(result.tools.find((tool) => tool.name === 'iconic')).toEqual({
        name: 'iconic',
        description: 'Has an icon.',
        inputSchema: expect.objectContaining({ type: 'object' }),
        ...(has(revision, 'icons') ? { icons: [ICON] } : {}),
      })
    })

    test('R-SF-5 annotations where the revision has them, each tool stating the hints whose defaults are the risky reading', async () => {
      const { result } = await listTools(revision)
      for (const tool of result.tools) {
        if (!has(revision, 'toolAnnotations')) {
          expect(tool.annotations, tool.name).toBeUndefined()
          continue
        }
        // Defaults: readOnlyHint false, destructiveHint true, openWorldHint true.
        for (const hint of ['readOnlyHint', 'destructiveHint', 'openWorldHint']) {
          expect(typeof tool.annotations?.[hint], `${tool.name} ${hint}`).toBe('boolean')
        }
      }
    })
  })

  test('R-SF-2 pages follow nextCursor to the end, and the last page has none', async () => {
    const target = serverWith(TOOLS, { PAGE_SIZE: '1' })
    const names: string[] = []
    let cursor: string | undefined
    for (let pages = 0; pages < 10; pages++) {
      const { result } = await listTools(
        '2025-11-25',
        cursor === undefined ? {} : { cursor },
        target,
      )
      expect(result.tools).toHaveLength(1)
      names.push(...result.tools.map((tool) => tool.name))
      cursor = result.nextCursor
      if (cursor === undefined) break
    }
    expect(names).toEqual(['echo', 'add', 'count', 'greet', 'search', 'fetch'])
  })

  wireTable([
    {
      rule: 'R-SF-2',
      name: 'a cursor we did not issue is -32602',
      request: post(
        '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"bm90LWEtY3Vyc29y"}}',
      ),
      expect: { status: 200, json: rpcError(-32602, 'Invalid cursor') },
    },
    {
      rule: 'R-SF-2',
      name: 'a cursor past the end is -32602',
      request: post(
        '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"eyJvIjo5OX0"}}',
      ),
      expect: { status: 200, json: rpcError(-32602, 'Invalid cursor') },
    },
    {
      rule: 'R-SF-2',
      name: 'a cursor that is not a string is -32602',
      request: post('{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":5}}'),
      expect: {
        status: 200,
        json: rpcError(-32602, 'tools/list: "params.cursor" must be a string'),
      },
    },
    {
      rule: 'R-JR-12',
      name: 'a failure inside the server is -32603 with no details',
      request: post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}'),
      target: serverWith([brokenListing]),
      expect: {
        status: 200,
        body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error"}}',
      },
    },
  ])
})

describe('tools/call', () => {
  wireTable([
    {
      rule: 'R-SF-6',
      name: 'a tool returning text',
      request: legacyRequest('tools/call', toolCall('echo', { text: 'héllo ✓' })),
      expect: { status: 200, json: result({ content: [{ type: 'text', text: 'héllo ✓' }] }) },
    },
    {
      rule: 'R-SF-7',
      name: 'an unknown tool is a protocol error (-32602)',
      request: legacyRequest('tools/call', toolCall('nope', {})),
      expect: { status: 200, json: rpcError(-32602, 'Unknown tool: nope') },
    },
    {
      rule: 'R-SF-7',
      name: 'unknown arguments of a strict input schema are refused',
      request: legacyRequest('tools/call', toolCall('echo', { text: 'a', extra: 1 })),
      expect: {
        status: 200,
        json: toolError(
          'Invalid arguments for tool echo: "arguments.extra" Invalid key: Expected never but received "extra"',
        ),
      },
    },
    {
      rule: 'R-SF-7',
      name: 'arguments that are not an object are -32602',
      request: legacyRequest('tools/call', toolCall('echo', ['a'])),
      expect: {
        status: 200,
        json: rpcError(-32602, 'tools/call: "params.arguments" must be an object'),
      },
    },
    {
      rule: 'R-SF-7',
      name: 'a tool that throws unexpectedly gives a safe, generic tool error',
      request: legacyRequest('tools/call', toolCall('boom', {})),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('Tool boom failed with an internal error') },
    },
    {
      rule: 'R-SF-7',
      name: 'a ToolError message reaches the client',
      request: legacyRequest('tools/call', toolCall('refuse', {})),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('City not found') },
    },
    {
      rule: 'R-JR-22',
      name: 'a call running past TOOL_TIMEOUT_MS is stopped and reported',
      request: legacyRequest('tools/call', toolCall('hang', {})),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('Tool hang timed out after 1000 ms') },
    },
    {
      rule: 'R-SF-8',
      name: 'output that breaks the outputSchema is never sent; a tool error is',
      request: legacyRequest('tools/call', toolCall('bad_output', {})),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: toolError('Tool bad_output returned output that does not match its outputSchema'),
      },
    },
    {
      rule: 'R-SF-8',
      name: 'an error result carries no structuredContent',
      request: legacyRequest('tools/call', toolCall('error_with_structure', {})),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('failed') },
    },
  ] satisfies WireCase[])

  describe.each(REVISIONS)('%s', (revision) => {
    test.each([
      [{ a: 1, b: 'two' }, '"arguments.b" Invalid type: Expected number but received "two"'],
      [{ a: 1 }, '"arguments.b" is required'],
    ])(
      'R-SF-7 invalid arguments %j: a tool error the model can read where the revision says so, else -32602',
      async (args, problem) => {
        const request = requestIn(revision, 'tools/call', toolCall('add', args))
        const message = `Invalid arguments for tool add: ${problem}`
        const { status, body } = await reply(request)
        if (has(revision, 'argumentErrorsAsToolErrors')) {
          expect({ status, body }).toEqual({ status: 200, body: toolError(message, revision) })
        } else {
          expect({ status, body }).toEqual({
            status: statusIn(revision, -32602),
            body: rpcError(-32602, message),
          })
        }
      },
    )

    test('R-SF-8 structuredContent with its JSON text mirror where the revision has it, else only the mirror', async () => {
      const res = await send(requestIn(revision, 'tools/call', toolCall('add', { a: 2, b: 3 })))
      const text = await res.text()
      const mirror = { content: [{ type: 'text', text: '{"sum":5}' }] }
      expect(JSON.parse(text)).toEqual(
        resultIn(
          revision,
          has(revision, 'structuredContent')
            ? { ...mirror, structuredContent: { sum: 5 } }
            : mirror,
        ),
      )
      if (revision === '2025-11-25') {
        expect(text).toBe(
          '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{\\"sum\\":5}"}],"structuredContent":{"sum":5}}}',
        )
      }
    })

    test('R-SF-6 every content block the revision knows, and a text note for newer ones', async () => {
      const res = await send(requestIn(revision, 'tools/call', toolCall('media', {})), TEST_SERVER)
      const content = [
        { type: 'text', text: 'hello' },
        { type: 'image', data: expect.any(String), mimeType: 'image/png' },
        has(revision, 'audioContent')
          ? { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' }
          : { type: 'text', text: '[audio (audio/wav) needs protocol 2025-03-26 or later]' },
        {
          type: 'resource',
          resource: { uri: 'test://doc', mimeType: 'text/plain', text: 'embedded' },
        },
        has(revision, 'resourceLinks')
          ? { type: 'resource_link', uri: 'test://linked', name: 'linked', title: 'Linked doc' }
          : { type: 'text', text: 'Linked doc: test://linked' },
      ]
      expect(await res.json()).toEqual(resultIn(revision, { content }))
    })
  })
})

describe('progress and logging', () => {
  const stream = async (request: RawRequest, target: Target = TEST_SERVER) =>
    messages(await send(request, target))

  test('R-JR-19 no progressToken, no progress notifications', async () => {
    const sent = await stream(
      legacyRequest('tools/call', toolCall('count', { to: 2, delayMs: 0 })),
      serverWith(TOOLS, { LOG_LEVEL: 'error' }),
    )
    expect(sent).toEqual([result({ content: [{ type: 'text', text: 'Counted to 2.' }] })])
  })

  describe.each(REVISIONS)('%s', (revision) => {
    test('R-JR-19 progress only ever increases (repeats, steps back and NaN are dropped), with a message where the revision has one', async () => {
      const request = requestIn(revision, 'tools/call', toolCall('jumpy', {}), {
        meta: { progressToken: 42 },
      })
      expect(await stream(request)).toEqual([
        ...[1, 2, 3].map((n) => ({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: {
            progressToken: 42,
            progress: n,
            total: 3,
            ...(has(revision, 'progressMessage') ? { message: `at ${n}` } : {}),
          },
        })),
        resultIn(revision, { content: [{ type: 'text', text: 'done' }] }),
      ])
    })
  })

  test('R-JR-19 a progressToken that is neither string nor integer is -32602', async () => {
    const sent = await stream(
      legacyRequest('tools/call', toolCall('jumpy', {}, { progressToken: 1.5 })),
    )
    expect(sent).toEqual([
      rpcError(-32602, 'tools/call: "params._meta.progressToken" must be a string or an integer'),
    ])
  })

  test('R-SF-31 messages below LOG_LEVEL are not sent', async () => {
    const sent = await stream(
      legacyRequest('tools/call', toolCall('count', { to: 1, delayMs: 0 })),
      serverWith(TOOLS, { LOG_LEVEL: 'debug' }),
    )
    expect(sent.map((m) => (m as { params?: { level?: string } }).params?.level)).toEqual([
      'debug',
      'info',
      undefined,
    ])
  })

  wireTable([
    {
      rule: 'R-SF-31',
      name: 'logging/setLevel with a known level is an empty result',
      request: post(
        '{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"debug"}}',
      ),
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":1,"result":{}}' },
    },
    {
      rule: 'R-SF-31',
      name: 'logging/setLevel with an unknown level is -32602',
      request: post(
        '{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"loud"}}',
      ),
      expect: {
        status: 200,
        json: rpcError(
          -32602,
          'logging/setLevel: "params.level" must be one of debug, info, notice, warning, error, critical, alert, emergency',
        ),
      },
    },
  ])
})
