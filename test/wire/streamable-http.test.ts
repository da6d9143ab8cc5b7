// Streamable HTTP on the wire: media types, reply framing, the version header, Origin and CORS,
// body limits, methods and paths.

import { env } from 'cloudflare:workers'
import { describe, expect, test } from 'vitest'
import { createServer } from '../../src/server.ts'
import { SUPPORTED_REVISIONS } from '../../src/protocol/revisions.ts'
import { TOOLS } from '../../src/tools/index.ts'
import { has, LEGACY, rpcErrorBody } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  post,
  rpc,
  send,
  serverWith,
  wireTable,
  type WireCase,
} from '../helpers/wire.ts'

const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}'
const PONG = '{"jsonrpc":"2.0","id":1,"result":{}}'

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
}
const event = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`

describe('media types', () => {
  wireTable([
    {
      rule: 'R-HT-4',
      name: 'Accept with only application/json still gets JSON (lenient Accept)',
      request: {
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: PING,
      },
      expect: { status: 200, body: PONG, headers: { 'content-type': 'application/json' } },
      why: 'typescript-sdk#1944: strict 406 broke JSON-only clients.',
    },
    {
      rule: 'R-HT-4',
      name: 'Accept with only text/event-stream gets SSE',
      request: {
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: PING,
      },
      expect: { status: 200, body: `event: message\ndata: ${PONG}\n\n`, headers: SSE_HEADERS },
    },
    {
      rule: 'R-HT-4',
      name: 'no Accept header accepts anything (RFC 9110)',
      request: { headers: { 'content-type': 'application/json' }, body: PING },
      expect: { status: 200, body: PONG },
    },
    {
      rule: 'R-HT-4',
      name: 'Accept */* gets JSON',
      request: { headers: { 'content-type': 'application/json', accept: '*/*' }, body: PING },
      expect: { status: 200, body: PONG },
    },
    {
      rule: 'R-HT-4',
      name: 'an Accept that admits neither type gets 406',
      request: { headers: { 'content-type': 'application/json', accept: 'text/html' }, body: PING },
      expect: {
        status: 406,
        body: rpcErrorBody(
          -32600,
          'Accept must allow application/json or text/event-stream',
          undefined,
          null,
        ),
      },
    },
    {
      rule: 'R-JR-2',
      name: 'Content-Type other than JSON gets 415',
      request: {
        headers: { 'content-type': 'text/plain', accept: 'application/json' },
        body: PING,
      },
      expect: {
        status: 415,
        body: rpcErrorBody(
          -32600,
          'Content-Type must be application/json (UTF-8)',
          undefined,
          null,
        ),
      },
    },
    {
      rule: 'R-JR-2',
      name: 'no Content-Type gets 415',
      request: { headers: { accept: 'application/json' }, body: PING },
      expect: { status: 415 },
    },
    {
      rule: 'R-JR-2',
      name: 'application/jsonp is not JSON (media type parsed, not substring-matched)',
      request: {
        headers: { 'content-type': 'application/jsonp', accept: 'application/json' },
        body: PING,
      },
      expect: { status: 415 },
    },
    {
      rule: 'R-JR-2',
      name: 'a charset other than UTF-8 gets 415',
      request: {
        headers: {
          'content-type': 'application/json; charset=iso-8859-1',
          accept: 'application/json',
        },
        body: PING,
      },
      expect: { status: 415 },
    },
    {
      rule: 'R-JR-2',
      name: 'odd casing and a UTF-8 charset are fine',
      request: {
        headers: {
          'content-type': 'Application/JSON; Charset="UTF-8"',
          accept: 'application/json',
        },
        body: PING,
      },
      expect: { status: 200, body: PONG },
    },
  ])
})

describe('replies', () => {
  test('R-HT-7 a request that streams nothing gets application/json', async () => {
    const res = await rpc({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'hi' } },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe(
      '{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"hi"}]}}',
    )
  })

  test('R-HT-8 a call that sends progress streams it before its response, then the stream ends', async () => {
    const res = await rpc(
      {
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'count', arguments: { to: 2, delayMs: 0 }, _meta: { progressToken: 'p' } },
      },
      { 'mcp-protocol-version': '2025-11-25' },
    )
    expect(res.status).toBe(200)
    for (const [name, value] of Object.entries(SSE_HEADERS))
      expect(res.headers.get(name)).toBe(value)
    const progress = (n: number) => ({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'p', progress: n, total: 2, message: `Counted to ${n}` },
    })
    expect(await res.text()).toBe(
      event(progress(1)) +
        event(progress(2)) +
        event({
          jsonrpc: '2.0',
          method: 'notifications/message',
          params: { level: 'info', logger: 'count', data: 'Finished counting to 2' },
        }) +
        event({
          jsonrpc: '2.0',
          id: 7,
          result: { content: [{ type: 'text', text: 'Counted to 2.' }] },
        }),
    )
  })

  test('R-HT-7 a JSON-only client gets the result as JSON and no notifications', async () => {
    const res = await rpc(
      {
        jsonrpc: '2.0',
        id: 8,
        method: 'tools/call',
        params: { name: 'count', arguments: { to: 2, delayMs: 0 }, _meta: { progressToken: 'p' } },
      },
      { accept: 'application/json' },
    )
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe(
      '{"jsonrpc":"2.0","id":8,"result":{"content":[{"type":"text","text":"Counted to 2."}]}}',
    )
  })

  test('BM-SSE-1 a call still running after SSE_AFTER_MS switches to SSE (keep-alives can flow)', async () => {
    const server = serverWith(TOOLS, { SSE_AFTER_MS: '0', LOG_LEVEL: 'error' })
    const res = await rpc(
      {
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'count', arguments: { to: 1, delayMs: 50 } },
      },
      {},
      server,
    )
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(await res.text()).toBe(
      event({
        jsonrpc: '2.0',
        id: 9,
        result: { content: [{ type: 'text', text: 'Counted to 1.' }] },
      }),
    )
  })

  test('BM-SSE-2 a stream idle for KEEPALIVE_MS carries a comment keep-alive', async () => {
    const server = serverWith(TOOLS, {
      SSE_AFTER_MS: '0',
      KEEPALIVE_MS: '1000',
      LOG_LEVEL: 'error',
    })
    const res = await rpc(
      {
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'count', arguments: { to: 1, delayMs: 1300 } },
      },
      {},
      server,
    )
    expect(await res.text()).toBe(
      ': keep-alive\n\n' +
        event({
          jsonrpc: '2.0',
          id: 9,
          result: { content: [{ type: 'text', text: 'Counted to 1.' }] },
        }),
    )
  })

  test('BM-SSE-3 RESPONSE_MODE=sse answers in SSE whenever the client accepts it', async () => {
    const res = await send(post(PING), serverWith(TOOLS, { RESPONSE_MODE: 'sse' }))
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(await res.text()).toBe(`event: message\ndata: ${PONG}\n\n`)
  })
})

const ADD =
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'
const ADD_TEXT = '{"content":[{"type":"text","text":"{\\"sum\\":3}"}]'

describe('MCP-Protocol-Version', () => {
  describe.each(LEGACY)('%s', (revision) => {
    test('R-HT-17 a supported header selects its revision (structuredContent where the revision has it)', async () => {
      const res = await send(post(ADD, { 'mcp-protocol-version': revision }))
      const structured = has(revision, 'structuredContent') ? ',"structuredContent":{"sum":3}' : ''
      expect(await res.text()).toBe(`{"jsonrpc":"2.0","id":1,"result":${ADD_TEXT}${structured}}}`)
    })
  })

  wireTable([
    {
      rule: 'R-HT-17',
      name: 'absent header: the request is served as 2025-03-26 (no structuredContent)',
      request: post(ADD),
      expect: { status: 200, body: `{"jsonrpc":"2.0","id":1,"result":${ADD_TEXT}}}` },
    },
    {
      rule: 'R-HT-17',
      name: 'an unsupported header gets 400 naming the supported versions',
      request: post(PING, { 'mcp-protocol-version': '2099-01-01' }),
      expect: {
        status: 400,
        body: rpcErrorBody(-32022, 'Unsupported protocol version: 2099-01-01', {
          supported: SUPPORTED_REVISIONS,
          requested: '2099-01-01',
        }),
      },
    },
    {
      rule: 'R-HT-17',
      name: 'a repeated header (joined with a comma) is not a version',
      request: post(PING, { 'mcp-protocol-version': '2025-06-18, 2025-06-18' }),
      expect: { status: 400 },
    },
  ])
})

const LOCALHOST_INSPECTOR = 'http://localhost:6274'

describe('Origin and CORS', () => {
  wireTable([
    {
      rule: 'R-HT-2',
      name: 'no Origin (server-side clients) is allowed',
      request: post(PING),
      expect: { status: 200, body: PONG, headers: { 'access-control-allow-origin': null } },
    },
    {
      rule: 'R-HT-2',
      name: 'a foreign Origin gets 403 with a JSON-RPC error',
      request: post(PING, { origin: 'https://evil.example' }),
      expect: {
        status: 403,
        body: rpcErrorBody(-32600, 'Origin https://evil.example is not allowed', undefined, null),
      },
    },
    {
      rule: 'R-HT-2',
      name: 'DNS rebinding: Host and Origin both evil is still 403',
      request: post(PING, { host: 'evil.example.com', origin: 'http://evil.example.com' }),
      expect: { status: 403 },
    },
    {
      rule: 'R-HT-2',
      name: 'the opaque Origin "null" gets 403',
      request: post(PING, { origin: 'null' }),
      expect: { status: 403 },
    },
    {
      rule: 'R-HT-2',
      name: 'a localhost Origin (MCP Inspector) is allowed by default and gets CORS headers',
      request: post(PING, { origin: LOCALHOST_INSPECTOR }),
      expect: {
        status: 200,
        body: PONG,
        headers: {
          'access-control-allow-origin': LOCALHOST_INSPECTOR,
          'access-control-expose-headers': 'Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate',
          vary: 'Origin',
        },
      },
    },
    {
      rule: 'R-HT-2',
      name: 'ALLOW_LOCALHOST_ORIGINS=false refuses localhost origins',
      request: post(PING, { origin: LOCALHOST_INSPECTOR }),
      target: serverWith(TOOLS, { ALLOW_LOCALHOST_ORIGINS: 'false' }),
      expect: { status: 403 },
    },
    {
      rule: 'R-HT-2',
      name: 'an origin in ALLOWED_ORIGINS is allowed',
      request: post(PING, { origin: 'https://app.example' }),
      target: serverWith(TOOLS, { ALLOWED_ORIGINS: 'https://other.example, https://app.example' }),
      expect: { status: 200, headers: { 'access-control-allow-origin': 'https://app.example' } },
    },
    {
      rule: 'BM-CORS-1',
      name: 'a preflight from a trusted origin allows the MCP headers',
      request: {
        method: 'OPTIONS',
        headers: {
          origin: LOCALHOST_INSPECTOR,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, mcp-protocol-version, mcp-param-region',
        },
      },
      expect: {
        status: 204,
        headers: {
          'access-control-allow-origin': LOCALHOST_INSPECTOR,
          'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
          'access-control-allow-headers':
            'Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name, mcp-param-region',
          'access-control-expose-headers': 'Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate',
          'access-control-max-age': '86400',
        },
      },
    },
    {
      rule: 'BM-CORS-1',
      name: 'a preflight from a foreign origin gets 403',
      request: {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      },
      expect: { status: 403 },
    },
  ])
})

describe('methods, paths and limits', () => {
  wireTable([
    {
      rule: 'R-HT-1 R-HT-10',
      name: 'GET on the one endpoint is 405 with Allow, never 404 (no standalone stream without a session)',
      request: { method: 'GET', headers: { accept: 'text/event-stream' } },
      expect: {
        status: 405,
        headers: { allow: 'POST, OPTIONS', 'content-type': 'application/json' },
      },
    },
    {
      rule: 'R-HT-15',
      name: 'DELETE without a session is 405 with Allow',
      request: { method: 'DELETE' },
      expect: { status: 405, headers: { allow: 'POST, OPTIONS' } },
    },
    {
      rule: 'R-HT-14',
      name: 'a session id that is not one of ours is 404, without waking any shard',
      request: { method: 'DELETE', headers: { 'mcp-session-id': 'abc' } },
      expect: {
        status: 404,
        body: rpcErrorBody(
          -32600,
          'Session not found: it expired or was terminated; initialize again',
          undefined,
          null,
        ),
      },
    },
    {
      rule: 'R-HT-15',
      name: 'PUT is 405 with Allow',
      request: { method: 'PUT', ...post(PING) },
      expect: { status: 405, headers: { allow: 'POST, OPTIONS' } },
    },
    {
      rule: 'BM-PATH-1',
      name: 'an unknown path is 404 with a JSON body (not JSON-RPC)',
      request: { path: '/nope', ...post(PING) },
      expect: {
        status: 404,
        body: '{"error":"not_found","message":"Nothing at /nope; the MCP endpoint is /mcp"}',
      },
    },
    {
      rule: 'BM-PATH-1',
      name: 'a trailing slash on the endpoint is the endpoint',
      request: { path: '/mcp/', ...post(PING) },
      expect: { status: 200, body: PONG },
    },
    {
      rule: 'BM-PATH-1',
      name: 'MCP_PATH moves the endpoint',
      request: { path: '/tools/v1', ...post(PING) },
      target: serverWith(TOOLS, { MCP_PATH: '/tools/v1' }),
      expect: { status: 200, body: PONG },
    },
    {
      rule: 'BM-BODY-1',
      name: 'a body over MAX_BODY_BYTES gets 413 with a JSON-RPC error',
      request: post(
        `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(2048)}"}}`,
      ),
      target: serverWith(TOOLS, { MAX_BODY_BYTES: '1024' }),
      expect: {
        status: 413,
        body: rpcErrorBody(-32600, 'The body exceeds 1024 bytes', undefined, null),
      },
    },
    {
      rule: 'BM-BODY-1',
      name: 'the default limit is 1 MiB',
      request: post(
        `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(1_048_576)}"}}`,
      ),
      expect: {
        status: 413,
        body: rpcErrorBody(-32600, 'The body exceeds 1048576 bytes', undefined, null),
      },
    },
    {
      rule: 'BM-CONFIG-1',
      name: 'a bad setting is reported by name, as a JSON 500',
      request: post(PING),
      target: serverWith(TOOLS, { PAGE_SIZE: 'lots' }),
      expect: {
        status: 500,
        body: '{"error":"server_misconfigured","message":"Bad setting: \\"PAGE_SIZE\\" must be a whole number"}',
      },
    },
  ] satisfies WireCase[])

  test('BM-BODY-1 a chunked body without Content-Length is counted as it streams; past the limit the rest is read and dropped, and the answer is 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(512))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const res = await send(
      { headers: CLIENT_HEADERS, body },
      serverWith(TOOLS, { MAX_BODY_BYTES: '1024' }),
    )
    expect(res.status).toBe(413)
    // Drained to its end (so a client still sending sees the 413), never buffered.
    expect(sent).toBe(11)
  })
})

describe('OpenAI clients', () => {
  test('BM-SSE-4 a User-Agent in SSE_USER_AGENTS (openai-mcp) gets SSE even for a quick answer', async () => {
    const res = await send({
      ...post(PING, { 'user-agent': 'openai-mcp/1.0.0' }),
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(await res.text()).toBe(`event: message\ndata: ${PONG}\n\n`)
  })

  test('BM-SSE-4 the same client accepting only JSON still gets JSON', async () => {
    const res = await send({
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'openai-mcp/1.0.0',
      },
      body: PING,
    })
    expect(res.headers.get('content-type')).toBe('application/json')
    await res.text()
  })
})

describe('builds', () => {
  test('BM-FIXTURES-1 FIXTURES=conformance on the deployed build (without the pack) is a clear 500', async () => {
    const server = createServer()
    const res = await server.fetch(
      new Request('http://localhost/mcp', { method: 'POST', ...post(PING) }),
      { ...env, FIXTURES: 'conformance' },
    )
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({
      error: 'server_misconfigured',
      message:
        'FIXTURES=conformance needs the build that includes it (wrangler dev --env conformance)',
    })
  })
})
