// BM-AUDIT-4: a request over a rate limit is an audit event naming the limiter, with the
// client's address, in the `limits` project where every limiter allows 2 per window. Addresses
// are this file's own (192.0.2.0/24), so no other test's counts meet them.

import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { TOOLS } from '../../src/tools/index.ts'
import { captureLog, type Line } from '../helpers/logs.ts'
import { CLIENT_HEADERS, serverWith } from '../helpers/wire.ts'

const server = serverWith(TOOLS, { SERVER_LOG_LEVEL: 'info', AUTH: 'true' })
const open = serverWith(TOOLS, { SERVER_LOG_LEVEL: 'info' })

let hosts = 0
const nextIp = () => `192.0.2.${++hosts}`

let log: ReturnType<typeof captureLog>
beforeEach(() => {
  log = captureLog()
})
afterEach(() => log.restore())

const refusal = (ip: string, limiter: string) => (line: Line) =>
  line.kind === 'audit' &&
  line['event.name'] === 'rate_limit.refused' &&
  line['client.address'] === ip &&
  line['rate_limit.name'] === limiter

const post = (target: typeof server, path: string, ip: string, body: string, type: string) =>
  target.fetch(
    new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { ...CLIENT_HEADERS, 'content-type': type, 'cf-connecting-ip': ip },
      body,
    }),
  )

describe('BM-AUDIT-4 rate-limit refusals are audit events', () => {
  test('BM-AUDIT-4 POST /register over REGISTER_RATE_LIMIT', async () => {
    const ip = nextIp()
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      const res = await post(server, '/register', ip, '{}', 'application/json')
      statuses.push(res.status)
      await res.text()
    }
    expect(statuses).toContain(429)
    const line = await log.find(refusal(ip, 'REGISTER_RATE_LIMIT'))
    expect(line).toMatchObject({
      level: 'warn',
      'event.outcome': 'failure',
      'http.response.status_code': 429,
      'url.path': '/register',
    })
  })

  test('BM-AUDIT-4 MCP requests over MCP_RATE_LIMIT, tool calls over TOOL_CALL_RATE_LIMIT', async () => {
    const ip = nextIp()
    for (let id = 1; id <= 5; id++) {
      const ping = JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })
      await (await post(open, '/mcp', ip, ping, 'application/json')).text()
    }
    await log.find(refusal(ip, 'MCP_RATE_LIMIT'))
    const other = nextIp()
    const batch = [1, 2, 3, 4, 5].map((id) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    }))
    const res = await post(open, '/mcp', other, JSON.stringify(batch), 'application/json')
    expect(res.status).toBe(429)
    await res.text()
    await log.find(refusal(other, 'TOOL_CALL_RATE_LIMIT'))
  })
})
