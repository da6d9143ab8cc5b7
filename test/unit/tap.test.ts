// BM-OBSERVE-1: the tap lets observers see an exchange without changing what the client gets:
// a JSON body passes through as it was, an SSE body frame by frame as it flows, and the
// exchange ends with the response, or when its client goes away. Credentials never reach it.

import { describe, expect, test } from 'vitest'
import type { Exchange, Frame, Observer } from '../../src/observe/exchange.ts'
import { tap } from '../../src/observe/tap.ts'

const recorder = () => {
  const seen: { begun: Exchange[]; frames: Frame[]; ended: Exchange[] } = {
    begun: [],
    frames: [],
    ended: [],
  }
  const observer: Observer = {
    begin: (exchange) => void seen.begun.push(exchange),
    frame: (_, frame) => void seen.frames.push(frame),
    end: (exchange) => void seen.ended.push(exchange),
  }
  return { seen, observer }
}

const request = () =>
  new Request('http://localhost/mcp?x=1', {
    method: 'POST',
    headers: { authorization: 'Bearer secret-token', cookie: 'a=b', 'mcp-session-id': 's1.abc' },
    body: '{}',
  })

describe('BM-OBSERVE-1 the tap', () => {
  test('BM-OBSERVE-1 nobody observing: no tap at all', () => {
    expect(tap(request(), new URL('http://localhost/mcp?x=1'), 'mcp', [])).toBeNull()
  })

  test('BM-OBSERVE-1 a JSON answer passes through unchanged and is recorded; credentials are redacted', async () => {
    const { seen, observer } = recorder()
    const tapped = tap(request(), new URL('http://localhost/mcp?x=1'), 'mcp', [observer])!
    tapped.body('{"jsonrpc":"2.0","id":1,"method":"ping"}')
    const body = '{"jsonrpc":"2.0","id":1,"result":{}}'
    const response = await tapped.finish(
      new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }),
    )
    expect(await response.text()).toBe(body)
    expect(response.status).toBe(200)
    const [exchange] = seen.ended
    expect(exchange).toMatchObject({
      endpoint: 'mcp',
      request: { method: 'POST', target: '/mcp?x=1' },
      requestBody: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      session: 's1.abc',
      status: 200,
      responseBody: body,
      abandoned: false,
    })
    expect(exchange!.request.headers).toContainEqual(['authorization', '[redacted]'])
    expect(exchange!.request.headers).toContainEqual(['cookie', '[redacted]'])
    expect(JSON.stringify(exchange)).not.toContain('secret-token')
  })

  test('BM-OBSERVE-1 an SSE answer flows through unchanged, frame by frame, and ends with the stream', async () => {
    const { seen, observer } = recorder()
    const tapped = tap(request(), new URL('http://localhost/mcp?x=1'), 'mcp', [observer])!
    const text =
      'id: a.0\nretry: 1000\ndata: \n\n: keep-alive\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n'
    const encoded = new TextEncoder().encode(text)
    // Split mid-line, as the network may.
    const chunks = [encoded.subarray(0, 7), encoded.subarray(7, 40), encoded.subarray(40)]
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk)
        controller.close()
      },
    })
    const response = await tapped.finish(
      new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    )
    expect(await response.text()).toBe(text)
    expect(seen.frames.map(({ at: _, ...frame }) => frame)).toEqual([
      { id: 'a.0', retry: 1000, data: '' },
      { comment: 'keep-alive' },
      { event: 'message', data: '{"jsonrpc":"2.0","id":1,"result":{}}' },
    ])
    expect(seen.ended).toHaveLength(1)
    expect(seen.ended[0]!.abandoned).toBe(false)
  })

  test('BM-OBSERVE-1 an observer may ask for the whole JSON body; the work its end returns goes to waitUntil', async () => {
    const bodies: string[] = []
    const kept: Promise<unknown>[] = []
    let done = false
    const observer: Observer = {
      response: (_, body) => void bodies.push(body),
      end: () =>
        new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => void (done = true)),
    }
    const tapped = tap(
      request(),
      new URL('http://localhost/mcp?x=1'),
      'mcp',
      [observer],
      (work) => void kept.push(work),
    )!
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { text: 'x'.repeat(70_000) } })
    const response = await tapped.finish(
      new Response(big, { headers: { 'content-type': 'application/json' } }),
    )
    expect(await response.text()).toBe(big)
    expect(bodies).toEqual([big])
    // The kept copy is cut; the observer had the whole.
    expect(tapped.exchange.responseBody!.length).toBeLessThan(big.length)
    expect(kept).toHaveLength(1)
    expect(done).toBe(false)
    await kept[0]
    expect(done).toBe(true)
  })

  test('BM-OBSERVE-1 a client that goes away ends the exchange as abandoned', async () => {
    const { seen, observer } = recorder()
    const tapped = tap(request(), new URL('http://localhost/mcp?x=1'), 'mcp', [observer])!
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode(': hi\n\n')),
    })
    const response = await tapped.finish(
      new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    )
    const reader = response.body!.getReader()
    await reader.read()
    expect(seen.ended).toHaveLength(0)
    await reader.cancel()
    expect(seen.ended).toHaveLength(1)
    expect(seen.ended[0]!.abandoned).toBe(true)
  })

  test('BM-OBSERVE-1 an observer that throws never breaks the exchange it watches', async () => {
    const { seen, observer } = recorder()
    const broken: Observer = {
      begin: () => {
        throw new Error('observer bug')
      },
      end: () => {
        throw new Error('observer bug')
      },
    }
    const tapped = tap(request(), new URL('http://localhost/mcp'), 'mcp', [broken, observer])!
    const response = await tapped.finish(
      new Response('{}', { headers: { 'content-type': 'application/json' } }),
    )
    expect(await response.text()).toBe('{}')
    expect(seen.ended).toHaveLength(1)
  })
})
