// BM-LOG-1, BM-LOG-2: the exchange -> operations function (src/observe/operations.ts), fed
// exchanges by hand: each message matched to its response by id in a JSON body or in the SSE
// frames' data, the per-operation duration, the failure kinds, the client, session, revision
// and trace context. BM-METRICS-2: the isolate's bounded memory and its report.

import { describe, expect, test } from 'vitest'
import type { Exchange, Frame } from '../../src/observe/exchange.ts'
import { keepPoint, localReport } from '../../src/observe/local-stats.ts'
import { operationsOf } from '../../src/observe/operations.ts'
import type { Point } from '../../src/observe/points.ts'
import { parseBody, type JSONRPCMessage, type Parsed } from '../../src/jsonrpc/message.ts'

const T0 = 1_000_000

/** The parsed messages of a body, as intake gives them. */
const parsed = (body: unknown): Parsed<JSONRPCMessage>[] => {
  const result = parseBody(JSON.stringify(body), { maxBatch: 32, maxDepth: 64 })
  if (!result.ok) throw new Error('test body does not parse')
  return result.batch ? result.messages : [result.message]
}

const exchange = (overrides: Partial<Exchange> = {}): Exchange => ({
  id: 'x',
  endpoint: 'mcp',
  startedAt: T0,
  request: { method: 'POST', target: '/mcp', headers: [] },
  requestBody: null,
  messages: null,
  era: { era: 'legacy', revision: '2025-11-25' },
  principal: null,
  caller: null,
  session: null,
  client: null,
  status: 200,
  responseHeaders: [],
  responseBody: null,
  frames: [],
  framesDropped: 0,
  endedAt: T0 + 40,
  abandoned: false,
  ...overrides,
})

const frame = (at: number, data: unknown, extra: Partial<Frame> = {}): Frame => ({
  at,
  event: 'message',
  data: JSON.stringify(data),
  ...extra,
})

const call = (id: number | string, name: string, args: unknown, meta?: unknown) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(meta === undefined ? {} : { _meta: meta }) },
})

describe('BM-LOG-1 operations of an exchange', () => {
  test('BM-LOG-1 a JSON answer: matched by id, arguments and result as text, duration to the end', () => {
    const [op] = operationsOf(
      exchange({
        messages: parsed(call(7, 'add', { a: 1, b: 2 })),
        responseBody: JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [] } }),
      }),
    )
    expect(op).toMatchObject({
      kind: 'request',
      method: 'tools/call',
      name: 'tools/call',
      id: '7',
      tool: 'add',
      revision: '2025-11-25',
      transport: 'streamable-http',
      status: 200,
      durationMs: 40,
      errorType: null,
      arguments: '{"a":1,"b":2}',
      result: '{"content":[]}',
    })
  })

  test('BM-LOG-1 the whole body wins over the kept (cut) one', () => {
    const whole = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { isError: true } })
    const [op] = operationsOf(
      exchange({
        messages: parsed(call(1, 'x', {})),
        responseBody: '{"jsonrpc":"2.0","id":1,"res… [9 more bytes]',
      }),
      whole,
    )
    expect(op?.errorType).toBe('tool_error')
  })

  test('BM-LOG-1 SSE: each response found in its frame, timed at its frame; notifications are not answers', () => {
    const ops = operationsOf(
      exchange({
        messages: parsed([call(1, 'count', {}), call('b', 'add', {})]),
        frames: [
          frame(T0 + 5, { jsonrpc: '2.0', method: 'notifications/progress', params: {} }),
          { at: T0 + 6, comment: 'keep-alive' },
          frame(T0 + 12, { jsonrpc: '2.0', id: 'b', result: {} }),
          frame(T0 + 30, { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } }),
        ],
      }),
    )
    expect(ops.map((op) => [op.id, op.durationMs, op.errorType, op.code])).toEqual([
      ['1', 30, '-32602', -32602],
      ['b', 12, null, null],
    ])
  })

  test('BM-LOG-1 a batch: a notification has no id and takes the exchange status; a client response is its own kind', () => {
    const ops = operationsOf(
      exchange({
        era: { era: 'legacy', revision: '2025-03-26' },
        messages: parsed([
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 's-1', result: {} },
          { jsonrpc: '2.0', id: 2, method: 'ping' },
        ]),
        responseBody: JSON.stringify([{ jsonrpc: '2.0', id: 2, result: {} }]),
      }),
    )
    expect(ops.map((op) => [op.kind, op.name, op.id, op.errorType])).toEqual([
      ['notification', 'notifications/initialized', null, null],
      ['response', 'response', 's-1', null],
      ['request', 'ping', '2', null],
    ])
  })

  test('BM-LOG-1 initialize: the revision its result negotiated, not the header default', () => {
    const [op] = operationsOf(
      exchange({
        era: { era: 'legacy', revision: '2025-03-26' },
        messages: parsed({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
        responseBody: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          result: { protocolVersion: '2025-06-18' },
        }),
      }),
    )
    expect(op?.revision).toBe('2025-06-18')
  })

  test('BM-LOG-1 session, address, principal and client come from the exchange', () => {
    const [op] = operationsOf(
      exchange({
        request: {
          method: 'POST',
          target: '/messages?sessionId=s2.abc',
          headers: [['cf-connecting-ip', '198.51.100.4']],
        },
        endpoint: 'messages',
        status: 202,
        messages: parsed({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
        principal: { subject: 'github:1', clientId: 'c1', scopes: ['mcp'], via: 'oauth' },
        client: { name: 'inspector', version: '0.17' },
      }),
    )
    expect(op).toMatchObject({
      session: 's2.abc',
      path: '/messages',
      transport: 'sse',
      address: '198.51.100.4',
      subject: 'github:1',
      clientId: 'c1',
      via: 'oauth',
      client: { name: 'inspector', version: '0.17' },
      // Over HTTP+SSE the answer goes on the /sse stream: accepted here.
      status: 202,
      errorType: null,
    })
  })

  test('BM-LOG-1 a /sse stream names the session its endpoint event announced', () => {
    const [op] = operationsOf(
      exchange({
        endpoint: 'sse',
        request: { method: 'GET', target: '/sse', headers: [] },
        era: null,
        frames: [{ at: T0 + 1, event: 'endpoint', data: 'messages?sessionId=s5.xyz' }],
      }),
    )
    expect(op).toMatchObject({ kind: 'http', name: 'GET /sse', method: null, session: 's5.xyz' })
  })
})

