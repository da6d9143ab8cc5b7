// What the conformance suite checks only shallowly, checked on the wire against the conformance
// pack (FIXTURES=conformance): resource subscriptions and the updates they deliver (sessions and
// `subscriptions/listen`), a tool closing its stream for the client to resume (SSE polling),
// and MRTR rounds with named and several questions.
//
// Each test file runs in its own workerd instance, and its `env` is the one the Worker and the
// session shards read: setting FIXTURES here serves the conformance pack to this file alone.

// The conformance build registers its fixture pack; this file serves it.
import '../../src/conformance.ts'
import { env } from 'cloudflare:workers'
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test'
import { describe, expect, test } from 'vitest'
import { CONFORMANCE_RESOURCES, WATCHED_EVERY_MS } from '../../src/fixtures/conformance-features.ts'
import { shardName, shardOf } from '../../src/sessions/id.ts'
import type { SessionShard } from '../../src/transports/session-shard.ts'
import { MODERN_META, modernRequest } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  initializeRequest,
  inSession,
  parseSse,
  readEvents,
  request,
  rpc,
  send,
  serverWith,
  type ParsedEvent,
} from '../helpers/wire.ts'

;(env as unknown as Record<string, string>).FIXTURES = 'conformance'

const WATCHED = 'test://watched-resource'

const namespace = () =>
  (env as unknown as { SESSION_SHARD: DurableObjectNamespace<SessionShard> }).SESSION_SHARD
const shardStub = (session: string) =>
  namespace().get(namespace().idFromName(shardName(shardOf(session, 8)!)))

/** Initializes a session at `version`; its id. */
const open = async (version = '2025-11-25', capabilities: Record<string, unknown> = {}) => {
  const res = await rpc({
    ...initializeRequest(version),
    params: { ...initializeRequest(version).params, capabilities },
  })
  const id = res.headers.get('mcp-session-id')
  await res.text()
  expect(id).not.toBeNull()
  return id!
}

const getStream = (session: string, lastEventId?: string) =>
  send({
    method: 'GET',
    headers: {
      accept: 'text/event-stream',
      'mcp-session-id': session,
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
  })

/** The JSON-RPC messages among `events` (not priming events, not the /sse endpoint event). */
const jsonOf = (events: ParsedEvent[]) =>
  events
    .filter((event) => event.data !== '' && event.event !== 'endpoint')
    .map((event) => JSON.parse(event.data))

const updatesIn = (events: ParsedEvent[]) =>
  jsonOf(events).filter((message) => message.method === 'notifications/resources/updated')

const subscriptionsOf = (session: string) =>
  runInDurableObject(shardStub(session), (_, state) =>
    JSON.parse(
      String(
        state.storage.sql.exec('SELECT subscriptions FROM sessions WHERE id = ?', session).one()
          .subscriptions,
      ),
    ),
  )

describe('resources/subscribe and unsubscribe in a session', () => {
  test('R-SF-24 subscribe answers {} and keeps the URI in the session row', async () => {
    const session = await open()
    const res = await inSession(session, request(2, 'resources/subscribe', { uri: WATCHED }))
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 2, result: {} })
    expect(await subscriptionsOf(session)).toEqual([WATCHED])
    const again = await inSession(session, request(3, 'resources/subscribe', { uri: WATCHED }))
    expect(await again.json()).toEqual({ jsonrpc: '2.0', id: 3, result: {} })
    expect(await subscriptionsOf(session)).toEqual([WATCHED])
  })

  test('R-SF-24 a template expansion can be subscribed to; a URI naming nothing is -32002', async () => {
    const session = await open()
    const expanded = await inSession(
      session,
      request(2, 'resources/subscribe', { uri: 'test://template/7/data' }),
    )
    expect(await expanded.json()).toMatchObject({ result: {} })
    const missing = await inSession(
      session,
      request(3, 'resources/subscribe', { uri: 'test://nothing-here' }),
    )
    expect(await missing.json()).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32002, message: 'Resource not found', data: { uri: 'test://nothing-here' } },
    })
    const invalid = await inSession(
      session,
      request(4, 'resources/subscribe', { uri: 'no scheme' }),
    )
    expect(await invalid.json()).toMatchObject({ id: 4, error: { code: -32602 } })
  })

  test('R-SF-24 unsubscribe answers {} and forgets the URI; unsubscribing again is still {}', async () => {
    const session = await open()
    await (await inSession(session, request(2, 'resources/subscribe', { uri: WATCHED }))).text()
    for (const id of [3, 4]) {
      const res = await inSession(session, request(id, 'resources/unsubscribe', { uri: WATCHED }))
      expect(await res.json()).toEqual({ jsonrpc: '2.0', id, result: {} })
    }
    expect(await subscriptionsOf(session)).toEqual([])
  })

  test('R-SF-24 without a session nothing could carry an update: -32600 saying so', async () => {
    const res = await rpc(request(2, 'resources/subscribe', { uri: WATCHED }), {
      'mcp-protocol-version': '2025-11-25',
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: {
        code: -32600,
        message:
          'resources/subscribe needs a session: send the Mcp-Session-Id header that initialize ' +
          "returned (resource updates travel on the session's GET stream)",
      },
    })
  })

  test('R-SF-24 with SESSIONS=false subscribing is not offered: -32601', async () => {
    const res = await rpc(
      request(2, 'resources/unsubscribe', { uri: WATCHED }),
      { 'mcp-protocol-version': '2025-11-25' },
      serverWith([], { SESSIONS: 'false' }, { resources: CONFORMANCE_RESOURCES }),
    )
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: {
        code: -32601,
        message: 'Method not found: resources/unsubscribe',
        data: { reason: 'This server does not declare resources.subscribe' },
      },
    })
  })
})

