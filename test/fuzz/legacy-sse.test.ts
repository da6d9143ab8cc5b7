// BM-FUZZ-5: the legacy HTTP+SSE transport (2024-11-05) through the real Worker: GET /sse with
// hostile headers, then hostile POSTs to the endpoint it names (or to forged and broken ones),
// while the stream stays open. Every POST's response and every event on the stream pass the
// same checks as everywhere else; the stream stays well-framed; the server still answers.

import fc from 'fast-check'
import { expect, test } from 'vitest'
import {
  checkAsync,
  DEADLINE_MS,
  expectEvents,
  expectNoLeaks,
  expectSound,
  runs,
  stillAnswers,
  tap,
  timeoutFor,
  withLiveness,
  within,
} from '../helpers/fuzz.ts'
import {
  CLIENT,
  legacySseSequence,
  mutateHeaders,
  sendHostile,
  toJson,
} from '../helpers/hostile.ts'

type Sequence = typeof legacySseSequence extends fc.Arbitrary<infer T> ? T : never

/** The `/messages` URL an `endpoint` event names, resolved against the `/sse` path. */
const resolveEndpoint = (ssePath: string, endpoint: string): string =>
  new URL(endpoint, `http://localhost${ssePath}`).pathname +
  new URL(endpoint, `http://localhost${ssePath}`).search

const INITIALIZE = toJson({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2024-11-05',
    capabilities: {},
    clientInfo: { name: 'f', version: '1' },
  },
})

const runLegacy = async (seq: Sequence): Promise<void> => {
  const headers = mutateHeaders({ accept: 'text/event-stream' }, seq.sseHeaders)
  const res = await within(
    DEADLINE_MS,
    'GET /sse',
    sendHostile({ method: 'GET', path: seq.ssePath, headers, mayStayOpen: true }),
  )
  expect(res.status, 'status').toBeLessThan(500)
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    // Refused (a bad Origin, Accept): an ordinary response.
    await expectSound(Promise.resolve(res), { mayStayOpen: false, rpc: true })
    return
  }
  const stream = tap(res.body!)
  try {
    // R-SSE-2: the first event names the endpoint.
    await stream.read(DEADLINE_MS, (text) => text.includes('\n\n'))
    const first = expectEvents(stream.text, false, true).events[0]
    expect(first?.type, 'the first event').toBe('endpoint')
    const endpoint = resolveEndpoint(seq.ssePath, first!.data)
    expect(endpoint).toMatch(/^\/messages\?sessionId=/)

    const posts = seq.initialize
      ? [
          { query: 'real', method: 'POST', request: { headers: CLIENT, body: INITIALIZE } },
          ...seq.posts,
        ]
      : seq.posts
    for (const post of posts) {
      const path = post.query === 'real' ? endpoint : `/messages${post.query}`
      await expectSound(
        sendHostile({
          method: post.method,
          path,
          headers: post.request.headers,
          ...(post.request.body === undefined ? {} : { body: post.request.body }),
          ...('mutation' in post.request && post.request.mutation !== undefined
            ? { mutation: post.request.mutation }
            : {}),
          mayStayOpen: false,
        }),
        { mayStayOpen: false, rpc: true },
      )
    }
    // Whatever the POSTs produced arrives on the stream as `event: message` (R-SSE-3).
    await stream.read(25)
    expectEvents(stream.text, stream.ended, true)
    expectNoLeaks(stream.text)
  } finally {
    await stream.cancel()
  }
}

const LEGACY = 100
test(
  `BM-FUZZ-5 legacy HTTP+SSE: GET /sse, then hostile POSTs to /messages, never get a 5xx, a leak, a hang or a broken stream (${runs(LEGACY)} sequences)`,
  async () => {
    await checkAsync(fc.asyncProperty(legacySseSequence, withLiveness(runLegacy)), LEGACY)
    await stillAnswers()
  },
  timeoutFor(LEGACY, 600),
)
