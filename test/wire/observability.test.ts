// The operation log and the metrics (src/observe/operation-log.ts), raw HTTP into the Worker
// inside workerd with the console captured: one JSON line per MCP operation named after the
// OpenTelemetry conventions for MCP, failures with their error type, nothing secret, the
// levels and the sampling, trace context, and one Analytics Engine data point per operation
// written after the response (a stand-in binding records them).

import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { definePrompt } from '../../src/prompts/define.ts'
import { PROMPTS } from '../../src/prompts/index.ts'
import { RESOURCES, TEMPLATES } from '../../src/resources/index.ts'
import { createServer } from '../../src/server.ts'
import { defineTool } from '../../src/tools/define.ts'
import { TOOLS } from '../../src/tools/index.ts'
import { captureLog, settle, type Line } from '../helpers/logs.ts'
import { MODERN_META, modernRequest } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  initializeRequest,
  request,
  send,
  serverWith,
  workerWith,
  type RawRequest,
  type Target,
} from '../helpers/wire.ts'

const LOGGING = { SERVER_LOG_LEVEL: 'info' }

const failing = defineTool({
  name: 'fails',
  description: 'Always fails, as a tool error',
  run: () => {
    throw new Error('it failed on purpose')
  },
})
const broken = definePrompt({
  name: 'broken',
  description: 'A prompt whose code throws',
  get: () => {
    throw new Error('a bug')
  },
})
const extras = { resources: RESOURCES, templates: TEMPLATES, prompts: [...PROMPTS, broken] }
const server = serverWith([...TOOLS, failing], LOGGING, extras)

let log: ReturnType<typeof captureLog>
beforeEach(() => {
  log = captureLog()
})
afterEach(() => log.restore())

const legacy = (body: unknown, headers: Record<string, string> = {}): RawRequest => ({
  headers: { ...CLIENT_HEADERS, 'mcp-protocol-version': '2025-11-25', ...headers },
  body: JSON.stringify(body),
})

const operation = (match: (line: Line) => boolean) => (line: Line) =>
  line.kind === 'operation' && match(line)

/** A request id no other test uses, to find its line by. */
let ids = 0
const nextId = () => `obs-${++ids}`

