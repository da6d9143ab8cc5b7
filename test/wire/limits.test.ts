// Every request has a bounded cost: each limit of the README's "Limits" table, pushed past its
// edge, gives its documented answer (a clear JSON-RPC error with the right status), never a 500
// and never a cost in proportion to the input.

import { describe, expect, test } from 'vitest'
import { openResumable } from '../../src/transports/resumable.ts'
import { openSseStream } from '../../src/transports/sse.ts'
import { TOOLS } from '../../src/tools/index.ts'
import { legacyRequest, modernRequest, MODERN_META } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  INIT_PARAMS,
  post,
  send,
  serverWith,
  type Target,
} from '../helpers/wire.ts'

const initialize = (params: Record<string, unknown>, target?: Target) =>
  send(
    post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', ...params },
      }),
    ),
    target,
  )

describe('BM-LIMIT-1 batches', () => {
  test('BM-LIMIT-1 a 2025-03-26 batch of MAX_BATCH messages is answered', async () => {
    const batch = Array.from({ length: 32 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'ping' }))
    const res = await send(post(JSON.stringify(batch)))
    expect(res.status).toBe(200)
    expect(await res.json()).toHaveLength(32)
  })

  test('BM-LIMIT-1 a longer batch is 400 with one -32600 naming the limit, and nothing runs', async () => {
    const batch = Array.from({ length: 20_000 }, (_, id) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/list',
    }))
    const res = await send(post(JSON.stringify(batch)))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: 'A batch may hold at most 32 messages (MAX_BATCH); this one holds 20000',
      },
    })
  })

  test('BM-LIMIT-1 MAX_BATCH is a setting', async () => {
    const server = serverWith(TOOLS, { MAX_BATCH: '2' })
    const three = JSON.stringify([1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'ping' })))
    const res = await send(post(three), server)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'at most 2 messages',
    )
  })
})

describe('BM-LIMIT-2 nesting', () => {
  test.each([
    [
      'a legacy request',
      (deep: unknown) =>
        legacyRequest('tools/call', { name: 'echo', arguments: { text: 'x', deep } }),
    ],
    [
      'a 2026-07-28 request',
      (deep: unknown) =>
        modernRequest(
          'tools/call',
          { name: 'echo', arguments: { text: 'x', deep } },
          { headers: { 'mcp-name': 'echo' } },
        ),
    ],
  ])(
    'BM-LIMIT-2 %s nesting deeper than MAX_JSON_DEPTH is 400 with -32600, whatever its size',
    async (_, request) => {
      let deep: unknown = 1
      for (let level = 0; level < 100_000; level++) deep = { a: deep }
      const res = await send(request(deep))
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({
        id: null,
        error: { code: -32600, message: 'The body nests deeper than 64 levels (MAX_JSON_DEPTH)' },
      })
    },
  )

  test('BM-LIMIT-2 nesting within the limit is served', async () => {
    let deep: unknown = 1
    for (let level = 0; level < 50; level++) deep = { a: deep }
    const res = await send(legacyRequest('ping', { deep }))
    expect(res.status).toBe(200)
    await res.text()
  })
})

describe('BM-LIMIT-3 what a session stores of initialize', () => {
  test('BM-LIMIT-3 a 1 MB clientInfo is 400 with -32602 naming MAX_CLIENT_INFO_BYTES; no session is opened', async () => {
    const res = await initialize({
      ...INIT_PARAMS,
      clientInfo: { name: 'big', version: '1', pad: 'x'.repeat(1_000_000) },
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('mcp-session-id')).toBeNull()
    const body = (await res.json()) as { id: unknown; error: { code: number; message: string } }
    expect(body.id).toBe(1)
    expect(body.error.code).toBe(-32602)
    expect(body.error.message).toMatch(/at most 16384 bytes of JSON \(MAX_CLIENT_INFO_BYTES\)/)
  })

  test('BM-LIMIT-3 capabilities nesting deeper than MAX_CLIENT_INFO_DEPTH are 400 with -32602', async () => {
    let deep: Record<string, unknown> = {}
    for (let level = 0; level < 20; level++) deep = { x: deep }
    const res = await initialize({ ...INIT_PARAMS, capabilities: deep })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { code: number; message: string } }
    expect(body.error.code).toBe(-32602)
    expect(body.error.message).toMatch(/at most 16 levels \(MAX_CLIENT_INFO_DEPTH\)/)
  })

  test('BM-LIMIT-3 capabilities nested 100,000 deep are 400, never a 500', async () => {
    let deep: Record<string, unknown> = {}
    for (let level = 0; level < 100_000; level++) deep = { x: deep }
    const res = await initialize({ ...INIT_PARAMS, capabilities: deep })
    expect(res.status).toBe(400)
    await res.text()
  })

  test('BM-LIMIT-3 the same limits hold on the legacy /sse transport', async () => {
    const stream = await send({
      method: 'GET',
      path: '/sse',
      headers: { accept: 'text/event-stream' },
    })
    const reader = stream.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    const endpoint = /data: (\S+)/.exec(first)![1]!
    const res = await send({
      path: `/${endpoint}`,
      headers: CLIENT_HEADERS,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'initialize',
        params: {
          ...INIT_PARAMS,
          clientInfo: { name: 'big', version: '1', pad: 'x'.repeat(20_000) },
        },
      }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ id: 7, error: { code: -32602 } })
    await reader.cancel()
  })
})

