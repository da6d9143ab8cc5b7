// Sessions on the wire: minting at initialize, requests run in the session's shard, 404 for
// unknown and terminated sessions, DELETE, the GET stream, resumption, cancellation, expiry by
// alarm, eviction, and the legacy HTTP+SSE transport.

import { env } from 'cloudflare:workers'
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, test } from 'vitest'
import { shardName, shardOf } from '../../src/sessions/id.ts'
import type { SessionShard } from '../../src/transports/session-shard.ts'
import { echo } from '../../src/tools/echo.ts'
import { has, revisionsWith } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  initializeRequest,
  inSession,
  messages,
  parseSse,
  rpc,
  send,
  request,
  serverWith,
  toolCall,
  readEvents,
} from '../helpers/wire.ts'

const SHARDS = 8
const namespace = () =>
  (env as unknown as { SESSION_SHARD: DurableObjectNamespace<SessionShard> }).SESSION_SHARD
const shardStub = (session: string) =>
  namespace().get(namespace().idFromName(shardName(shardOf(session, SHARDS)!)))

/** Initializes a session at `version`; its id. */
const open = async (version = '2025-11-25', capabilities: Record<string, unknown> = {}) => {
  const res = await rpc({
    ...initializeRequest(version),
    params: { ...initializeRequest(version).params, capabilities },
  })
  expect(res.status).toBe(200)
  const id = res.headers.get('mcp-session-id')
  expect(id).toMatch(/^s\d+\.[A-Za-z0-9_-]{32}$/)
  await res.text()
  return id!
}

/** Opens a legacy /sse stream; its endpoint, session id and reader (cancel it when done). */
const openSse = async () => {
  const res = await send({ method: 'GET', path: '/sse', headers: { accept: 'text/event-stream' } })
  const { events, reader } = await readEvents(res.body!, (seen) => seen.length >= 1)
  const endpoint = events[0]!.data
  return { endpoint, session: decodeURIComponent(endpoint.split('sessionId=')[1]!), reader }
}

describe('session table', () => {
  test('R-HT-13 initialize mints an unguessable, visible-ASCII Mcp-Session-Id naming its shard', async () => {
    const a = await open()
    const b = await open()
    expect(a).not.toBe(b)
    expect(shardOf(a, SHARDS)).not.toBeNull()
  })

  test('R-HT-13 the session id is readable by browser clients (exposed by CORS)', async () => {
    const res = await rpc(initializeRequest('2025-11-25'), { origin: 'http://localhost:6274' })
    expect(res.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id')
    expect(res.headers.get('mcp-session-id')).not.toBeNull()
  })

  test('R-LC-8 BM-SESSION-1 requests with the session id are answered in the negotiated revision', async () => {
    const session = await open('2025-03-26')
    const res = await inSession(session, request(2, 'tools/call', toolCall('add', { a: 1, b: 2 })))
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { content: [{ type: 'text', text: '{"sum":3}' }] },
    })
  })

  test('BM-SESSION-2 a client that never sends the id back is still served statelessly', async () => {
    await open()
    const res = await rpc(request(3, 'tools/call', toolCall('echo', { text: 'hi' })), {
      'mcp-protocol-version': '2025-11-25',
    })
    expect(res.status).toBe(200)
  })

  test('R-HT-14 R-JR-8 an unknown (well-formed) session id is 404 with a JSON-RPC error naming the request id', async () => {
    const res = await inSession('s1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
    })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32600,
        message: 'Session not found: it expired or was terminated; initialize again',
      },
    })
  })

  test('R-HT-15 R-LC-10 DELETE terminates the session (shutdown over HTTP); later requests get 404', async () => {
    const session = await open()
    const deleted = await send({ method: 'DELETE', headers: { 'mcp-session-id': session } })
    expect(deleted.status).toBe(204)
    const after = await inSession(session, { jsonrpc: '2.0', id: 1, method: 'ping' })
    expect(after.status).toBe(404)
    await after.text()
  })

  test('BM-SESSION-3 initialize inside a session is refused', async () => {
    const session = await open()
    const res = await inSession(session, initializeRequest('2025-11-25'))
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32600,
        message:
          'This session is already initialized; send initialize without Mcp-Session-Id to start a new one',
      },
    })
  })

  test('R-SF-31 logging/setLevel is remembered for the session', async () => {
    const session = await open()
    const quiet = await inSession(session, {
      jsonrpc: '2.0',
      id: 1,
      method: 'logging/setLevel',
      params: { level: 'error' },
    })
    expect(await quiet.json()).toEqual({ jsonrpc: '2.0', id: 1, result: {} })
    const res = await inSession(
      session,
      request(2, 'tools/call', toolCall('count', { to: 1, delayMs: 0 })),
    )
    expect(res.headers.get('content-type')).toBe('application/json')
    const loud = await open()
    await (
      await inSession(loud, {
        jsonrpc: '2.0',
        id: 1,
        method: 'logging/setLevel',
        params: { level: 'debug' },
      })
    ).text()
    const streamed = await inSession(
      loud,
      request(2, 'tools/call', toolCall('count', { to: 1, delayMs: 0 })),
    )
    const events = parseSse(await streamed.text()).filter((event) => event.data !== '')
    expect(events.map((event) => JSON.parse(event.data).params?.level)).toEqual([
      'debug',
      'info',
      undefined,
    ])
  })

  test('R-JR-20 notifications/cancelled stops the call and suppresses its response', async () => {
    const session = await open()
    const pending = inSession(
      session,
      request(7, 'tools/call', toolCall('count', { to: 50, delayMs: 100 })),
      {
        'mcp-protocol-version': '2025-11-25',
      },
    )
    await scheduler.wait(150)
    const cancelled = await inSession(session, {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 7, reason: 'user' },
    })
    expect(cancelled.status).toBe(202)
    const res = await pending
    const text = await res.text()
    expect(text).not.toContain('"id":7')
  })
})

