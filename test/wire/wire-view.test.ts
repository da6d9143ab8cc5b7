// The wire view (src/wire/): every exchange with an MCP endpoint is recorded with the rules it
// exercised (one table, src/wire/rules.ts), in a bounded window, never with a credential; the
// page and its stream are open on a loopback host and behind ADMIN_TOKEN on a public one.
//
// Each rule-table case sends real requests into the Worker, then reads the record back from
// /_wire/exchanges, as the page does.

import { describe, expect, test } from 'vitest'
import { RULE_TABLE } from '../../src/wire/rules.ts'
import { MODERN_META, modernRequest } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  initializeRequest,
  post,
  readEvents,
  request,
  send,
  workerWith,
  type Target,
} from '../helpers/wire.ts'

interface WireRow {
  id: string
  summary: string
  requestBody: string | null
  session: string | null
  client: string | null
  status: number | null
  request: { target: string; headers: [string, string][] }
  rules: string[]
  findings: { rule: string; level: string }[]
}

const records = async (target?: Target): Promise<WireRow[]> =>
  (await (
    await send({ method: 'GET', path: '/_wire/exchanges', headers: {} }, target)
  ).json()) as WireRow[]

/** The record whose request body contains `marker`. */
const recordOf = async (marker: string, target?: Target): Promise<WireRow> => {
  const found = (await records(target)).filter((r) => r.requestBody?.includes(marker))
  expect(found.length, `a record with ${marker}`).toBeGreaterThan(0)
  return found.at(-1)!
}

/** Opens a session; its headers. */
const session = async (version = '2025-11-25', name = 'wire-view-test') => {
  const init = initializeRequest(version)
  const res = await send({
    headers: CLIENT_HEADERS,
    body: JSON.stringify({
      ...init,
      params: { ...init.params, clientInfo: { name, version: '1' } },
    }),
  })
  await res.body?.cancel()
  return {
    ...CLIENT_HEADERS,
    'mcp-session-id': res.headers.get('mcp-session-id')!,
    'mcp-protocol-version': version,
  }
}

interface Case {
  name: string
  /** Sends what the case is about; returns a string the exchange's body contains. */
  run(): Promise<string>
  rules: string[]
}

let seq = 0
const marker = () => `wv-${Date.now().toString(36)}-${++seq}`