describe('BM-LIMIT-8 a stream and a client slower than its writers', () => {
  const MARK = 65_536
  /** A stream with the smallest mark; keep-alives and the stall as each test needs. */
  const open = (KEEPALIVE_MS = 60_000, MAX_STREAM_STALL_MS = 60_000) =>
    openSseStream({ KEEPALIVE_MS, MAX_STREAM_BUFFER_BYTES: MARK, MAX_STREAM_STALL_MS })
  const data = 'x'.repeat(1024)
  /** Whether `promise` has settled by the end of this turn of the event loop (and how). */
  const settled = async <T>(promise: Promise<T>): Promise<{ value: T } | 'pending'> =>
    Promise.race([
      promise.then((value) => ({ value })),
      scheduler.wait(0).then(() => 'pending' as const),
    ])
  const decoder = new TextDecoder()
  /** Reads `reader` to its end, or until `enough` holds of what it read. */
  const readAll = async (
    reader: ReadableStreamDefaultReader<Uint8Array>,
    enough: (text: string) => boolean = () => false,
    pause = 0,
  ) => {
    let text = ''
    while (!enough(text)) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
      if (pause > 0) await scheduler.wait(pause)
    }
    return text
  }
  const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]))

  test('BM-LIMIT-8 a reader slower than its writers loses nothing, in order: writers wait their turn', async () => {
    const stream = open()
    // 300 answers of 1 KiB at once (their requests in flight until taken), and a notification
    // among them: far past the mark, each taken as the reader makes room, in the order sent.
    const sends = Array.from({ length: 300 }, (_, i) =>
      i === 150
        ? stream.send({ id: String(i), event: 'message', data: 'note' })
        : stream.send({ id: String(i), event: 'message', data }, { paced: true }),
    )
    // About MARK bytes taken at once; the rest wait.
    expect(await settled(sends[10]!)).toEqual({ value: true })
    expect(await settled(sends[299]!)).toBe('pending')
    void stream.close()
    // The reader pauses after every chunk: much slower than the writers.
    const text = await readAll(stream.readable.getReader(), undefined, 1)
    expect(await Promise.all(sends)).toEqual(Array(300).fill(true))
    expect(ids(text)).toEqual(Array.from({ length: 300 }, (_, i) => i))
  })

  test('BM-LIMIT-8 a reader that stops is cut off after MAX_STREAM_STALL_MS of waiting writers', async () => {
    const stream = open(60_000, 300)
    const reader = stream.readable.getReader()
    const sends = Array.from({ length: 100 }, (_, i) =>
      stream.send({ id: String(i), event: 'message', data }, { paced: true }),
    )
    // It reads a little, then nothing more: the writers wait, and the stream waits for it.
    await readAll(reader, (text) => ids(text).length >= 5)
    expect(await settled(sends[99]!)).toBe('pending')
    expect(stream.closed.aborted).toBe(false)
    await new Promise((resolve) => stream.closed.addEventListener('abort', resolve))
    // Cut off: what waited is refused, what the stream held is dropped, its reader sees why.
    expect(await sends[99]).toBe(false)
    expect(await stream.send({ event: 'message', data })).toBe(false)
    await expect(reader.read()).rejects.toThrow('MAX_STREAM_STALL_MS')
  })

  test('BM-LIMIT-8 events nobody waits for cut the client off past 2 × MAX_STREAM_BUFFER_BYTES', async () => {
    const stream = open()
    let offered = 0
    // Notifications, none awaited, to a client that does not read.
    while (!stream.closed.aborted) {
      void stream.send({ event: 'message', data })
      offered++
    }
    // About twice the mark was held (taken, then waiting), then the client was dropped.
    expect(offered).toBeGreaterThan((2 * MARK) / 1100)
    expect(offered).toBeLessThan((2 * MARK) / 1024 + 2)
    expect(await stream.send({ event: 'message', data })).toBe(false)
    await expect(stream.readable.getReader().read()).rejects.toThrow('MAX_STREAM_BUFFER_BYTES')
  })

  test('BM-LIMIT-8 a client that reads is never cut off', async () => {
    const stream = open(60_000, 1_000)
    const reader = stream.readable.getReader()
    for (let i = 0; i < 500; i++) {
      expect(await stream.send({ event: 'message', data })).toBe(true)
      await reader.read()
    }
    expect(stream.closed.aborted).toBe(false)
    await stream.close()
  })

  test('BM-LIMIT-8 a resumption longer than the mark is replayed as its client reads, live events after it', async () => {
    const logged: { seq: number; payload: string }[] = []
    const log = {
      append: (_: string, seq: number, payload: string) => void logged.push({ seq, payload }),
      after: (_: string, seq: number) => logged.filter((event) => event.seq > seq),
    }
    const first = open()
    const stream = openResumable(log, first, { priming: false, retryMs: 1000 })
    await stream.disconnect()
    // 200 events of 1 KiB logged while no client was connected: three times the mark.
    for (let i = 1; i <= 200; i++) await stream.send(i)
    const next = open()
    const attached = stream.attach(next, 0)
    // Sent while the replay waits for its reader: it follows the replay, never within it.
    await stream.send(201)
    await stream.finish()
    const text = await readAll(next.readable.getReader(), undefined, 1)
    await attached
    const sequence = [...text.matchAll(/^id: [\w-]+\.(\d+)$/gm)].map((match) => Number(match[1]))
    expect(sequence).toEqual(Array.from({ length: 201 }, (_, i) => i + 1))
    expect(next.closed.aborted).toBe(true)
  })

  test('BM-LIMIT-8 no keep-alive is added while the stream is at its mark', async () => {
    const stream = open(20)
    const sends = Array.from({ length: 100 }, (_, i) =>
      stream.send({ id: String(i), event: 'message', data }, { paced: true }),
    )
    // Several keep-alive periods pass with writers waiting.
    await scheduler.wait(150)
    void stream.close()
    const text = await readAll(stream.readable.getReader())
    expect(await Promise.all(sends)).toEqual(Array(100).fill(true))
    expect(text).not.toContain(': keep-alive')
  })
})