describe('streams and resumption', () => {
  describe.each(revisionsWith('sessions'))('%s', (revision) => {
    test("R-HT-9 R-HT-12 a session's POST stream: event ids <stream>.<n> where the revision resumes streams, opening with a priming event (empty data) only where it has them", async () => {
      const session = await open(revision)
      const res = await inSession(
        session,
        request(1, 'tools/call', toolCall('count', { to: 2, delayMs: 0 }, { progressToken: 'p' })),
      )
      const events = parseSse(await res.text())
      const primed = has(revision, 'primingEvents')
      expect(events[0]!.data === '', 'priming event').toBe(primed)
      if (!has(revision, 'resumableStreams')) {
        expect(events.map((event) => event.id)).toEqual(events.map(() => undefined))
        return
      }
      const stream = events[0]!.id!.split('.')[0]
      expect(stream).toMatch(/^[\w-]+$/)
      const first = primed ? 0 : 1
      expect(events.map((event) => event.id)).toEqual(
        events.map((_, i) => `${stream}.${first + i}`),
      )
      expect(events.slice(primed ? 1 : 0).every((event) => event.data !== '')).toBe(true)
    })
  })

  test('R-HT-12 a dropped POST stream is resumed with GET and Last-Event-ID, with only what followed', async () => {
    const session = await open('2025-11-25')
    const res = await inSession(
      session,
      request(9, 'tools/call', toolCall('count', { to: 4, delayMs: 150 }, { progressToken: 'p' })),
    )
    const { events, reader } = await readEvents(res.body!, (seen) => seen.length >= 2)
    await reader.cancel()
    const last = events.at(-1)!.id!
    const resumed = await send({
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'last-event-id': last },
    })
    expect(resumed.status).toBe(200)
    const rest = parseSse(await resumed.text())
    const messages = rest.map(
      (event) =>
        JSON.parse(event.data) as { id?: number; method?: string; params?: { progress?: number } },
    )
    expect(messages.at(-1)).toMatchObject({ id: 9 })
    const seenProgress = events
      .filter((e) => e.data !== '')
      .map((e) => JSON.parse(e.data).params.progress)
    const progress = messages
      .filter((m) => m.method === 'notifications/progress')
      .map((m) => m.params?.progress)
    expect([...seenProgress, ...progress]).toEqual([1, 2, 3, 4])
  })

  test('R-HT-10 R-HT-11 GET with a session opens the standalone stream; a second GET takes it over and the first ends (each message has one stream)', async () => {
    const session = await open('2025-11-25')
    const first = await send({
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': session },
    })
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('text/event-stream')
    const { events, reader } = await readEvents(first.body!, (seen) => seen.length >= 1)
    expect(events[0]).toMatchObject({ data: '' })
    const second = await send({
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': session },
    })
    expect(second.status).toBe(200)
    // The first stream is closed by the server: its reader sees the end.
    for (;;) if ((await reader.read()).done) break
    await second.body!.cancel()
  })

  test('R-HT-10 once the client drops its GET stream, a new GET opens another (not 409)', async () => {
    const session = await open('2025-06-18')
    const get = () =>
      send({ method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': session } })
    const first = await get()
    expect(first.status).toBe(200)
    await first.body!.cancel()
    // At once: the old connection may not be seen to drop yet.
    const second = await get()
    expect(second.status).toBe(200)
    await second.body!.cancel()
  })

  test('BM-LIMIT-9 a client that closes its /sse stream ends its session at once: its next /messages POST is 404', async () => {
    const { endpoint, reader } = await openSse()
    await reader.cancel()
    // The Worker tells the shard when the client goes away. Here the cancel reaches the Worker at
    // once; workerd proper notices at its next write to the client (test/node/streams.test.ts).
    await scheduler.wait(20)
    const res = await send({
      path: `/${endpoint}`,
      headers: CLIENT_HEADERS,
      body: '{"jsonrpc":"2.0","id":5,"method":"ping"}',
    })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ id: 5 })
  })

  test('BM-LIMIT-9 a client that drops its GET stream is seen to go: the shard stops polling for it', async () => {
    const session = await open('2025-06-18')
    const first = await send({
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': session },
    })
    expect(first.status).toBe(200)
    await first.body!.cancel()
    await scheduler.wait(20)
    // The session is no longer streaming: the alarm no longer keeps it alive.
    const stub = shardStub(session)
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec('UPDATE sessions SET last_seen = 0 WHERE id = ?', session)
    })
    await runDurableObjectAlarm(stub)
    const after = await inSession(session, { jsonrpc: '2.0', id: 1, method: 'ping' })
    expect(after.status).toBe(404)
    await after.text()
  })

  test('R-HT-14 a legacy /sse session id is not a Streamable HTTP session: GET and DELETE on /mcp are 404', async () => {
    const res = await send({
      method: 'GET',
      path: '/sse',
      headers: { accept: 'text/event-stream' },
    })
    const { events, reader } = await readEvents(res.body!, (seen) => seen.length >= 1)
    const session = decodeURIComponent(events[0]!.data.split('sessionId=')[1]!)
    for (const method of ['GET', 'DELETE']) {
      const other = await send({
        method,
        headers: { accept: 'text/event-stream', 'mcp-session-id': session },
      })
      expect(other.status).toBe(404)
      await other.text()
    }
    await reader.cancel()
  })

  test('R-HT-10 GET whose Accept excludes text/event-stream is 406', async () => {
    const session = await open()
    const res = await send({
      method: 'GET',
      headers: { accept: 'application/json', 'mcp-session-id': session },
    })
    expect(res.status).toBe(406)
    await res.text()
  })
})