const cases: Case[] = [
  {
    name: 'R-LC-1 initialize: the handshake, its result and the session it opens',
    run: async () => {
      const name = marker()
      await session('2025-11-25', name)
      return name
    },
    rules: ['R-LC-1', 'R-LC-2', 'R-LC-3', 'R-HT-7', 'R-HT-13'],
  },
  {
    name: 'R-HT-6 notifications/initialized in a session: 202, never answered',
    run: async () => {
      const headers = await session()
      const note = marker()
      await send(
        post(
          {
            jsonrpc: '2.0',
            method: 'notifications/initialized',
            params: { _meta: { note } },
          },
          headers,
        ),
      )
      return note
    },
    rules: ['R-LC-4', 'R-LC-11', 'R-JR-9', 'R-HT-6'],
  },
  {
    name: 'R-SF-7 tools/call in a session, answered in JSON',
    run: async () => {
      const headers = await session()
      const text = marker()
      await (
        await send(post(request(2, 'tools/call', { name: 'echo', arguments: { text } }), headers))
      ).text()
      return text
    },
    rules: ['R-LC-11', 'R-HT-17', 'R-JR-5', 'R-HT-7', 'R-SF-7'],
  },
  {
    name: 'R-HT-8 a call that sends progress is answered as an SSE stream',
    run: async () => {
      const headers = await session()
      const token = marker()
      const res = await send(
        post(
          request(3, 'tools/call', {
            name: 'count',
            arguments: { to: 2 },
            _meta: { progressToken: token },
          }),
          headers,
        ),
      )
      await res.text()
      return token
    },
    rules: ['R-HT-8', 'R-JR-19', 'R-HT-9', 'R-HT-12'],
  },
  {
    name: 'R-JR-17 a 2025-03-26 batch',
    run: async () => {
      const id = marker()
      await (
        await send(
          post([request(id, 'ping'), request(`${id}b`, 'ping')], {
            'mcp-protocol-version': '2025-03-26',
          }),
        )
      ).text()
      return id
    },
    rules: ['R-LC-9', 'R-JR-17'],
  },
  {
    name: 'R-LC-22 a 2026-07-28 request for a version we do not serve',
    run: async () => {
      const id = marker()
      const meta = { ...MODERN_META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }
      await (
        await send(
          modernRequest(
            'tools/list',
            {},
            { id, meta, headers: { 'mcp-protocol-version': '2099-01-01' } },
          ),
        )
      ).text()
      return id
    },
    rules: ['R-LC-22'],
  },
  {
    name: 'R-LC-23 server/discover: a 2026-07-28 request and its cacheable result',
    run: async () => {
      const id = marker()
      await (await send(modernRequest('server/discover', {}, { id }))).text()
      return id
    },
    rules: ['R-LC-29', 'R-LC-20', 'R-HT-34', 'R-HT-36', 'R-LC-23', 'R-JR-11', 'R-LC-26', 'R-SF-35'],
  },
  {
    name: 'R-SF-43 an MRTR round: input_required asking the client (2026-07-28)',
    run: async () => {
      const id = marker()
      const meta = {
        ...MODERN_META,
        'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
      }
      await (
        await send(modernRequest('tools/call', { name: 'greet', arguments: {} }, { id, meta }))
      ).text()
      return id
    },
    rules: ['R-SF-43', 'R-SF-44'],
  },
  {
    name: 'R-HT-37 a 2026-07-28 header that disagrees with the body is -32020',
    run: async () => {
      const id = marker()
      await (
        await send(
          modernRequest('tools/list', {}, { id, headers: { 'mcp-method': 'prompts/list' } }),
        )
      ).text()
      return id
    },
    rules: ['R-HT-37'],
  },
  {
    name: 'R-HT-35 an unknown 2026-07-28 method is 404 with -32601',
    run: async () => {
      const id = marker()
      await (await send(modernRequest('ping', {}, { id }))).text()
      return id
    },
    rules: ['R-HT-35', 'R-JR-12'],
  },
  {
    name: 'R-HT-20 a response to a request the server never sent, in a session',
    run: async () => {
      const headers = await session()
      const id = marker()
      await send(post({ jsonrpc: '2.0', id, result: {} }, headers))
      return id
    },
    rules: ['R-HT-6', 'R-HT-20'],
  },
  {
    name: 'R-HT-4 (strict) a refusal names the rule the client broke',
    run: async () => {
      const id = marker()
      await (
        await send({
          path: '/mcp/strict',
          ...post(request(id, 'ping'), {
            'content-type': 'application/json',
            accept: 'application/json',
          }),
        })
      ).text()
      return id
    },
    rules: ['R-HT-4'],
  },
]

describe('BM-WIRE-2 each exchange is annotated with the rules it exercised', () => {
  test.each(cases)('BM-WIRE-2 $name', async (c) => {
    const found = await recordOf(await c.run())
    expect(found.rules).toEqual(expect.arrayContaining(c.rules))
  })

  test('BM-WIRE-2 the table names each rule once, and every id it names has a SPEC_NOTES row', async () => {
    const ids = RULE_TABLE.map(([id]) => id)
    expect(new Set(ids).size).toBe(ids.length)
    const notes = (await (
      await send({ method: 'GET', path: '/_wire/notes', headers: {} })
    ).json()) as Record<string, unknown>
    expect(ids.filter((id) => !(id in notes))).toEqual([])
  })

  test('BM-WIRE-2 a GET stream of a session: its frames, the priming event and keep-alives', async () => {
    const headers = await session()
    const res = await send({ method: 'GET', headers: { ...headers, accept: 'text/event-stream' } })
    const { reader } = await readEvents(res.body!, (events) => events.length > 0)
    await reader.cancel()
    const found = (await records()).filter(
      (r) => r.summary === 'GET stream' && r.session === headers['mcp-session-id'],
    )
    expect(found.at(-1)!.rules).toEqual(
      expect.arrayContaining(['R-HT-10', 'R-HT-9', 'R-HT-12', 'R-LC-11']),
    )
  })

  test('BM-WIRE-2 a /sse session: its stream and its POSTs grouped under its session', async () => {
    const res = await send({
      method: 'GET',
      path: '/sse',
      headers: { accept: 'text/event-stream' },
    })
    const { events, reader } = await readEvents(res.body!, (seen) => seen.length > 0)
    const endpoint = events[0]!.data
    const id = marker()
    const posted = await send({
      path: `/${endpoint}`,
      headers: CLIENT_HEADERS,
      body: JSON.stringify(request(id, 'ping')),
    })
    expect(posted.status).toBe(202)
    const sessionId = new URLSearchParams(endpoint.split('?')[1]).get('sessionId')
    const message = await recordOf(id)
    expect(message.session).toBe(sessionId)
    expect(message.rules).toEqual(expect.arrayContaining(['R-SSE-5', 'R-LC-9']))
    await reader.cancel()
    const stream = (await records()).filter(
      (r) => r.summary === '/sse stream' && r.session === sessionId,
    )
    expect(stream.at(-1)!.rules).toEqual(expect.arrayContaining(['R-SSE-1', 'R-SSE-2']))
  })
})