const sha256Prefix = async (text: string) => {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)),
  )
  return [...digest.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

describe('BM-LOG-1 one JSON line per MCP operation, named as OpenTelemetry names MCP', () => {
  test('BM-LOG-1 a tool call: method, tool, id, revision, transport, HTTP, duration, sizes and digests', async () => {
    const id = nextId()
    const args = { a: 2, b: 3 }
    const res = await send(
      legacy(request(id, 'tools/call', { name: 'add', arguments: args })),
      server,
    )
    const result = ((await res.json()) as { result: unknown }).result
    const line = await log.find(operation((l) => l['jsonrpc.request.id'] === id))
    expect(line).toMatchObject({
      level: 'info',
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'add',
      'mcp.protocol.version': '2025-11-25',
      'mcp.transport': 'streamable-http',
      'network.protocol.name': 'http',
      'http.request.method': 'POST',
      'url.path': '/mcp',
      'http.response.status_code': 200,
      'mcp.tool.arguments.size': JSON.stringify(args).length,
      'mcp.tool.arguments.sha256': await sha256Prefix(JSON.stringify(args)),
      'mcp.tool.result.size': JSON.stringify(result).length,
      'mcp.tool.result.sha256': await sha256Prefix(JSON.stringify(result)),
    })
    expect(line['duration_ms']).toEqual(expect.any(Number))
    expect(line['error.type']).toBeUndefined()
    expect(Date.parse(String(line.time))).not.toBeNaN()
  })

  test('BM-LOG-1 initialize names the client and the revision it negotiated; the session id is logged', async () => {
    const id = nextId()
    const res = await send(legacy(initializeRequest('2025-06-18', id)), server)
    const session = res.headers.get('mcp-session-id')
    expect(session).not.toBeNull()
    const line = await log.find(operation((l) => l['jsonrpc.request.id'] === id))
    expect(line).toMatchObject({
      'mcp.method.name': 'initialize',
      'mcp.protocol.version': '2025-06-18',
      'mcp.client.name': 'wire-test',
      'mcp.client.version': '1.0.0',
      'mcp.session.id': session,
    })
  })

  test('BM-LOG-1 a request of a session: the client and revision its shard remembers, and the note never reaches the client', async () => {
    const worker = workerWith(LOGGING)
    const init = await send(legacy(initializeRequest('2025-06-18', nextId())), worker)
    const session = init.headers.get('mcp-session-id')!
    const id = nextId()
    const res = await send(
      legacy(request(id, 'tools/list'), {
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-06-18',
        // A client cannot pass itself off through the internal header.
        'bare-mcp-session-note': encodeURIComponent('{"r":"1999-01-01","n":"forged","v":"0"}'),
      }),
      worker,
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('bare-mcp-session-note')).toBeNull()
    const line = await log.find(operation((l) => l['jsonrpc.request.id'] === id))
    expect(line).toMatchObject({
      'mcp.method.name': 'tools/list',
      'mcp.session.id': session,
      'mcp.protocol.version': '2025-06-18',
      'mcp.client.name': 'wire-test',
      'mcp.client.version': '1.0.0',
    })
    const end = await send({ method: 'DELETE', headers: { 'mcp-session-id': session } }, worker)
    expect(end.status).toBe(204)
    expect(end.headers.get('bare-mcp-session-note')).toBeNull()
    const deleted = await log.find(
      operation((l) => l['http.request.method'] === 'DELETE' && l['mcp.session.id'] === session),
    )
    expect(deleted).toMatchObject({
      'http.response.status_code': 204,
      'mcp.client.name': 'wire-test',
    })
    expect(deleted['mcp.method.name']).toBeUndefined()
  })

  test('BM-LOG-1 2026-07-28: the client from _meta, the revision, a resource URI and a prompt name', async () => {
    const id = nextId()
    const meta = {
      ...MODERN_META,
      'io.modelcontextprotocol/clientInfo': { name: 'modern-client', version: '9.1' },
    }
    await send(modernRequest('resources/read', { uri: 'demo://greeting' }, { id, meta }), server)
    const read = await log.find(operation((l) => l['jsonrpc.request.id'] === id))
    expect(read).toMatchObject({
      'mcp.method.name': 'resources/read',
      'mcp.resource.uri': 'demo://greeting',
      'mcp.protocol.version': '2026-07-28',
      'mcp.client.name': 'modern-client',
      'mcp.client.version': '9.1',
    })
    const promptId = nextId()
    await send(legacy(request(promptId, 'prompts/get', { name: 'server_tour' })), server)
    const prompt = await log.find(operation((l) => l['jsonrpc.request.id'] === promptId))
    expect(prompt).toMatchObject({ 'gen_ai.prompt.name': 'server_tour' })
    expect(prompt['gen_ai.tool.name']).toBeUndefined()
  })

  test('BM-LOG-1 a 2025-03-26 batch is one line per message, the notification without an id', async () => {
    const [first, second] = [nextId(), nextId()]
    const batch = [
      request(first, 'ping'),
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      request(second, 'tools/list'),
    ]
    const res = await send({ headers: CLIENT_HEADERS, body: JSON.stringify(batch) }, server)
    expect(res.status).toBe(200)
    await log.find(operation((l) => l['jsonrpc.request.id'] === first))
    await log.find(operation((l) => l['jsonrpc.request.id'] === second))
    const notification = await log.find(
      operation((l) => l['mcp.method.name'] === 'notifications/initialized'),
    )
    expect(notification['jsonrpc.request.id']).toBeUndefined()
    expect(notification['mcp.protocol.version']).toBe('2025-03-26')
  })

  test('BM-LOG-1 an answer streamed over SSE is matched by id in its data', async () => {
    const sse = serverWith(TOOLS, { ...LOGGING, RESPONSE_MODE: 'sse' })
    const id = nextId()
    const res = await send(
      legacy(request(id, 'tools/call', { name: 'count', arguments: { to: 2, delayMs: 1 } })),
      sse,
    )
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await res.text()
    const line = await log.find(operation((l) => l['jsonrpc.request.id'] === id))
    expect(line).toMatchObject({ 'gen_ai.tool.name': 'count', 'http.response.status_code': 200 })
    expect(line['mcp.tool.result.size']).toEqual(expect.any(Number))
    expect(line['error.type']).toBeUndefined()
  })
})

describe('BM-LOG-2 a failed operation says how it failed', () => {
  const cases: [string, RawRequest, Record<string, unknown>][] = [
    [
      'a tool error result is tool_error',
      legacy(request('f-tool', 'tools/call', { name: 'fails', arguments: {} })),
      { 'error.type': 'tool_error', level: 'warn', 'http.response.status_code': 200 },
    ],
    [
      'a JSON-RPC error is its code',
      legacy(request('f-method', 'no/such/method')),
      {
        'error.type': '-32601',
        'rpc.response.status_code': '-32601',
        'mcp.method.name': 'no/such/method',
        level: 'warn',
      },
    ],
    [
      'an internal error is an error',
      legacy(request('f-prompt', 'prompts/get', { name: 'broken' })),
      { 'error.type': '-32603', level: 'error', 'gen_ai.prompt.name': 'broken' },
    ],
  ]
  test.each(cases)('BM-LOG-2 %s', async (_, raw, expected) => {
    await (await send(raw, server)).text()
    const id = JSON.parse(String(raw.body)).id as string
    const line = await log.find(operation((l) => l['jsonrpc.request.id'] === id))
    expect(line).toMatchObject(expected)
  })

  test('BM-LOG-2 a body that is not JSON: the parse error, no method', async () => {
    const res = await send({ headers: CLIENT_HEADERS, body: '{"jsonrpc":' }, server)
    expect(res.status).toBe(400)
    const line = await log.find(operation((l) => l['error.type'] === '-32700'))
    expect(line).toMatchObject({ 'http.response.status_code': 400, 'url.path': '/mcp' })
    expect(line['mcp.method.name']).toBeUndefined()
  })

  test('BM-LOG-2 refused before the body is read: the HTTP status (and the 2026-07-28 Mcp-Method)', async () => {
    const guarded = serverWith(TOOLS, { ...LOGGING, AUTH: 'true' })
    const raw = modernRequest('tools/list', {}, { id: nextId() })
    expect((await send(raw, guarded)).status).toBe(401)
    const line = await log.find(operation((l) => l['error.type'] === '401'))
    expect(line).toMatchObject({ 'mcp.method.name': 'tools/list', level: 'warn' })
    const type = await send(
      { headers: { ...CLIENT_HEADERS, 'content-type': 'text/plain' }, body: 'x' },
      server,
    )
    expect(type.status).toBe(415)
    await log.find(
      operation((l) => l['http.response.status_code'] === 415 && l['error.type'] === '-32600'),
    )
  })
})

describe('BM-LOG-3 nothing secret in a line: no token, cookie, argument or result', () => {
  test('BM-LOG-3 a call carrying secrets leaves only sizes and digests', async () => {
    const marker = 'do-not-log-this-argument-4242'
    const token = 'bearer-token-that-must-not-appear-777'
    const cookie = 'session-cookie-that-must-not-appear-888'
    const id = nextId()
    const res = await send(
      legacy(request(id, 'tools/call', { name: 'echo', arguments: { text: marker } }), {
        authorization: `Bearer ${token}`,
        cookie: `sid=${cookie}`,
      }),
      server,
    )
    expect(await res.text()).toContain(marker)
    const line = await log.find(operation((l) => l['jsonrpc.request.id'] === id))
    expect(line['mcp.tool.arguments.sha256']).toBe(
      await sha256Prefix(JSON.stringify({ text: marker })),
    )
    await settle()
    const everything = log.raw.join('\n')
    for (const secret of [marker, token, cookie]) expect(everything).not.toContain(secret)
  })
})

describe('BM-LOG-4 SERVER_LOG_LEVEL and SERVER_LOG_SAMPLE_RATE', () => {
  const ok = () => legacy(request(nextId(), 'ping'))
  const warn = () => legacy(request(nextId(), 'no/such/method'))
  const error = () => legacy(request(nextId(), 'prompts/get', { name: 'broken' }))
  const idOf = (raw: RawRequest) => JSON.parse(String(raw.body)).id as string

  /** Which of `requests` got a line under `settings`. */
  const logged = async (settings: Record<string, string>, requests: RawRequest[]) => {
    const target = serverWith(TOOLS, settings, { prompts: [broken] })
    for (const raw of requests) await (await send(raw, target)).text()
    const lines = await log.all((l) => l.kind === 'operation')
    return requests.map((raw) => lines.some((l) => l['jsonrpc.request.id'] === idOf(raw)))
  }

  test.each([
    ['info', '1', [true, true, true]],
    ['warn', '1', [false, true, true]],
    ['error', '1', [false, false, true]],
    ['off', '1', [false, false, false]],
    ['info', '0', [false, true, true]],
  ])(
    'BM-LOG-4 SERVER_LOG_LEVEL=%s, SERVER_LOG_SAMPLE_RATE=%s: success, failure, fault logged %j',
    async (level, rate, expected) => {
      const requests = [ok(), warn(), error()]
      expect(
        await logged({ SERVER_LOG_LEVEL: level, SERVER_LOG_SAMPLE_RATE: rate }, requests),
      ).toEqual(expected)
    },
  )

  test('BM-LOG-4 a sample rate between 0 and 1 writes some successes, never all or none of many', async () => {
    const requests = Array.from({ length: 60 }, ok)
    const seen = await logged({ SERVER_LOG_LEVEL: 'info', SERVER_LOG_SAMPLE_RATE: '0.5' }, requests)
    // 60 fair coins: all heads or all tails has a chance of 2^-59.
    expect(seen.filter(Boolean).length).toBeGreaterThan(0)
    expect(seen.filter(Boolean).length).toBeLessThan(60)
  })

  test('BM-LOG-4 debug adds a line per message the server sends on a stream', async () => {
    const target = serverWith(TOOLS, { SERVER_LOG_LEVEL: 'debug' })
    const id = nextId()
    const res = await send(
      legacy(
        request(id, 'tools/call', {
          name: 'count',
          arguments: { to: 2, delayMs: 1 },
          _meta: { progressToken: 'p1' },
        }),
      ),
      target,
    )
    await res.text()
    const progress = await log.all(
      (l) => l.kind === 'message' && l['mcp.method.name'] === 'notifications/progress',
    )
    expect(progress.length).toBe(2)
    expect(progress[0]).toMatchObject({ level: 'debug', 'message.size': expect.any(Number) })
    await log.find((l) => l.kind === 'message' && l['jsonrpc.request.id'] === id)
  })

  test.each([
    ['SERVER_LOG_LEVEL', 'loud'],
    ['SERVER_LOG_SAMPLE_RATE', '2'],
    ['SERVER_LOG_SAMPLE_RATE', '-1'],
  ])('BM-LOG-4 %s=%s is a bad setting, named', async (name, value) => {
    const res = await send(legacy(request(1, 'ping')), serverWith(TOOLS, { [name]: value }))
    expect(res.status).toBe(500)
    const body = (await res.json()) as { message: string }
    expect(body.message).toContain(`"${name}"`)
    expect(body.message).not.toContain(value)
  })
})

describe('BM-LOG-5 trace context is carried into the line', () => {
  const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const header = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
  const traced = async (meta: Record<string, unknown> | undefined, headers = {}) => {
    const id = nextId()
    const params =
      meta === undefined
        ? { name: 'add', arguments: { a: 1, b: 1 } }
        : {
            name: 'add',
            arguments: { a: 1, b: 1 },
            _meta: meta,
          }
    await (await send(legacy(request(id, 'tools/call', params), headers), server)).text()
    return log.find(operation((l) => l['jsonrpc.request.id'] === id))
  }

  test('BM-LOG-5 from params._meta.traceparent', async () => {
    const line = await traced({ traceparent: parent })
    expect(line).toMatchObject({
      traceparent: parent,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    })
  })

  test('BM-LOG-5 from the traceparent header; _meta wins over it', async () => {
    expect(await traced(undefined, { traceparent: header })).toMatchObject({ traceparent: header })
    expect(await traced({ traceparent: parent }, { traceparent: header })).toMatchObject({
      traceparent: parent,
    })
  })

  test.each([
    'junk',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
  ])('BM-LOG-5 a malformed traceparent %s is left out', async (value) => {
    const line = await traced({ traceparent: value })
    expect(line.traceparent).toBeUndefined()
    expect(log.raw.join('\n')).not.toContain(value)
  })
})

describe('BM-METRICS-1 one Analytics Engine data point per operation, after the response', () => {
  interface DataPoint {
    indexes?: string[]
    blobs?: string[]
    doubles?: number[]
  }
  const standIn = () => {
    const points: DataPoint[] = []
    return { points, binding: { writeDataPoint: (point: DataPoint) => void points.push(point) } }
  }
  const target = (settings: Record<string, string>, binding: unknown): Target => {
    const app = createServer(TOOLS)
    const merged = { ...env, ...settings, ANALYTICS: binding }
    return { fetch: (req) => app.fetch(req, merged) }
  }

  test('BM-METRICS-1 the columns: name, kind, tool, outcome, error type, client, revision, transport; duration, status, sizes', async () => {
    const { points, binding } = standIn()
    const app = target({ SERVER_LOG_LEVEL: 'off' }, binding)
    const args = { a: 20, b: 22 }
    const res = await send(legacy(initializeRequest('2025-11-25', 'm-init')), app)
    await res.text()
    const call = await send(
      legacy(request('m1', 'tools/call', { name: 'add', arguments: args })),
      app,
    )
    // Written after the response: nothing yet when the answer is in hand.
    const before = points.length
    const body = (await call.json()) as { result: unknown }
    expect(points.length).toBe(before)
    await settle()
    const point = points.find((p) => p.blobs?.[1] === 'tools/call')!
    expect(point.indexes).toEqual(['tools/call'])
    expect(point.blobs).toEqual([
      'op',
      'tools/call',
      'add',
      'ok',
      '',
      '',
      '',
      '2025-11-25',
      'streamable-http',
      '',
    ])
    expect(point.doubles).toEqual([
      expect.any(Number),
      200,
      JSON.stringify(args).length,
      JSON.stringify(body.result).length,
    ])
    const init = points.find((p) => p.blobs?.[1] === 'initialize')!
    expect(init.blobs?.slice(5, 8)).toEqual(['wire-test', '1.0.0', '2025-11-25'])
  })

  test('BM-METRICS-1 failures and audit events are points too', async () => {
    const { points, binding } = standIn()
    const app = target({ SERVER_LOG_LEVEL: 'off', AUTH: 'true' }, binding)
    await (await send(legacy(request('m2', 'tools/list')), app)).text()
    await settle()
    expect(points.map((p) => p.blobs?.slice(0, 5))).toEqual([
      ['audit', 'auth.refused', '', 'error', '401'],
      ['op', 'POST /mcp', '', 'error', '401'],
    ])
  })

  test('BM-METRICS-1 METRICS=false writes nothing', async () => {
    const { points, binding } = standIn()
    const app = target({ SERVER_LOG_LEVEL: 'off', METRICS: 'false' }, binding)
    await (await send(legacy(request('m3', 'ping')), app)).text()
    await settle()
    expect(points).toEqual([])
  })
})

describe('BM-METRICS-2 GET /admin/stats: the isolate’s own report', () => {
  const stats = (target: Target, url: string, headers: Record<string, string> = {}) =>
    target.fetch(new Request(url, { headers }))

  test('BM-METRICS-2 on this machine: counts, errors and latencies per method, tool and client', async () => {
    const meta = {
      ...MODERN_META,
      'io.modelcontextprotocol/clientInfo': { name: 'stats-client', version: '2.0' },
    }
    for (let i = 0; i < 3; i++) {
      const call = { name: 'add', arguments: { a: i, b: 1 } }
      await (await send(modernRequest('tools/call', call, { id: nextId(), meta }), server)).text()
    }
    await (await send(modernRequest('no/such', {}, { id: nextId(), meta }), server)).text()
    await settle()
    const res = await stats(server, 'http://localhost/admin/stats?window=600')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const report = (await res.json()) as {
      source: string
      window_s: number
      operations: Record<string, unknown>[]
      clients: Record<string, unknown>[]
    }
    expect(report).toMatchObject({ source: 'isolate', window_s: 600 })
    const add = report.operations.find((row) => row.method === 'tools/call' && row.target === 'add')
    expect(add).toMatchObject({ count: expect.any(Number), errors: 0 })
    expect(Number(add!.count)).toBeGreaterThanOrEqual(3)
    for (const key of ['p50_ms', 'p95_ms', 'p99_ms']) expect(add![key]).toEqual(expect.any(Number))
    const client = report.clients.find((row) => row.client === 'stats-client')
    expect(client).toMatchObject({ version: '2.0', count: 4, errors: 1 })
    // Names and numbers only: no subject, address, argument or result.
    expect(JSON.stringify(report)).not.toMatch(/enduser|address|"a":/)
  })

  test.each(['10', '90000', 'an hour'])('BM-METRICS-2 window=%s is refused with 400', async (w) => {
    const res = await stats(server, `http://localhost/admin/stats?window=${encodeURIComponent(w)}`)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_window' })
  })

  test('BM-METRICS-2 elsewhere only with ADMIN_TOKEN: 503 without the secret, 401 with a wrong token', async () => {
    const url = 'https://mcp.example.com/admin/stats'
    expect((await stats(server, url)).status).toBe(503)
    const admin = serverWith(TOOLS, { ...LOGGING, ADMIN_TOKEN: 'stats-admin-token-0123456789' })
    const wrong = await stats(admin, url, { authorization: 'Bearer not-the-token-0123456789' })
    expect(wrong.status).toBe(401)
    await log.find((l) => l['event.name'] === 'admin.refused' && l['url.path'] === '/admin/stats')
    const right = await stats(admin, url, { authorization: 'Bearer stats-admin-token-0123456789' })
    expect(right.status).toBe(200)
    const post = await admin.fetch(new Request('http://localhost/admin/stats', { method: 'POST' }))
    expect(post.status).toBe(405)
  })
})