describe('the shard', () => {
  test('BM-SESSION-4 expiry: the alarm deletes idle sessions and their events', async () => {
    const session = await open('2025-11-25')
    await (
      await inSession(
        session,
        request(1, 'tools/call', toolCall('count', { to: 1, delayMs: 0 }, { progressToken: 'p' })),
      )
    ).text()
    const stub = shardStub(session)
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec('UPDATE sessions SET last_seen = 0')
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    // Counted for this session only: other tests' sessions may share its shard.
    const left = await runInDurableObject(stub, (_, state) => ({
      sessions: state.storage.sql
        .exec('SELECT COUNT(*) AS n FROM sessions WHERE id = ?', session)
        .one().n,
      events: state.storage.sql
        .exec('SELECT COUNT(*) AS n FROM events WHERE session = ?', session)
        .one().n,
    }))
    expect(left).toEqual({ sessions: 0, events: 0 })
    const res = await inSession(session, { jsonrpc: '2.0', id: 1, method: 'ping' })
    expect(res.status).toBe(404)
    await res.text()
  })

  test('BM-SESSION-4 a session with an open stream is in use, not idle: the alarm keeps it', async () => {
    const { endpoint, session, reader } = await openSse()
    const stub = shardStub(session)
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec('UPDATE sessions SET last_seen = 0')
    })
    await runDurableObjectAlarm(stub)
    const ping = await send({
      path: `/${endpoint}`,
      headers: CLIENT_HEADERS,
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    })
    expect(ping.status).toBe(202)
    await ping.text()
    await reader.cancel()
  })

  test('BM-SESSION-5 a session survives its shard being restarted', async () => {
    const session = await open('2025-06-18')
    await abortAllDurableObjects()
    const res = await inSession(session, request(1, 'tools/call', toolCall('add', { a: 2, b: 2 })))
    expect(await res.json()).toMatchObject({ id: 1, result: { structuredContent: { sum: 4 } } })
  })
})

