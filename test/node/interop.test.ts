// Interoperability: the official TypeScript SDK client against the Worker under `wrangler dev`,
// once per protocol revision the SDK and bare-mcp both speak over Streamable HTTP.

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ErrorCode, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { recorder, type Recorder } from './helpers.ts'

const VERSIONS = ['2025-03-26', '2025-06-18', '2025-11-25'] as const
type Version = (typeof VERSIONS)[number]

/** Per SDK request: fail fast instead of waiting for the SDK's 60 s default. */
const REQUEST = { timeout: 10_000 }
/** Per test. */
const TEST_TIMEOUT_MS = 15_000

/** Structured output (`outputSchema` + `structuredContent`) exists from 2025-06-18 on. */
const hasStructuredContent = (version: Version) => version >= '2025-06-18'

describe.each(VERSIONS)('official SDK client speaking %s', (version) => {
  const url = new URL(`${inject('mcpUrl')}/mcp`)
  let wire: Recorder
  let client: Client

  beforeAll(async () => {
    wire = recorder(version)
    client = new Client({ name: 'bare-mcp-interop', version: '0.0.0' })
    const transport = new StreamableHTTPClientTransport(url, { fetch: wire.fetch })
    await client.connect(transport, REQUEST)
  })

  afterAll(async () => {
    await client?.close()
  })

  test('initialize negotiates the offered version', { timeout: TEST_TIMEOUT_MS }, async () => {
    expect(client.getServerVersion()?.name).toBe('bare-mcp')
    const [first] = wire.exchanges
    expect(first?.rpcMethod).toBe('initialize')
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({ params: { protocolVersion: version } })
    expect(first?.status).toBe(200)
    expect(await wire.initializeResponse()).toMatchObject({
      jsonrpc: '2.0',
      result: { protocolVersion: version, serverInfo: { name: 'bare-mcp' } },
    })
  })

  test(
    'every request after initialize carries mcp-protocol-version',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      await client.ping(REQUEST)
      const later = wire.exchanges.slice(1)
      // At least notifications/initialized and the ping above.
      expect(later.map((exchange) => exchange.rpcMethod)).toEqual(
        expect.arrayContaining(['notifications/initialized', 'ping']),
      )
      const seen = later.map((exchange) => [
        `${exchange.httpMethod} ${exchange.rpcMethod ?? '(no body)'}`,
        exchange.headers.get('mcp-protocol-version'),
      ])
      expect(seen).toEqual(seen.map(([request]) => [request, version]))
      // The server accepts each of them: 202 for notifications, 200 for requests, 405 for the
      // standalone GET stream (no sessions).
      expect(
        wire.exchanges.find((exchange) => exchange.rpcMethod === 'notifications/initialized')
          ?.status,
      ).toBe(202)
      expect(wire.exchanges.findLast((exchange) => exchange.rpcMethod === 'ping')?.status).toBe(200)
    },
  )

  test('ping answers with an empty result', { timeout: TEST_TIMEOUT_MS }, async () => {
    expect(await client.ping(REQUEST)).toEqual({})
  })

  test(
    'tools/list returns echo, add, count and greet with object input schemas',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const { tools, nextCursor } = await client.listTools(undefined, REQUEST)
      expect(nextCursor).toBeUndefined()
      expect(tools.map((tool) => tool.name)).toEqual([
        'echo',
        'add',
        'count',
        'greet',
        'search',
        'fetch',
      ])
      for (const tool of tools) expect(tool.inputSchema.type).toBe('object')
      const add = tools.find((tool) => tool.name === 'add')
      if (hasStructuredContent(version)) expect(add?.outputSchema?.type).toBe('object')
      else expect(add?.outputSchema).toBeUndefined()
    },
  )

  test.each([
    { name: 'echo', args: { text: 'hi' }, text: 'hi', structured: undefined },
    {
      name: 'add',
      args: { a: 2, b: 3 },
      text: '{"sum":5}',
      structured: hasStructuredContent(version) ? { sum: 5 } : undefined,
    },
  ])('tools/call $name', { timeout: TEST_TIMEOUT_MS }, async ({ name, args, text, structured }) => {
    const result = await client.callTool({ name, arguments: args }, undefined, REQUEST)
    expect(result.isError ?? false).toBe(false)
    expect(result.content).toEqual([{ type: 'text', text }])
    if (structured === undefined) expect(result).not.toHaveProperty('structuredContent')
    else expect(result.structuredContent).toEqual(structured)
  })

  test('tools/call count reports progress 1, 2, 3 of 3', { timeout: TEST_TIMEOUT_MS }, async () => {
    const progress: Progress[] = []
    const result = await client.callTool(
      { name: 'count', arguments: { to: 3, delayMs: 10 } },
      undefined,
      {
        ...REQUEST,
        onprogress: (update) => void progress.push(update),
      },
    )
    expect(progress.map(({ progress, total }) => ({ progress, total }))).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ])
    expect(result.isError ?? false).toBe(false)
    expect(result.content).toEqual([{ type: 'text', text: 'Counted to 3.' }])
  })

  test(
    'tools/call of an unknown tool is a -32602 protocol error',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const call = client.callTool({ name: 'no-such-tool', arguments: {} }, undefined, REQUEST)
      await expect(call).rejects.toBeInstanceOf(McpError)
      await expect(call).rejects.toMatchObject({ code: ErrorCode.InvalidParams })
      expect(ErrorCode.InvalidParams).toBe(-32602)
    },
  )
})
