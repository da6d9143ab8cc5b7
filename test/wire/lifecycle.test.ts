// The initialize-era lifecycle on the wire: version negotiation, the InitializeResult, ping.

import { describe, expect, test } from 'vitest'
import { SERVER_INFO } from '../../src/protocol/server-info.ts'
import { codeReview } from '../../src/prompts/code-review.ts'
import { greeting } from '../../src/resources/greeting.ts'
import { echo } from '../../src/tools/echo.ts'
import type { LegacyRevision } from '../../src/protocol/revisions.ts'
import { has, LEGACY, legacyRequest, modernRequest } from '../helpers/eras.ts'
import {
  initializeRequest,
  post,
  rpc,
  send,
  serverWith,
  toolCall,
  wireTable,
  type Target,
} from '../helpers/wire.ts'

const CAPABILITIES = {
  logging: {},
  completions: {},
  prompts: {},
  resources: { subscribe: true, listChanged: true },
  tools: { listChanged: false },
}
const INFO = { name: 'bare-mcp', version: SERVER_INFO.version }
const TITLED = { name: 'bare-mcp', title: 'bare-mcp', version: SERVER_INFO.version }

/** The InitializeResult `version` gets: each field from the revision that introduced it. */
const expected = (version: LegacyRevision) => ({
  jsonrpc: '2.0',
  id: 1,
  result: {
    protocolVersion: version,
    capabilities: CAPABILITIES,
    serverInfo: has(version, 'titles') ? TITLED : INFO,
    instructions: SERVER_INFO.instructions,
  },
})

describe.each(LEGACY)('%s', (version) => {
  test('R-LC-2 R-LC-3 a supported version is echoed, in the InitializeResult of its revision', async () => {
    const res = await send(post(initializeRequest(version)))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(expected(version))
  })
})

describe('initialize', () => {
  wireTable([
    {
      rule: 'R-LC-3',
      name: 'an unknown version is answered with our latest, not an error',
      request: post(initializeRequest('2099-01-01')),
      expect: { status: 200, json: expected('2025-11-25') },
    },
    {
      rule: 'R-LC-3',
      name: '2026-07-28 in initialize (no _meta claim) is negotiated down to 2025-11-25',
      request: post(initializeRequest('2026-07-28')),
      expect: { status: 200, json: expected('2025-11-25') },
      why: 'Digest §3 item 14: initialize without a modern claim is always the legacy handshake.',
    },
    {
      rule: 'R-HT-17',
      name: 'MCP-Protocol-Version is not checked on initialize itself',
      request: post(initializeRequest('2025-06-18'), { 'mcp-protocol-version': '1999-01-01' }),
      expect: { status: 200, json: expected('2025-06-18') },
      why: 'Digest §3 item 5c: a 400 here reads as "legacy SSE server" to clients.',
    },
    {
      rule: 'R-LC-1',
      name: 'initialize without clientInfo is invalid params',
      request: post(
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}}',
      ),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32602, message: 'initialize: "params.clientInfo" is required' },
        },
      },
    },
    {
      rule: 'R-LC-1',
      name: 'a protocolVersion that is not a string is invalid params',
      request: post(initializeRequest(20250618)),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32602, message: 'initialize: "params.protocolVersion" must be a string' },
        },
      },
    },
    {
      rule: 'R-LC-4',
      name: 'notifications/initialized gets 202',
      request: post('{"jsonrpc":"2.0","method":"notifications/initialized"}'),
      expect: { status: 202, body: '' },
    },
    {
      rule: 'R-LC-5',
      name: 'without sessions, a tools/call with no initialize before it is served (ChatGPT)',
      request: legacyRequest('tools/call', toolCall('echo', { text: 'hi' }), '2025-11-25', 2),
      expect: {
        status: 200,
        body: '{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"hi"}]}}',
      },
    },
    {
      rule: 'R-LC-9',
      name: 'ping is answered with an empty result, even before initialize',
      request: post('{"jsonrpc":"2.0","id":"p","method":"ping"}'),
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":"p","result":{}}' },
    },
  ])
})

describe('R-LC-2 the InitializeResult, byte for byte', () => {
  test('R-LC-2 2025-11-25 InitializeResult', async () => {
    const res = await rpc(initializeRequest('2025-11-25'))
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe(
      '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25",' +
        '"capabilities":{"logging":{},"completions":{},"prompts":{},' +
        '"resources":{"subscribe":true,"listChanged":true},' +
        '"tools":{"listChanged":false}},' +
        `"serverInfo":{"name":"bare-mcp","title":"bare-mcp","version":"${SERVER_INFO.version}"},` +
        `"instructions":${JSON.stringify(SERVER_INFO.instructions)}}}`,
    )
  })

  test('R-LC-7 capabilities name only what is implemented', async () => {
    const res = await rpc(initializeRequest('2025-11-25'))
    const body = (await res.json()) as { result: { capabilities: Record<string, unknown> } }
    expect(Object.keys(body.result.capabilities).sort()).toEqual([
      'completions',
      'logging',
      'prompts',
      'resources',
      'tools',
    ])
  })

  /** The capabilities `server` declares at initialize (2025-11-25) and in server/discover. */
  const declared = async (server: Target) => {
    const init = await rpc(initializeRequest('2025-11-25'), {}, server)
    const discover = await send(modernRequest('server/discover'), server)
    return [
      ((await init.json()) as { result: { capabilities: unknown } }).result.capabilities,
      ((await discover.json()) as { result: { capabilities: unknown } }).result.capabilities,
    ]
  }

  test('R-LC-7 a server with tools only declares neither resources, prompts nor completions', async () => {
    const only = { logging: {}, tools: { listChanged: false } }
    expect(await declared(serverWith([echo]))).toEqual([only, only])
  })

  test('R-LC-7 prompts alone bring prompts and completions; templates alone resources and completions', async () => {
    const server = serverWith([], {}, { prompts: [codeReview], templates: [greeting] })
    const [init, discover] = await declared(server)
    expect(init).toEqual({ completions: {}, prompts: {}, resources: { subscribe: true } })
    expect(discover).toEqual(init)
    const prompts = await declared(serverWith([], {}, { prompts: [codeReview] }))
    expect(prompts).toEqual([
      { completions: {}, prompts: {} },
      { completions: {}, prompts: {} },
    ])
  })
})
