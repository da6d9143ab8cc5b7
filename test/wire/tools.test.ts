// Tools on the wire: listing and pagination, tool objects per revision, calling, the two kinds of
// failure, structured output, content types, progress and logging.

import { describe, expect, test } from 'vitest'
import { TOOLS } from '../../src/tools/index.ts'
import {
  CLIENT_HEADERS,
  initializeRequest,
  messages,
  rpc,
  serverWith,
  wireTable,
  type WireCase,
} from '../helpers/wire.ts'
import { brokenListing, TEST_TOOLS } from '../helpers/tools.ts'

const TEST_SERVER = serverWith(TEST_TOOLS, { TOOL_TIMEOUT_MS: '1000' })

const call = (name: string, args: unknown, version = '2025-11-25', meta?: unknown) => ({
  headers: { ...CLIENT_HEADERS, 'mcp-protocol-version': version },
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: meta === undefined ? { name, arguments: args } : { name, arguments: args, _meta: meta },
  }),
})
const result = (value: unknown) => ({ jsonrpc: '2.0', id: 1, result: value })
const rpcError = (code: number, message: string) => ({
  jsonrpc: '2.0',
  id: 1,
  error: { code, message },
})
const toolError = (message: string) =>
  result({ content: [{ type: 'text', text: message }], isError: true })

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

/** `add` as each revision lists it: fields appear in the revision that added them. */
const ADD_BY_REVISION: Record<string, unknown> = {
  '2024-11-05': { name: 'add', description: ADD_DESCRIPTION, inputSchema: ADD_INPUT },
  '2025-03-26': {
    name: 'add',
    description: ADD_DESCRIPTION,
    inputSchema: ADD_INPUT,
    annotations: ADD_ANNOTATIONS,
  },
  '2025-06-18': {
    name: 'add',
    title: 'Add two numbers',
    description: ADD_DESCRIPTION,
    inputSchema: ADD_INPUT,
    outputSchema: ADD_OUTPUT,
    annotations: ADD_ANNOTATIONS,
  },
}
ADD_BY_REVISION['2025-11-25'] = ADD_BY_REVISION['2025-06-18']

const listTools = async (
  version: string,
  params: Record<string, unknown> = {},
  target = serverWith(TOOLS),
) => {
  const res = await rpc(
    { jsonrpc: '2.0', id: 1, method: 'tools/list', params },
    { 'mcp-protocol-version': version },
    target,
  )
  return (await res.json()) as { result: { tools: { name: string }[]; nextCursor?: string } }
}