describe('legacy HTTP+SSE (2024-11-05)', () => {
  const post = (endpoint: string, message: unknown) =>
    send({ path: `/${endpoint}`, headers: CLIENT_HEADERS, body: JSON.stringify(message) })

  test('R-SSE-2 R-SSE-6 GET /sse opens with an endpoint event holding a relative URI, uncached', async () => {
    const res = await send({
      method: 'GET',
      path: '/sse',
      headers: { accept: 'text/event-stream' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    const { events, reader } = await readEvents(res.body!, (seen) => seen.length >= 1)
    expect(events[0]!.event).toBe('endpoint')
    expect(events[0]!.data).toMatch(/^messages\?sessionId=s\d+\.[\w-]{32}$/)
    await reader.cancel()
  })

  test('R-SSE-1 R-SSE-3 a GET stream at /sse and POSTs to its endpoint: every answer arrives as an event named message; POSTs get 202', async () => {
    const res = await send({
      method: 'GET',
      path: '/sse',
      headers: { accept: 'text/event-stream' },
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const next = async (count: number) => {
      while (parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2)).length < count) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value, { stream: true })
      }
      return parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2))
    }
    const endpoint = (await next(1))[0]!.data
    const init = await post(endpoint, initializeRequest('2024-11-05'))
    expect(init.status).toBe(202)
    const [, initialized] = await next(2)
    expect(initialized!.event).toBe('message')
    expect(JSON.parse(initialized!.data)).toMatchObject({
      id: 1,
      result: { protocolVersion: '2024-11-05' },
    })
    expect(
      (await post(endpoint, { jsonrpc: '2.0', method: 'notifications/initialized' })).status,
    ).toBe(202)
    expect(
      (await post(endpoint, request(2, 'tools/call', toolCall('echo', { text: 'over sse' }))))
        .status,
    ).toBe(202)
    const events = await next(3)
    expect(JSON.parse(events[2]!.data)).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { content: [{ type: 'text', text: 'over sse' }] },
    })
    await reader.cancel()
  })

  test('R-SSE-4 a foreign Origin is refused on /sse and /messages (403), as on /mcp', async () => {
    const foreign = { origin: 'https://evil.example' }
    const stream = await send({
      method: 'GET',
      path: '/sse',
      headers: { accept: 'text/event-stream', ...foreign },
    })
    expect(stream.status).toBe(403)
    await stream.text()
    const { endpoint, reader } = await openSse()
    const posted = await send({
      path: `/${endpoint}`,
      headers: { ...CLIENT_HEADERS, ...foreign },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    })
    expect(posted.status).toBe(403)
    await posted.text()
    await reader.cancel()
  })

  test('R-HT-19 an old client finds HTTP+SSE: POST initialize to /sse is 405, and /mcp never opens with an endpoint event', async () => {
    const probe = await send({
      path: '/sse',
      headers: CLIENT_HEADERS,
      body: JSON.stringify(initializeRequest('2024-11-05')),
    })
    expect(probe.status).toBe(405)
    expect(probe.headers.get('allow')).toBe('GET, OPTIONS')
    await probe.text()
    const get = await send({ method: 'GET', headers: { accept: 'text/event-stream' } })
    expect(get.status).toBe(405)
    expect(get.headers.get('content-type')).not.toBe('text/event-stream')
    await get.text()
  })

  test('R-SSE-8 the deprecated transport is served for old clients, and SESSIONS=false turns it off', async () => {
    const off = serverWith([echo], { SESSIONS: 'false' })
    const stream = await send(
      { method: 'GET', path: '/sse', headers: { accept: 'text/event-stream' } },
      off,
    )
    expect(stream.status).toBe(404)
    await stream.text()
    const posted = await send(
      { path: '/messages?sessionId=s1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', body: '{}' },
      off,
    )
    expect(posted.status).toBe(404)
    await posted.text()
    // On by default.
    const { reader } = await openSse()
    await reader.cancel()
  })

  test('R-SSE-5 a POST for an unknown session is 404; without sessionId 400', async () => {
    const unknown = await post('messages?sessionId=s1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
    })
    expect(unknown.status).toBe(404)
    await unknown.text()
    const missing = await post('messages', { jsonrpc: '2.0', id: 1, method: 'ping' })
    expect(missing.status).toBe(400)
    await missing.text()
  })

  test('R-SSE-7 R-LC-10 closing the stream ends the session and deletes its state', async () => {
    const { endpoint, session, reader } = await openSse()
    await reader.cancel()
    let status = 0
    for (let tries = 0; tries < 50 && status !== 404; tries++) {
      await scheduler.wait(100)
      const res = await post(endpoint, { jsonrpc: '2.0', id: 1, method: 'ping' })
      status = res.status
      await res.text()
    }
    expect(status).toBe(404)
    const rows = await runInDurableObject(
      shardStub(session),
      (_, state) =>
        state.storage.sql.exec('SELECT COUNT(*) AS n FROM sessions WHERE id = ?', session).one().n,
    )
    expect(rows).toBe(0)
  })
})

