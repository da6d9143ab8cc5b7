// The request path's limits per caller and per session, in the `limits` project, where each
// cap is 2 and each rate limiter allows 2 per window (vitest.config.ts): MCP requests and tool
// calls per caller (R-SF-10), sessions, open streams and requests in flight (BM-LIMIT-4..7).
// Every test uses its own client address (CF-Connecting-IP), so callers never share a count.

import { describe, expect, test } from 'vitest'
import { modernRequest } from '../helpers/eras.ts'
import { TOOLS } from '../../src/tools/index.ts'
import {
  initializeRequest,
  post,
  request,
  serverWith,
  toolCall,
  WORKER,
  type RawRequest,
  type Target,
} from '../helpers/wire.ts'

/** The caps tests send many requests per caller: the rate limits stay out of their way. */
const UNLIMITED = serverWith(TOOLS, { RATE_LIMITS: 'false' })

let hosts = 0
/** An address no other test uses. */
const nextIp = () => `203.0.113.${++hosts}`

const send = (request: RawRequest, ip: string, target: Target = UNLIMITED): Promise<Response> =>
  target.fetch(
    new Request(`http://localhost${request.path ?? '/mcp'}`, {
      method: request.method ?? 'POST',
      headers: { ...request.headers, 'cf-connecting-ip': ip },
      ...(request.body === undefined ? {} : { body: request.body as string }),
    }),
  )

/** The revision every request here speaks. */
const VERSION = { 'mcp-protocol-version': '2025-11-25' }

const initialize = (ip: string) => send(post(initializeRequest('2025-11-25'), VERSION), ip)

const sessionOf = async (ip: string): Promise<string | null> => {
  const res = await initialize(ip)
  await res.text()
  return res.headers.get('mcp-session-id')
}

describe('R-SF-10 rate limits on the request path', () => {
  test('R-SF-10 tool calls past TOOL_CALL_RATE_LIMIT are 429 with Retry-After and -31429 naming the call', async () => {
    const ip = nextIp()
    const statuses: number[] = []
    let refused: Response | null = null
    for (let id = 1; id <= 5; id++) {
      const res = await send(
        post(request(id, 'tools/call', toolCall('echo', { text: 'x' })), VERSION),
        ip,
        WORKER,
      )
      statuses.push(res.status)
      if (res.status === 429) refused ??= res
      else await res.text()
    }
    expect(statuses).toContain(429)
    expect(refused!.headers.get('retry-after')).toBe('10')
    expect(await refused!.json()).toMatchObject({
      error: { code: -31429, data: { retryAfter: 10 } },
    })
  })

  test('R-SF-10 every tool call of a batch counts', async () => {
    const ip = nextIp()
    const batch = [1, 2, 3, 4, 5].map((id) =>
      request(id, 'tools/call', toolCall('echo', { text: 'x' })),
    )
    // No version header: 2025-03-26, the revision with batches.
    const res = await send(post(batch), ip, WORKER)
    expect(res.status).toBe(429)
    await res.text()
  })

  test('BM-RATE-5 MCP requests past MCP_RATE_LIMIT are 429 before any body is read', async () => {
    const ip = nextIp()
    const statuses: number[] = []
    for (let id = 1; id <= 5; id++) {
      const res = await send(post({ jsonrpc: '2.0', id, method: 'ping' }, VERSION), ip, WORKER)
      statuses.push(res.status)
      await res.text()
    }
    expect(statuses).toContain(429)
  })

  test('BM-RATE-5 another caller is not held back', async () => {
    for (let i = 0; i < 3; i++)
      await (
        await send(post({ jsonrpc: '2.0', id: i, method: 'ping' }, VERSION), '203.0.113.250')
      ).text()
    const res = await send(post({ jsonrpc: '2.0', id: 9, method: 'ping' }, VERSION), nextIp())
    expect(res.status).toBe(200)
    await res.text()
  })
})