describe('notifications/resources/updated', () => {
  test(
    'R-SF-24 a subscribed resource that changes is announced on the GET stream (R-HT-10), ' +
      'until unsubscribed',
    { timeout: 10_000 },
    async () => {
      const session = await open()
      const get = await getStream(session)
      expect(get.status).toBe(200)
      await (await inSession(session, request(2, 'resources/subscribe', { uri: WATCHED }))).text()
      const { events, reader } = await readEvents(
        get.body!,
        (seen) => updatesIn(seen).length >= 2,
        WATCHED_EVERY_MS * 4,
      )
      expect(updatesIn(events).slice(0, 2)).toEqual([
        {
          jsonrpc: '2.0',
          method: 'notifications/resources/updated',
          params: { uri: WATCHED },
        },
        {
          jsonrpc: '2.0',
          method: 'notifications/resources/updated',
          params: { uri: WATCHED },
        },
      ])
      // Events on the GET stream carry ids: a client that reconnects misses none (R-HT-12).
      expect(events.filter((event) => event.data !== '').every((event) => event.id)).toBe(true)
      await (await inSession(session, request(3, 'resources/unsubscribe', { uri: WATCHED }))).text()
      await reader.cancel()
      const after = await getStream(session)
      const quiet = await readEvents(after.body!, () => false, WATCHED_EVERY_MS * 1.5)
      expect(updatesIn(quiet.events)).toEqual([])
      await quiet.reader.cancel()
    },
  )

  test(
    'R-SF-24 subscriptions outlive the shard restarting: the next GET stream watches them again',
    { timeout: 10_000 },
    async () => {
      const session = await open('2025-06-18')
      await (await inSession(session, request(2, 'resources/subscribe', { uri: WATCHED }))).text()
      await abortAllDurableObjects()
      const get = await getStream(session)
      const { events, reader } = await readEvents(
        get.body!,
        (seen) => updatesIn(seen).length >= 1,
        WATCHED_EVERY_MS * 3,
      )
      expect(updatesIn(events)).toHaveLength(1)
      await reader.cancel()
    },
  )

  test(
    'R-SF-24 2024-11-05 sessions (GET /sse) get their updates on the /sse stream',
    { timeout: 10_000 },
    async () => {
      const res = await send({
        method: 'GET',
        path: '/sse',
        headers: { accept: 'text/event-stream' },
      })
      const reader = res.body!.getReader()
      const decoder = new TextDecoder()
      let text = ''
      const read = async (until: (events: ParsedEvent[]) => boolean) => {
        const deadline = Date.now() + WATCHED_EVERY_MS * 4
        let events = parseSse('')
        while (!until(events) && Date.now() < deadline) {
          const next = await reader.read()
          if (next.done) break
          text += decoder.decode(next.value, { stream: true })
          events = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2))
        }
        return events
      }
      const endpoint = (await read((seen) => seen.length >= 1))[0]!.data
      const post = (message: unknown) =>
        send({ path: `/${endpoint}`, headers: CLIENT_HEADERS, body: JSON.stringify(message) })
      await (await post(initializeRequest('2024-11-05'))).text()
      await (await post(request(2, 'resources/subscribe', { uri: WATCHED }))).text()
      const events = await read((seen) => updatesIn(seen).length >= 1)
      expect(jsonOf(events)).toContainEqual({ jsonrpc: '2.0', id: 2, result: {} })
      expect(updatesIn(events)[0]).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: WATCHED },
      })
      await reader.cancel()
    },
  )
})