describe('BM-BODY-1 bodies over MAX_BODY_BYTES', () => {
  test('BM-BODY-1 a declared Content-Length over the limit is 413, and the body is read to its end', async () => {
    let pulled = 0
    const chunk = new Uint8Array(64 * 1024)
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled++ < 40) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const res = await send(
      {
        headers: { ...CLIENT_HEADERS, 'content-length': String(40 * 64 * 1024) },
        body,
      },
      serverWith(TOOLS, { MAX_BODY_BYTES: '1024' }),
    )
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ error: { code: -32600 } })
    expect(pulled).toBe(41)
  })
})

describe('R-SF-45 requestState across isolates and callers', () => {
  const greet = (params: Record<string, unknown> = {}) =>
    modernRequest(
      'tools/call',
      { name: 'greet', arguments: {}, ...params },
      {
        meta: { ...MODERN_META, 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } },
      },
    )
  const stateFrom = async (target: Target): Promise<string> => {
    const res = await send(greet(), target)
    const body = (await res.json()) as { result: { requestState: string } }
    return body.result.requestState
  }

  test('R-SF-45 R-LC-24 without MRTR_SECRET the key comes from the shared secret: any isolate verifies it, another secret does not', async () => {
    const issuer = serverWith(TOOLS, { AUTH_SECRET: 'a'.repeat(40) })
    const state = await stateFrom(issuer)
    // A fresh environment with the same secret stands for another isolate of the deployment.
    const sibling = serverWith(TOOLS, { AUTH_SECRET: 'a'.repeat(40) })
    const retry = await send(
      greet({
        requestState: state,
        inputResponses: { q0: { action: 'accept', content: { name: 'Ada' } } },
      }),
      sibling,
    )
    expect(await retry.json()).toMatchObject({ result: { resultType: 'complete' } })
    const stranger = serverWith(TOOLS, { AUTH_SECRET: 'b'.repeat(40) })
    const refused = await send(greet({ requestState: state }), stranger)
    expect(await refused.json()).toMatchObject({
      error: { code: -32602, message: 'requestState failed verification' },
    })
  })
})
