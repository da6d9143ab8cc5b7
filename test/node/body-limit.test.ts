// BM-BODY-1 through `wrangler dev`, as `npm start` serves it: a body over MAX_BODY_BYTES is
// answered 413 with its JSON-RPC error, never a 500 from the dev proxy. The Worker reads the
// rest of a refused body (and drops it) before answering, so a client or proxy still sending
// sees the 413 rather than a connection cut mid-upload.

import { expect, inject, test } from 'vitest'

const MCP = () => `${inject('mcpUrl')}/mcp`

test.each([
  ['1.5 MB', 1_500_000],
  ['12 MB', 12_000_000],
])('BM-BODY-1 a %s POST through the dev proxy gets 413, not a 500', async (_, size) => {
  const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"${'x'.repeat(size)}"}}}`
  const res = await fetch(MCP(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body,
  })
  expect(res.status).toBe(413)
  expect(await res.json()).toEqual({
    jsonrpc: '2.0',
    id: null,
    error: { code: -32600, message: 'The body exceeds 1048576 bytes' },
  })
})

test('BM-BODY-1 a chunked upload over the limit gets 413 too', async () => {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 40) controller.enqueue(chunk)
      else controller.close()
    },
  })
  const res = await fetch(MCP(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit)
  expect(res.status).toBe(413)
  await res.text()
})