describe('tools/list', () => {
  test('R-SF-1 the tools capability is declared', async () => {
    const res = await rpc(initializeRequest('2025-11-25'))
    const body = (await res.json()) as { result: { capabilities: { tools?: unknown } } }
    expect(body.result.capabilities.tools).toEqual({ listChanged: false })
  })

  test.each(Object.entries(ADD_BY_REVISION))(
    'R-SF-3 %s lists the tool object of its revision',
    async (version, add) => {
      const body = await listTools(version)
      expect(body.result.tools.find((tool) => tool.name === 'add')).toEqual(add)
    },
  )

  test.each(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'])(
    'R-SF-5 %s: annotations from 2025-03-26 on, each tool stating the hints whose defaults are the risky reading',
    async (version) => {
      const body = (await listTools(version)) as {
        result: { tools: { name: string; annotations?: Record<string, unknown> }[] }
      }
      for (const tool of body.result.tools) {
        if (version === '2024-11-05') {
          expect(tool.annotations, tool.name).toBeUndefined()
          continue
        }
        // Defaults: readOnlyHint false, destructiveHint true, openWorldHint true.
        for (const hint of ['readOnlyHint', 'destructiveHint', 'openWorldHint']) {
          expect(typeof tool.annotations?.[hint], `${tool.name} ${hint}`).toBe('boolean')
        }
      }
    },
  )

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
      request: {
        headers: CLIENT_HEADERS,
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"bm90LWEtY3Vyc29y"}}',
      },
      expect: { status: 200, json: rpcError(-32602, 'Invalid cursor') },
    },
    {
      rule: 'R-SF-2',
      name: 'a cursor past the end is -32602',
      request: {
        headers: CLIENT_HEADERS,
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"eyJvIjo5OX0"}}',
      },
      expect: { status: 200, json: rpcError(-32602, 'Invalid cursor') },
    },
    {
      rule: 'R-SF-2',
      name: 'a cursor that is not a string is -32602',
      request: {
        headers: CLIENT_HEADERS,
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":5}}',
      },
      expect: {
        status: 200,
        json: rpcError(-32602, 'tools/list: "params.cursor" must be a string'),
      },
    },
    {
      rule: 'R-JR-12',
      name: 'a failure inside the server is -32603 with no details',
      request: { headers: CLIENT_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' },
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
      request: call('echo', { text: 'héllo ✓' }),
      expect: { status: 200, json: result({ content: [{ type: 'text', text: 'héllo ✓' }] }) },
    },
    {
      rule: 'R-SF-7',
      name: 'an unknown tool is a protocol error (-32602)',
      request: call('nope', {}),
      expect: { status: 200, json: rpcError(-32602, 'Unknown tool: nope') },
    },
    {
      rule: 'R-SF-7',
      name: '2025-11-25: invalid arguments are a tool error the model can read',
      request: call('add', { a: 1, b: 'two' }),
      expect: {
        status: 200,
        json: toolError(
          'Invalid arguments for tool add: "arguments.b" Invalid type: Expected number but received "two"',
        ),
      },
    },
    {
      rule: 'R-SF-7',
      name: '2025-06-18: invalid arguments are -32602',
      request: call('add', { a: 1 }, '2025-06-18'),
      expect: {
        status: 200,
        json: rpcError(-32602, 'Invalid arguments for tool add: "arguments.b" is required'),
      },
    },
    {
      rule: 'R-SF-7',
      name: 'unknown arguments of a strict input schema are refused',
      request: call('echo', { text: 'a', extra: 1 }),
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
      request: call('echo', ['a']),
      expect: {
        status: 200,
        json: rpcError(-32602, 'tools/call: "params.arguments" must be an object'),
      },
    },
    {
      rule: 'R-SF-7',
      name: 'a tool that throws unexpectedly gives a safe, generic tool error',
      request: call('boom', {}),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('Tool boom failed with an internal error') },
    },
    {
      rule: 'R-SF-7',
      name: 'a ToolError message reaches the client',
      request: call('refuse', {}),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('City not found') },
    },
    {
      rule: 'R-JR-22',
      name: 'a call running past TOOL_TIMEOUT_MS is stopped and reported',
      request: call('hang', {}),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('Tool hang timed out after 1000 ms') },
    },
    {
      rule: 'R-SF-8',
      name: 'structured output comes with its JSON text mirror',
      request: call('add', { a: 2, b: 3 }),
      expect: {
        status: 200,
        body: '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{\\"sum\\":5}"}],"structuredContent":{"sum":5}}}',
      },
    },
    {
      rule: 'R-SF-8',
      name: 'output that breaks the outputSchema is never sent; a tool error is',
      request: call('bad_output', {}),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: toolError('Tool bad_output returned output that does not match its outputSchema'),
      },
    },
    {
      rule: 'R-SF-8',
      name: 'an error result carries no structuredContent',
      request: call('error_with_structure', {}),
      target: TEST_SERVER,
      expect: { status: 200, json: toolError('failed') },
    },
    {
      rule: 'R-SF-8',
      name: 'before 2025-06-18 only the text mirror is sent',
      request: call('add', { a: 2, b: 3 }, '2025-03-26'),
      expect: { status: 200, json: result({ content: [{ type: 'text', text: '{"sum":5}' }] }) },
    },
  ] satisfies WireCase[])

  const MEDIA = [
    { type: 'text', text: 'hello' },
    { type: 'image', data: expect.any(String), mimeType: 'image/png' },
    { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' },
    { type: 'resource', resource: { uri: 'test://doc', mimeType: 'text/plain', text: 'embedded' } },
    { type: 'resource_link', uri: 'test://linked', name: 'linked', title: 'Linked doc' },
  ]
  test.each([
    ['2025-11-25', MEDIA],
    ['2025-03-26', [...MEDIA.slice(0, 4), { type: 'text', text: 'Linked doc: test://linked' }]],
    [
      '2024-11-05',
      [
        MEDIA[0],
        MEDIA[1],
        { type: 'text', text: '[audio (audio/wav) needs protocol 2025-03-26 or later]' },
        MEDIA[3],
        { type: 'text', text: 'Linked doc: test://linked' },
      ],
    ],
  ])(
    'R-SF-6 %s gets every content type it knows, and a text note for newer ones',
    async (version, content) => {
      const res = await TEST_SERVER.fetch(
        new Request('http://localhost/mcp', { method: 'POST', ...call('media', {}, version) }),
      )
      expect(await res.json()).toEqual(result({ content }))
    },
  )
})

describe('progress and logging', () => {
  const stream = async (
    request: { headers: Record<string, string>; body: string },
    target = TEST_SERVER,
  ) =>
    messages(
      await target.fetch(new Request('http://localhost/mcp', { method: 'POST', ...request })),
    )

  test('R-JR-19 no progressToken, no progress notifications', async () => {
    const sent = await stream(
      call('count', { to: 2, delayMs: 0 }),
      serverWith(TOOLS, { LOG_LEVEL: 'error' }),
    )
    expect(sent).toEqual([result({ content: [{ type: 'text', text: 'Counted to 2.' }] })])
  })

  test('R-JR-19 progress only ever increases; repeats, steps back and NaN are dropped', async () => {
    const sent = await stream(call('jumpy', {}, '2025-11-25', { progressToken: 42 }))
    expect(sent).toEqual([
      ...[1, 2, 3].map((n) => ({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 42, progress: n, total: 3, message: `at ${n}` },
      })),
      result({ content: [{ type: 'text', text: 'done' }] }),
    ])
  })

  test('R-JR-19 2024-11-05 progress has no message field', async () => {
    const sent = await stream(call('jumpy', {}, '2024-11-05', { progressToken: 't' }))
    expect(sent[0]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 't', progress: 1, total: 3 },
    })
  })

  test('R-JR-19 a progressToken that is neither string nor integer is -32602', async () => {
    const sent = await stream(call('jumpy', {}, '2025-11-25', { progressToken: 1.5 }))
    expect(sent).toEqual([
      rpcError(-32602, 'tools/call: "params._meta.progressToken" must be a string or an integer'),
    ])
  })

  test('R-SF-31 messages below LOG_LEVEL are not sent', async () => {
    const sent = await stream(
      call('count', { to: 1, delayMs: 0 }),
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
      request: {
        headers: CLIENT_HEADERS,
        body: '{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"debug"}}',
      },
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":1,"result":{}}' },
    },
    {
      rule: 'R-SF-31',
      name: 'logging/setLevel with an unknown level is -32602',
      request: {
        headers: CLIENT_HEADERS,
        body: '{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"loud"}}',
      },
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