describe('BM-LIMIT-5 sessions per caller', () => {
  test('BM-LIMIT-5 past MAX_SESSIONS_PER_CALLER, initialize is still answered, without a session', async () => {
    const ip = nextIp()
    expect(await sessionOf(ip)).not.toBeNull()
    expect(await sessionOf(ip)).not.toBeNull()
    const res = await initialize(ip)
    expect(res.status).toBe(200)
    expect(res.headers.get('mcp-session-id')).toBeNull()
    expect(await res.json()).toMatchObject({ result: { protocolVersion: '2025-11-25' } })
  })

  test('BM-LIMIT-5 ending a session frees its place', async () => {
    const ip = nextIp()
    const first = (await sessionOf(ip))!
    await sessionOf(ip)
    const deleted = await send({ method: 'DELETE', headers: { 'mcp-session-id': first } }, ip)
    expect(deleted.status).toBe(204)
    expect(await sessionOf(ip)).not.toBeNull()
  })

  test('BM-LIMIT-5 a legacy /sse session past the cap is 429 (its stream is the session)', async () => {
    const ip = nextIp()
    await sessionOf(ip)
    await sessionOf(ip)
    const res = await send(
      { method: 'GET', path: '/sse', headers: { accept: 'text/event-stream' } },
      ip,
    )
    expect(res.status).toBe(429)
    expect(await res.json()).toMatchObject({
      error: { code: -31429, message: expect.stringContaining('MAX_SESSIONS_PER_CALLER') },
    })
  })
})

describe('BM-LIMIT-7 open streams per caller', () => {
  test('BM-LIMIT-7 a third GET stream of one caller is 429; a new GET of a session takes its own over', async () => {
    const ip = nextIp()
    const [a, b] = [(await sessionOf(ip))!, (await sessionOf(ip))!]
    const get = (session: string) =>
      send(
        { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': session } },
        ip,
      )
    const first = await get(a)
    const second = await get(b)
    expect([first.status, second.status]).toEqual([200, 200])
    // Taking over a's own stream is not a new stream.
    const again = await get(a)
    expect(again.status).toBe(200)
    await first.body!.cancel()
    // A third session's stream would be: but the caller has no third session (cap 2), so a
    // resumption of a stream id counts instead.
    const resumed = await send(
      {
        method: 'GET',
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': a,
          'last-event-id': 'zzzzzzzz.1',
        },
      },
      ip,
    )
    expect(resumed.status).toBe(429)
    expect(await resumed.json()).toMatchObject({
      error: { message: expect.stringContaining('MAX_STREAMS_PER_CALLER') },
    })
    await second.body!.cancel()
    await again.body!.cancel()
  })

  test('BM-LIMIT-7 2026-07-28 listen streams count per caller too', async () => {
    const ip = nextIp()
    const listen = (id: number) =>
      send(modernRequest('subscriptions/listen', { notifications: {} }, { id }), ip)
    const streams = [await listen(1), await listen(2)]
    expect(streams.map((res) => res.status)).toEqual([200, 200])
    const third = await listen(3)
    expect(third.status).toBe(429)
    expect(await third.json()).toMatchObject({ id: 3, error: { code: -31429 } })
    for (const res of streams) await res.body!.cancel()
    const again = await listen(4)
    expect(again.status).toBe(200)
    await again.body!.cancel()
  })
})

describe('BM-LIMIT-4 requests in flight per session', () => {
  test('BM-LIMIT-4 a session already running MAX_INFLIGHT_PER_SESSION requests refuses another with 429', async () => {
    const ip = nextIp()
    const session = (await sessionOf(ip))!
    const headers = { 'mcp-session-id': session }
    // count with a delay keeps running; two fill the session.
    const slow = (id: number) =>
      send(
        post(request(id, 'tools/call', toolCall('count', { to: 3, delayMs: 300 })), {
          ...VERSION,
          ...headers,
        }),
        ip,
      )
    const running = [slow(1), slow(2)]
    await new Promise((resolve) => setTimeout(resolve, 100))
    const third = await send(
      post({ jsonrpc: '2.0', id: 3, method: 'ping' }, { ...VERSION, ...headers }),
      ip,
    )
    expect(third.status).toBe(429)
    expect(await third.json()).toMatchObject({
      id: 3,
      error: { code: -31429, message: expect.stringContaining('MAX_INFLIGHT_PER_SESSION') },
    })
    for (const res of await Promise.all(running)) await res.text()
    const after = await send(
      post({ jsonrpc: '2.0', id: 4, method: 'ping' }, { ...VERSION, ...headers }),
      ip,
    )
    expect(after.status).toBe(200)
    await after.text()
  })
})