describe('BM-WIRE-3 nothing secret is recorded', () => {
  test('BM-WIRE-3 Authorization, cookies and credential query parameters never reach the view', async () => {
    const id = marker()
    await send({
      path: '/mcp?access_token=query-secret-123&x=1',
      headers: {
        ...CLIENT_HEADERS,
        authorization: 'Bearer header-secret-456',
        cookie: 'session=cookie-secret-789',
      },
      body: JSON.stringify(request(id, 'ping')),
    })
    const found = await recordOf(id)
    const text = JSON.stringify(await records())
    for (const secret of ['query-secret-123', 'header-secret-456', 'cookie-secret-789'])
      expect(text).not.toContain(secret)
    expect(found.request.target).toBe('/mcp?access_token=%5Bredacted%5D&x=1')
  })
})

describe('BM-WIRE-4 the window is bounded', () => {
  test('BM-WIRE-4 WIRE_VIEW_MAX_EXCHANGES keeps only the latest exchanges', async () => {
    const worker = workerWith({ WIRE_VIEW_MAX_EXCHANGES: '10' })
    for (let i = 0; i < 15; i++)
      await (await send(post(request(`bound-${i}`, 'ping')), worker)).text()
    const kept = await records(worker)
    expect(kept).toHaveLength(10)
    expect(kept.at(-1)!.requestBody).toContain('bound-14')
    expect(kept[0]!.requestBody).toContain('bound-5')
  })

  test('BM-WIRE-4 a window larger than MAX_STREAM_BUFFER_BYTES reaches a watching page whole: the stream waits for the page, it does not cut it off', async () => {
    const worker = workerWith({ MAX_STREAM_BUFFER_BYTES: '65536' })
    const pad = 'p'.repeat(12_000)
    const ids = Array.from({ length: 30 }, (_, i) => `${marker()}-big-${i}`)
    for (const id of ids) await (await send(post(request(id, 'ping', { pad })), worker)).text()
    // 30 records of over 12 KB each: more than twice the 64 KiB mark, sent as one first batch.
    const res = await send({ method: 'GET', path: '/_wire/events', headers: {} }, worker)
    expect(res.status).toBe(200)
    const seen = (events: { data: string }[]) =>
      ids.filter((id) => events.some((event) => event.data.includes(id))).length
    const { events, reader } = await readEvents(res.body!, (got) => seen(got) === ids.length)
    expect(seen(events)).toBe(ids.length)
    await reader.cancel()
  })
})

const PUBLIC = 'https://mcp.example.com'
const TOKEN = 'wire-admin-token-0123456789'
const publicly = (target: Target, path: string, init: RequestInit = {}) =>
  target.fetch(new Request(`${PUBLIC}${path}`, init))