describe('resourceSubscriptions on subscriptions/listen (2026-07-28)', () => {
  const listen = (id: number, notifications: Record<string, unknown>) =>
    send(modernRequest('subscriptions/listen', { notifications }, { id }))

  test(
    'R-SF-47 the acknowledgement honours the URIs that name a resource; each change of one ' +
      'follows, tagged with the subscription id (R-SF-24)',
    { timeout: 10_000 },
    async () => {
      const res = await listen(41, {
        resourceSubscriptions: [WATCHED, 'test://nothing-here', 'test://template/1/data'],
      })
      expect(res.status).toBe(200)
      const { events, reader } = await readEvents(
        res.body!,
        (seen) => seen.length >= 2,
        WATCHED_EVERY_MS * 3,
      )
      const [ack, update] = jsonOf(events)
      expect(ack).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: {
          _meta: { 'io.modelcontextprotocol/subscriptionId': 41 },
          notifications: { resourceSubscriptions: [WATCHED, 'test://template/1/data'] },
        },
      })
      expect(update).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: WATCHED, _meta: { 'io.modelcontextprotocol/subscriptionId': 41 } },
      })
      await reader.cancel()
    },
  )

  test('R-SF-47 without resourceSubscriptions no update is sent', async () => {
    const res = await listen(42, { toolsListChanged: true })
    const { events, reader } = await readEvents(res.body!, () => false, WATCHED_EVERY_MS * 1.5)
    expect(jsonOf(events).map((message) => message.method)).toEqual([
      'notifications/subscriptions/acknowledged',
    ])
    await reader.cancel()
  })
})

describe('a tool closes its stream for the client to resume (SSE polling)', () => {
  const call = (id: number, name: string) => request(id, 'tools/call', { name, arguments: {} })

  test('R-HT-9 the POST stream ends after its priming event (with retry); GET with Last-Event-ID delivers the result', async () => {
    const session = await open('2025-11-25')
    const res = await inSession(session, call(7, 'test_reconnection'))
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const raw = await res.text()
    const events = parseSse(raw)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ data: '' })
    expect(raw).toMatch(/^id: [\w-]+\.0\nretry: \d+\n/)
    const resumed = await getStream(session, events[0]!.id)
    expect(resumed.status).toBe(200)
    const rest = jsonOf(parseSse(await resumed.text()))
    expect(rest).toEqual([
      {
        jsonrpc: '2.0',
        id: 7,
        result: {
          content: [
            {
              type: 'text',
              text: 'Reconnection test completed successfully: the stream was closed and resumed.',
            },
          ],
        },
      },
    ])
  })

  test('R-HT-9 a client that reconnects while the call still runs gets the rest live', async () => {
    const session = await open('2025-11-25')
    const res = await inSession(session, call(8, 'test_reconnection'))
    const [priming] = parseSse(await res.text())
    // The tool is still pausing (100 ms): the GET attaches to the running stream.
    const resumed = await getStream(session, priming!.id)
    const rest = jsonOf(parseSse(await resumed.text()))
    expect(rest).toMatchObject([{ id: 8, result: { content: [{ type: 'text' }] } }])
  })

  test('R-HT-9 where the client could not resume, the stream stays open and closeStream is false', async () => {
    // 2025-06-18: no priming event, so the client holds no event id when the tool asks.
    const older = await open('2025-06-18')
    const inOlder = await inSession(older, call(1, 'test_reconnection'), {
      'mcp-protocol-version': '2025-06-18',
    })
    // Without a session: nothing to resume with.
    const stateless = await rpc(call(2, 'test_reconnection'), {
      'mcp-protocol-version': '2025-11-25',
    })
    for (const [res, id] of [
      [inOlder, 1],
      [stateless, 2],
    ] as const) {
      const body = (await res.json()) as { id: number; result: { content: { text: string }[] } }
      expect(body.id).toBe(id)
      expect(body.result.content[0]!.text).toMatch(/without closing the stream/)
    }
  })
})