describe('server-to-client requests in a session', () => {
  test('R-HT-20 a tool asks on the call stream; the answer POSTed in the session completes the call', async () => {
    const session = await open('2025-11-25', { elicitation: {} })
    const res = await inSession(session, request(5, 'tools/call', toolCall('greet', {})))
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const { events, reader } = await readEvents(res.body!, (seen) =>
      seen.some((event) => event.data.includes('elicitation/create')),
    )
    const asked = JSON.parse(
      events.find((event) => event.data.includes('elicitation/create'))!.data,
    ) as {
      id: string
      method: string
      params: { message: string }
    }
    expect(asked).toMatchObject({
      method: 'elicitation/create',
      params: { message: 'What is your name?' },
    })
    const answered = await inSession(session, {
      jsonrpc: '2.0',
      id: asked.id,
      result: { action: 'accept', content: { name: 'Ada' } },
    })
    expect(answered.status).toBe(202)
    let text = ''
    const decoder = new TextDecoder()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    const result = parseSse(text)
      .map((event) => JSON.parse(event.data || 'null'))
      .find((m) => m?.id === 5)
    expect(result).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: 'Hello, Ada!' }] },
    })
  })

  test('R-SF-41 R-LC-8 a session whose client did not declare elicitation gets a tool error, no request', async () => {
    const session = await open('2025-11-25')
    const res = await inSession(session, request(6, 'tools/call', toolCall('greet', {})))
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 6,
      result: {
        content: [
          {
            type: 'text',
            text: 'The client did not declare the capability elicitation/create needs',
          },
        ],
        isError: true,
      },
    })
  })
})

describe('BM-SESSION-6 a server built with its own lists keeps them inside its sessions', () => {
  const only = serverWith([echo])
  test('BM-SESSION-6 tools/list in a createServer([echo]) session lists echo alone', async () => {
    const init = await rpc(initializeRequest('2025-11-25'), {}, only)
    const session = init.headers.get('mcp-session-id')!
    expect(session).toBeTruthy()
    const listed = await rpc(
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
      only,
    )
    const [answer] = (await messages(listed)) as { result: { tools: { name: string }[] } }[]
    expect(answer!.result.tools.map((tool) => tool.name)).toEqual(['echo'])
  })
})
