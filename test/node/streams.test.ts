// SSE streams through a real `wrangler dev`, where a session's stream is relayed from its
// Durable Object through the Worker and workerd learns that a client went away only when it
// writes to it; neither shows inside the Workers test pool.
//
// BM-LIMIT-8: a /sse client that reads is sent every answer of fast POSTs with big answers, in
// order, however much faster the answers come than its stream drains (they wait their turn).
// MAX_STREAM_BUFFER_BYTES is at its smallest, so the stream reaches its mark at once, and
// MAX_INFLIGHT_PER_SESSION is above the number of POSTs, so this is about the stream alone.
//
// BM-LIMIT-9: a caller at MAX_STREAMS_PER_CALLER that closes its streams and opens another at
// once is admitted: its streams are probed before it is refused, for /sse, session GET and
// subscriptions/listen streams. Keep-alives are as rare as they may be (25 s), so they cannot
// be what notices the closed streams.

import http from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROOT, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'

const CAP = 3
const POSTS = 70
let worker: RunningWorker

beforeAll(async () => {
  worker = await startWrangler({
    log: `${ROOT}/.wrangler/test-streams.log`,
    persistTo: mkdtempSync(path.join(tmpdir(), 'bare-mcp-streams-')),
    vars: {
      RATE_LIMITS: 'false',
      MAX_STREAM_BUFFER_BYTES: '65536',
      MAX_INFLIGHT_PER_SESSION: String(POSTS + 10),
      MAX_STREAMS_PER_CALLER: String(CAP),
      KEEPALIVE_MS: '25000',
    },
  })
}, 120_000)
afterAll(() => worker?.stop())

let callers = 0
/** A caller of its own for each test (CF-Connecting-IP, as Cloudflare sets it). */
const newCaller = () => `198.51.100.${++callers}`

interface Stream {
  status: number
  /** Everything read so far. */
  text(): string
  ended(): boolean
  /** Closes the connection, as a client that goes away does. */
  close(): void
}

/** Opens a long-lived response on its own socket, read as fast as it comes. */
const openStream = (
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Stream> =>
  new Promise((resolve, reject) => {
    const url = new URL(worker.url)
    const request = http.request({
      host: url.hostname,
      port: url.port,
      method,
      path: pathname,
      agent: false,
      headers,
    })
    request.on('response', (response) => {
      let text = ''
      let ended = false
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (text += chunk))
      const end = () => (ended = true)
      response.on('end', end)
      response.on('error', end)
      response.on('close', end)
      resolve({
        status: response.statusCode ?? 0,
        text: () => text,
        ended: () => ended,
        close: () => request.destroy(),
      })
    })
    request.on('error', reject)
    request.end(body)
  })

const until = async (done: () => boolean, ms = 20_000) => {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
}

const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

const post = async (pathname: string, caller: string, body: unknown, headers = {}) => {
  const response = await fetch(`${worker.url}${pathname}`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'cf-connecting-ip': caller, ...headers },
    body: JSON.stringify(body),
  })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

const openSse = (caller: string) =>
  openStream('GET', '/sse', { accept: 'text/event-stream', 'cf-connecting-ip': caller })

/** The JSON of each complete `message` event of an SSE text. */
const messagesOf = (text: string): { id?: unknown }[] =>
  text
    .slice(0, text.lastIndexOf('\n\n'))
    .split('\n\n')
    .filter((block) => block.startsWith('event: message\n'))
    .map((block) => JSON.parse(block.split('\ndata: ')[1]!) as { id?: unknown })

describe('BM-LIMIT-8 a /sse client that reads, sent answers faster than its stream drains', () => {
  test('BM-LIMIT-8 fast POSTs with 60 KB answers: every answer arrives, in order, and the stream stays', async () => {
    const caller = newCaller()
    const sse = await openSse(caller)
    expect(sse.status).toBe(200)
    await until(() => sse.text().includes('\n\n'))
    const endpoint = `/${/data: (\S+)\n/.exec(sse.text())![1]}`
    const init = await post(endpoint, caller, {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2024-11-05',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    })
    expect(init.status).toBe(202)
    expect(
      (await post(endpoint, caller, { jsonrpc: '2.0', method: 'notifications/initialized' }))
        .status,
    ).toBe(202)
    // The biggest answer a request can get: each control character is 6 bytes of JSON.
    const text = '\u0001'.repeat(10_000)
    const statuses: number[] = []
    for (let id = 1; id <= POSTS; id++) {
      const call = {
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text } },
      }
      statuses.push((await post(endpoint, caller, call)).status)
    }
    expect(statuses).toEqual(Array(POSTS).fill(202))
    await until(() => sse.ended() || messagesOf(sse.text()).length === POSTS + 1)
    const ids = messagesOf(sse.text()).map((message) => message.id)
    expect(ids).toEqual(Array.from({ length: POSTS + 1 }, (_, i) => i))
    expect(sse.ended()).toBe(false)
    // The session is still there.
    expect(
      (await post(endpoint, caller, { jsonrpc: '2.0', id: 'last', method: 'ping' })).status,
    ).toBe(202)
    sse.close()
  })
})

describe('BM-LIMIT-9 a caller at MAX_STREAMS_PER_CALLER that closes its streams', () => {
  /** Opens CAP streams, checks one more is 429, closes them all and opens one more at once. */
  const reopen = async (open: (i: number) => Promise<Stream>) => {
    const streams = await Promise.all(Array.from({ length: CAP }, (_, i) => open(i)))
    expect(streams.map((stream) => stream.status)).toEqual(Array(CAP).fill(200))
    // None of them has gone: probed, they still count.
    const over = await open(CAP)
    expect(over.status).toBe(429)
    await until(() => over.ended())
    expect(over.text()).toContain('MAX_STREAMS_PER_CALLER')
    for (const stream of streams) stream.close()
    const again = await open(CAP)
    expect(again.status).toBe(200)
    again.close()
  }

  test('BM-LIMIT-9 closes its /sse streams and opens another at once: 200, not 429', async () => {
    const caller = newCaller()
    await reopen(() => openSse(caller))
  })

  test('BM-LIMIT-9 closes its session GET streams and opens another at once: 200, not 429', async () => {
    const caller = newCaller()
    const sessions: string[] = []
    for (let i = 0; i <= CAP; i++) {
      const init = await post(
        '/mcp',
        caller,
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        },
        { 'mcp-protocol-version': '2025-11-25' },
      )
      sessions.push(init.headers.get('mcp-session-id')!)
    }
    await reopen((i) =>
      openStream('GET', '/mcp', {
        accept: 'text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        'mcp-session-id': sessions[i]!,
        'cf-connecting-ip': caller,
      }),
    )
  })

  test('BM-LIMIT-9 closes its subscriptions/listen streams and opens another at once: 200, not 429', async () => {
    const caller = newCaller()
    const version = '2026-07-28'
    await reopen((i) =>
      openStream(
        'POST',
        '/mcp',
        {
          ...JSON_HEADERS,
          'mcp-protocol-version': version,
          'mcp-method': 'subscriptions/listen',
          'cf-connecting-ip': caller,
        },
        JSON.stringify({
          jsonrpc: '2.0',
          id: i + 1,
          method: 'subscriptions/listen',
          params: {
            notifications: {},
            _meta: {
              'io.modelcontextprotocol/protocolVersion': version,
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          },
        }),
      ),
    )
  })
})