describe('MRTR rounds in the conformance pack (2026-07-28)', () => {
  const call = (
    name: string,
    extra: Record<string, unknown> = {},
    capabilities: Record<string, unknown> = { elicitation: {}, sampling: {}, roots: {} },
  ) =>
    send(
      modernRequest(
        'tools/call',
        { name, arguments: {}, ...extra },
        {
          meta: { ...MODERN_META, 'io.modelcontextprotocol/clientCapabilities': capabilities },
          headers: { 'mcp-name': name },
        },
      ),
    ).then((res) => res.json() as Promise<{ result?: Record<string, unknown>; error?: unknown }>)

  test('R-SF-45 a question carries the key the tool gave it', async () => {
    const { result } = await call('test_input_required_result_elicitation')
    expect(result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { user_name: { method: 'elicitation/create' } },
      requestState: expect.any(String),
    })
  })

  test('R-SF-45 askAll asks several questions in one round; one retry answers them all', async () => {
    const first = await call('test_input_required_result_multiple_inputs')
    expect(Object.keys(first.result!.inputRequests as object)).toEqual([
      'user_name',
      'greeting',
      'client_roots',
    ])
    const done = await call('test_input_required_result_multiple_inputs', {
      requestState: first.result!.requestState,
      inputResponses: {
        user_name: { action: 'accept', content: { name: 'Ada' } },
        greeting: { role: 'assistant', content: { type: 'text', text: 'Hi!' }, model: 'm' },
        client_roots: { roots: [{ uri: 'file:///a' }] },
      },
    })
    expect(done.result).toMatchObject({
      resultType: 'complete',
      content: [{ type: 'text', text: 'Name: Ada; Greeting: Hi!; Roots: 1' }],
    })
  })

  test('R-SF-45 a missing answer is asked again, not an error; the others are kept', async () => {
    const first = await call('test_input_required_result_multiple_inputs')
    const again = await call('test_input_required_result_multiple_inputs', {
      requestState: first.result!.requestState,
      inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } },
    })
    expect(Object.keys(again.result!.inputRequests as object)).toEqual(['greeting', 'client_roots'])
  })

  test('R-SF-45 without requestState, answers to the first round are used and the rest ignored', async () => {
    const done = await call('test_input_required_result_elicitation', {
      inputResponses: {
        user_name: { action: 'accept', content: { name: 'Ada' } },
        unexpected: { action: 'accept', content: {} },
      },
    })
    expect(done.result).toMatchObject({ content: [{ text: 'Hello, Ada!' }] })
    // A later round's answer is not taken without the state of the round that asked it.
    const skipped = await call('test_input_required_result_multi_round', {
      inputResponses: {
        step1: { action: 'accept', content: { name: 'Ada' } },
        step2: { action: 'accept', content: { color: 'blue' } },
      },
    })
    expect(skipped.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { step2: { method: 'elicitation/create' } },
    })
  })

  test('R-SF-44 canAsk: a tool asks only what the request declared it can answer', async () => {
    const { result } = await call('test_input_required_result_capabilities', {}, { sampling: {} })
    expect(Object.keys(result!.inputRequests as object)).toEqual(['sample_input'])
  })
})

describe('several questions in a legacy session', () => {
  test('R-HT-20 R-JR-4 askAll sends its questions one after another on the call stream, each with an id of its own', async () => {
    const session = await open('2025-11-25', { elicitation: {}, sampling: {}, roots: {} })
    const res = await inSession(
      session,
      request(9, 'tools/call', {
        name: 'test_input_required_result_multiple_inputs',
        arguments: {},
      }),
    )
    const answers: Record<string, unknown> = {
      'elicitation/create': { action: 'accept', content: { name: 'Ada' } },
      'sampling/createMessage': { role: 'assistant', content: { type: 'text', text: 'Hi!' } },
      'roots/list': { roots: [] },
    }
    const asked: string[] = []
    const answered = new Set<unknown>()
    const { events, reader } = await readEvents(res.body!, (seen) => {
      for (const message of jsonOf(seen)) {
        if (typeof message.method !== 'string' || message.id === undefined) continue
        if (answered.has(message.id)) continue
        answered.add(message.id)
        asked.push(message.method)
        void inSession(session, { jsonrpc: '2.0', id: message.id, result: answers[message.method] })
      }
      return jsonOf(seen).some((message) => message.id === 9)
    })
    await reader.cancel()
    expect(asked).toEqual(['elicitation/create', 'sampling/createMessage', 'roots/list'])
    // R-JR-4: three requests, three ids (a reused id would have gone unanswered above).
    expect(answered.size).toBe(3)
    expect(jsonOf(events).at(-1)).toEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { content: [{ type: 'text', text: 'Name: Ada; Greeting: Hi!; Roots: 0' }] },
    })
  })
})

describe('a prompt asks the client in a legacy session', () => {
  test('R-HT-20 prompts/get sends elicitation/create on its stream; the POSTed answer completes it', async () => {
    const session = await open('2025-11-25', { elicitation: {} })
    const res = await inSession(session, {
      jsonrpc: '2.0',
      id: 8,
      method: 'prompts/get',
      params: { name: 'test_input_required_result_prompt' },
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const seen = () =>
      parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2)).filter((e) => e.data !== '')
    while (!seen().some((event) => event.data.includes('elicitation/create'))) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    const asked = JSON.parse(
      seen().find((event) => event.data.includes('elicitation/create'))!.data,
    ) as {
      id: string
    }
    const answered = await inSession(session, {
      jsonrpc: '2.0',
      id: asked.id,
      result: { action: 'accept', content: { context: 'Workers' } },
    })
    expect(answered.status).toBe(202)
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    const final = seen()
      .map(
        (event) =>
          JSON.parse(event.data) as {
            id?: number
            result?: { messages: { content: { text: string } }[] }
          },
      )
      .find((message) => message.id === 8)
    expect(final?.result?.messages[0]?.content.text).toBe('Prompt with context: Workers')
  })
})