describe('BM-LOG-2 how operations fail', () => {
  test('BM-LOG-2 refused before the body was read: the status, or the JSON-RPC code the body carried', () => {
    const [unauthorized] = operationsOf(
      exchange({ era: null, status: 401, responseBody: '{"error":"invalid_token"}' }),
    )
    expect(unauthorized).toMatchObject({ kind: 'http', name: 'POST /mcp', errorType: '401' })
    const [limited] = operationsOf(
      exchange({
        era: null,
        status: 429,
        responseBody: JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: -31429, message: 'slow down' },
        }),
      }),
    )
    expect(limited).toMatchObject({ errorType: '-31429', code: -31429 })
  })

  test('BM-LOG-2 2026-07-28 names the method of a refused request in Mcp-Method', () => {
    const [op] = operationsOf(
      exchange({
        era: null,
        status: 401,
        request: { method: 'POST', target: '/mcp', headers: [['mcp-method', 'tools/call']] },
      }),
    )
    expect(op).toMatchObject({ method: 'tools/call', name: 'tools/call', errorType: '401' })
  })

  test('BM-LOG-2 a scope refusal after the body was read fails each request of it', () => {
    const ops = operationsOf(
      exchange({
        status: 403,
        messages: parsed(call(4, 'vault', {})),
        responseBody: '{"error":"insufficient_scope"}',
      }),
    )
    expect(ops.map((op) => [op.tool, op.errorType])).toEqual([['vault', '403']])
  })

  test('BM-LOG-2 a message that did not parse: its code and, when readable, its id', () => {
    const messages: Parsed<JSONRPCMessage>[] = [
      { ok: false, error: { code: -32600, message: 'bad' }, id: 9 },
    ]
    const [op] = operationsOf(exchange({ messages, status: 400 }))
    expect(op).toMatchObject({ method: null, id: '9', errorType: '-32600', code: -32600 })
  })

  test('BM-LOG-2 a POST whose client left before its answer: client_disconnected', () => {
    const [op] = operationsOf(
      exchange({ messages: parsed(call(1, 'count', {})), abandoned: true, frames: [] }),
    )
    expect(op?.errorType).toBe('client_disconnected')
  })
})

describe('BM-LOG-5 trace context per operation', () => {
  const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const header = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
  test('BM-LOG-5 _meta first, then the header, and only when well formed', () => {
    const ops = operationsOf(
      exchange({
        request: { method: 'POST', target: '/mcp', headers: [['traceparent', header]] },
        messages: parsed([
          call(1, 'a', {}, { traceparent: parent }),
          call(2, 'a', {}),
          call(3, 'a', {}, { traceparent: 'nonsense' }),
        ]),
      }),
    )
    expect(ops.map((op) => op.traceparent)).toEqual([parent, header, header])
  })
})

describe('BM-METRICS-2 the isolate keeps a bounded window of points', () => {
  const point = (name: string, durationMs: number, ok = true, at = Date.now()): Point => ({
    kind: 'op',
    name,
    target: '',
    ok,
    errorType: ok ? '' : '-32601',
    client: 'unit',
    clientVersion: '1',
    revision: '',
    transport: 'streamable-http',
    via: '',
    durationMs,
    status: 200,
    argumentBytes: 0,
    resultBytes: 0,
    at,
  })

  test('BM-METRICS-2 counts, errors and nearest-rank percentiles per name; oldest dropped past the bound', () => {
    const name = `unit/${Math.random()}`
    for (let ms = 1; ms <= 100; ms++) keepPoint(point(name, ms, ms % 10 !== 0), 1000)
    const row = localReport(3_600_000).operations.find((op) => op.method === name)
    expect(row).toMatchObject({ count: 100, errors: 10, p50_ms: 50, p95_ms: 95, p99_ms: 99 })
    // A bound of 50: only the newest 50 remain.
    keepPoint(point(name, 1000), 50)
    const kept = localReport(3_600_000)
    expect(kept.kept).toBe(50)
    expect(kept.dropped).toBeGreaterThanOrEqual(51)
    expect(kept.operations.find((op) => op.method === name)).toMatchObject({
      count: 50,
      p99_ms: 1000,
    })
  })

  test('BM-METRICS-2 the window leaves older points out; 0 keeps nothing', () => {
    const old = `old/${Math.random()}`
    keepPoint(point(old, 5, true, Date.now() - 7_200_000), 1000)
    expect(localReport(3_600_000).operations.some((op) => op.method === old)).toBe(false)
    expect(localReport(86_400_000).operations.some((op) => op.method === old)).toBe(true)
    const none = `none/${Math.random()}`
    keepPoint(point(none, 5), 0)
    expect(localReport(86_400_000).operations.some((op) => op.method === none)).toBe(false)
  })
})
