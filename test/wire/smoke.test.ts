import { exports } from 'cloudflare:workers'
import { expect, test } from 'vitest'

test('ping', async () => {
  const res = await exports.default.fetch('http://localhost/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
  })
  expect(res.status).toBe(200)
  expect(await res.text()).toBe('{"jsonrpc":"2.0","id":1,"result":{}}')
})