describe('BM-WIRE-5 who may see it', () => {
  test('BM-WIRE-5 on a public host it is off by default: 404, and nothing is recorded', async () => {
    const worker = workerWith({ ADMIN_TOKEN: TOKEN })
    const id = marker()
    await publicly(worker, '/mcp', {
      method: 'POST',
      headers: CLIENT_HEADERS,
      body: JSON.stringify(request(id, 'ping')),
    })
    expect((await publicly(worker, '/_wire')).status).toBe(404)
    expect(JSON.stringify(await records(worker))).not.toContain(id)
  })

  test('BM-WIRE-5 WIRE_VIEW=true without ADMIN_TOKEN is off (503), never open', async () => {
    const worker = workerWith({ WIRE_VIEW: 'true' })
    expect((await publicly(worker, '/_wire/exchanges')).status).toBe(503)
    expect((await publicly(worker, '/_wire/events')).status).toBe(503)
  })

  test('BM-WIRE-5 WIRE_VIEW=true with ADMIN_TOKEN: the page and its stream need the token; a browser signs in once for an HttpOnly, SameSite=Strict cookie', async () => {
    const worker = workerWith({ WIRE_VIEW: 'true', ADMIN_TOKEN: TOKEN })
    const form = await publicly(worker, '/_wire')
    expect(form.status).toBe(401)
    const page = await form.text()
    expect(page).toContain('action="/_wire/login"')
    expect(page).not.toContain(TOKEN)
    expect((await publicly(worker, '/_wire/events')).status).toBe(401)
    const bearer = await publicly(worker, '/_wire/exchanges', {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(bearer.status).toBe(200)

    const wrong = await publicly(worker, '/_wire/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC },
      body: 'token=not-the-token-at-all',
    })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).not.toContain('not-the-token-at-all')
    const foreign = await publicly(worker, '/_wire/login', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: `token=${TOKEN}`,
    })
    expect(foreign.status).toBe(403)

    const signedIn = await publicly(worker, '/_wire/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC },
      body: `token=${TOKEN}`,
    })
    expect(signedIn.status).toBe(303)
    expect(signedIn.headers.get('location')).toBe('/_wire')
    const cookie = signedIn.headers.get('set-cookie')!
    expect(cookie).toMatch(
      /^bare_mcp_wire=\d+\.[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/_wire; Max-Age=\d+; Secure$/,
    )
    expect(cookie).not.toContain(TOKEN)
    const pair = cookie.split(';')[0]!
    const viewed = await publicly(worker, '/_wire', { headers: { cookie: pair } })
    expect(viewed.status).toBe(200)
    expect(await viewed.text()).not.toContain(TOKEN)
    const stream = await publicly(worker, '/_wire/events', { headers: { cookie: pair } })
    expect(stream.status).toBe(200)
    await stream.body?.cancel()
    const forged = await publicly(worker, '/_wire', {
      headers: { cookie: `${pair.slice(0, -2)}AA` },
    })
    expect(forged.status).toBe(401)
  })

  test('BM-WIRE-5 the page refuses framing and allows only its own inline script (a nonce)', async () => {
    const res = await send({ method: 'GET', path: '/_wire', headers: {} })
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy')!
    const nonce = /script-src 'nonce-([0-9a-f]+)'/.exec(csp)![1]!
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("default-src 'none'")
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    const html = await res.text()
    expect(html).toContain(`<script nonce="${nonce}">`)
    expect(html).not.toMatch(/<script[^>]*\ssrc=/)
  })

  test('BM-WIRE-5 WIRE_VIEW=false: no page and nothing recorded, even on loopback', async () => {
    const worker = workerWith({ WIRE_VIEW: 'false' })
    expect((await send({ method: 'GET', path: '/_wire', headers: {} }, worker)).status).toBe(404)
  })
})

describe('BM-WIRE-6 the strict report', () => {
  test('BM-WIRE-6 lists each rule a client broke, how often, with the quote and the fix', async () => {
    const name = marker()
    const headers = await session('2025-11-25', name)
    const strict = { ...headers }
    delete (strict as Record<string, string>)['mcp-protocol-version']
    for (const id of [2, 3])
      await (await send({ path: '/mcp/strict', ...post(request(id, 'tools/list'), strict) })).text()
    const report = (await (
      await send({ method: 'GET', path: '/_wire/report', headers: {} })
    ).json()) as {
      client: string
      violations: { rule: string; count: number; fix: string; quote: string }[]
    }[]
    const mine = report.find((line) => line.client === `${name}/1`)!
    expect(mine.violations).toEqual([
      expect.objectContaining({
        rule: 'R-LC-11',
        count: 2,
        fix: expect.stringContaining('MCP-Protocol-Version'),
      }),
    ])
  })
})
