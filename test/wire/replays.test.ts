// Client-profile replays (CLIENTS.md C1-C3): what the OpenAI Responses API and ChatGPT send,
// and what they need back, through the deployed catalog.

import { describe, expect, test } from 'vitest'
import { messages, send } from '../helpers/wire.ts'

const OPENAI = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'user-agent': 'openai-mcp/1.0.0',
}

const rpcAt = async (path: string, message: unknown, headers: Record<string, string> = {}) => {
  const res = await send({
    path,
    headers: { ...OPENAI, ...headers },
    body: JSON.stringify(message),
  })
  return { res, sent: await messages(res) }
}

type ToolsList = {
  result: {
    tools: {
      name: string
      inputSchema: { type: string }
      annotations?: { readOnlyHint?: boolean }
    }[]
  }
}

describe('OpenAI Responses API import', () => {
  test.each([
    ['no version header', {}],
    ['2024-11-05 header (seen from the Realtime API)', { 'mcp-protocol-version': '2024-11-05' }],
    ['2025-03-26 header', { 'mcp-protocol-version': '2025-03-26' }],
    ['2025-11-25 header', { 'mcp-protocol-version': '2025-11-25' }],
  ])(
    'BM-REPLAY-1 tools/list never fails (%s), and every tool is importable',
    async (_, headers) => {
      const { res, sent } = await rpcAt(
        '/mcp',
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        headers,
      )
      expect(res.status).toBe(200)
      const [list] = sent as ToolsList[]
      expect(list!.result.tools.length).toBeGreaterThan(0)
      for (const tool of list!.result.tools) {
        // Usable in `allowed_tools` (OpenAI rejects other names) and as `input_schema`.
        expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
        expect(tool.inputSchema.type).toBe('object')
      }
    },
  )

  test('BM-REPLAY-1 readOnlyHint is set on every tool, so require_approval {never: {read_only: true}} can work', async () => {
    const { sent } = await rpcAt(
      '/mcp',
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-protocol-version': '2025-11-25' },
    )
    const [list] = sent as ToolsList[]
    for (const tool of list!.result.tools)
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe('boolean')
  })

  test('BM-REPLAY-1 answers to openai-mcp are SSE-framed', async () => {
    const { res } = await rpcAt(
      '/mcp',
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'hi' } },
      },
      { 'mcp-protocol-version': '2025-11-25' },
    )
    expect(res.headers.get('content-type')).toBe('text/event-stream')
  })
})

describe('ChatGPT deep research', () => {
  test('BM-REPLAY-2 on /mcp/research it sees exactly search and fetch, and cites absolute URLs', async () => {
    const init = await rpcAt('/mcp/research', {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'openai-mcp', version: '1.0.0' },
      },
    })
    expect(init.res.status).toBe(200)
    const headers = { 'mcp-protocol-version': '2025-11-25' }
    const { sent: listed } = await rpcAt(
      '/mcp/research',
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      headers,
    )
    expect((listed[0] as ToolsList).result.tools.map((tool) => tool.name)).toEqual([
      'search',
      'fetch',
    ])

    const { sent: found } = await rpcAt(
      '/mcp/research',
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'search', arguments: { query: 'streamable http' } },
      },
      headers,
    )
    const search = (
      found.at(-1) as { result: { structuredContent: { results: { id: string; url: string }[] } } }
    ).result
    expect(search.structuredContent.results.length).toBeGreaterThan(0)
    const [first] = search.structuredContent.results
    expect(new URL(first!.url).protocol).toMatch(/^https?:$/)

    const { sent: fetched } = await rpcAt(
      '/mcp/research',
      {
        jsonrpc: '2.0',
        id: 4,
        method: 'tools/call',
        params: { name: 'fetch', arguments: { id: first!.id } },
      },
      headers,
    )
    const doc = (
      fetched.at(-1) as { result: { structuredContent: { id: string; text: string; url: string } } }
    ).result
    expect(doc.structuredContent.id).toBe(first!.id)
    expect(doc.structuredContent.text.length).toBeGreaterThan(0)
    expect(new URL(doc.structuredContent.url).protocol).toMatch(/^https?:$/)
  })
})

describe('ChatGPT post-idle GET probe', () => {
  test('BM-REPLAY-3 a sessionless GET gets the same final 405 every time: no stream that ends and invites a reconnect loop', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await send({
        method: 'GET',
        headers: { accept: 'text/event-stream', 'user-agent': 'openai-mcp/1.0.0' },
      })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('POST, OPTIONS')
      expect(res.headers.get('content-type')).toBe('application/json')
      await res.text()
    }
  })
})
