// Rate limits on the wire, in the `limits` test project (vitest.config.ts), where every limiter
// allows 2 requests per window: the authorization server's endpoints per client address
// (BM-RATE-2..4) and the shared module behind them (BM-RATE-1). Windows are fixed and aligned
// to the clock, so a burst may straddle two of them: bursts of 2 * limit + 1 always meet the
// limit, and each test counts under its own address.

import { env } from 'cloudflare:workers'
import { describe, expect, test } from 'vitest'
import type { Env } from '../../src/settings/env.ts'
import {
  callerKey,
  clientKey,
  limitMcpRequest,
  limitToolCall,
  tooManyRpcRequests,
} from '../../src/http/rate-limit.ts'
import { createServer } from '../../src/server.ts'
import { TOOLS } from '../../src/tools/index.ts'
import { ISSUER } from '../helpers/oauth.ts'
import { serverWith, type Target } from '../helpers/wire.ts'

const LIMIT = 2
const BURST = 2 * LIMIT + 1
const AUTH = {
  AUTH: 'true',
  AUTH_PROVIDER: 'dev',
  AUTH_SECRET: 'limits-test-secret-0123456789abcdef',
}
const AS = serverWith(TOOLS, AUTH)

let hosts = 0
/** An address no other test uses. */
const nextIp = () => `198.51.100.${++hosts}`

interface Hit {
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
}

const send = (target: Target, hit: Hit, ip: string | null) =>
  target.fetch(
    new Request(`${ISSUER}${hit.path}`, {
      method: hit.method,
      headers: { ...(ip === null ? {} : { 'cf-connecting-ip': ip }), ...hit.headers },
      ...(hit.body === undefined ? {} : { body: hit.body }),
    }),
  )

/** Sends `hit` BURST times from `ip`; the statuses, and the first 429 if any. */
const burst = async (target: Target, hit: Hit, ip: string | null) => {
  const statuses: number[] = []
  let refused: Response | null = null
  for (let i = 0; i < BURST; i++) {
    const res = await send(target, hit, ip)
    statuses.push(res.status)
    if (res.status === 429 && refused === null) refused = res
    else await res.body?.cancel()
  }
  return { statuses, refused }
}

const JSON_POST = { 'content-type': 'application/json' }
const FORM_POST = { 'content-type': 'application/x-www-form-urlencoded' }

const clientEndpoints: [string, string, Hit][] = [
  [
    'BM-RATE-2',
    'POST /register',
    { method: 'POST', path: '/register', headers: JSON_POST, body: '{}' },
  ],
  [
    'BM-RATE-3',
    'POST /token',
    { method: 'POST', path: '/token', headers: FORM_POST, body: 'grant_type=x' },
  ],
  [
    'BM-RATE-3',
    'POST /revoke',
    { method: 'POST', path: '/revoke', headers: FORM_POST, body: 'token=x' },
  ],
]

const pages: [string, string, Hit][] = [
  ['BM-RATE-4', 'GET /authorize', { method: 'GET', path: '/authorize?client_id=x' }],
  ['BM-RATE-4', 'GET /signin', { method: 'GET', path: '/signin?request=x' }],
  [
    'BM-RATE-4',
    'POST /consent',
    { method: 'POST', path: '/consent', headers: FORM_POST, body: 'x=1' },
  ],
]

describe('BM-RATE-2 BM-RATE-3 BM-RATE-4 the authorization server\u2019s endpoints, per client address', () => {
  test.each(clientEndpoints)(
    '%s %s over the limit: 429, Retry-After and an OAuth error body',
    async (_rule, _name, hit) => {
      const { statuses, refused } = await burst(AS, hit, nextIp())
      expect(statuses.slice(0, LIMIT)).not.toContain(429)
      expect(refused, statuses.join()).not.toBeNull()
      expect(refused!.headers.get('retry-after')).toBe('60')
      expect(refused!.headers.get('cache-control')).toContain('no-store')
      expect(refused!.headers.get('content-type')).toBe('application/json')
      expect(await refused!.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'Too many requests from this address: retry after 60 s',
      })
    },
  )

  test.each(pages)(
    '%s %s over the limit: 429, Retry-After and a page',
    async (_rule, _name, hit) => {
      const { statuses, refused } = await burst(AS, hit, nextIp())
      expect(statuses.slice(0, LIMIT)).not.toContain(429)
      expect(refused, statuses.join()).not.toBeNull()
      expect(refused!.headers.get('retry-after')).toBe('60')
      expect(refused!.headers.get('content-type')).toContain('text/html')
      expect(await refused!.text()).toContain('Too many requests')
    },
  )

  test('BM-RATE-2 the count is per address: another address is not held back', async () => {
    const hit = clientEndpoints[0]![2]
    expect((await burst(AS, hit, nextIp())).refused).not.toBeNull()
    const other = await send(AS, hit, nextIp())
    expect(other.status).toBe(400)
  })

  test('BM-RATE-2 an IPv6 client counts as its /64', async () => {
    const hit = clientEndpoints[0]![2]
    const net = `2001:db8:${++hosts}:1`
    const statuses: number[] = []
    for (let i = 0; i < BURST; i++) {
      statuses.push((await send(AS, hit, `${net}::${i + 1}`)).status)
    }
    expect(statuses).toContain(429)
    expect((await send(AS, hit, `2001:db8:${++hosts}:1::1`)).status).toBe(400)
  })
})

describe('BM-RATE-1 the rate-limit module', () => {
  test('BM-RATE-1 RATE_LIMITS=false lifts every limit', async () => {
    const off = serverWith(TOOLS, { ...AUTH, RATE_LIMITS: 'false' })
    for (const [, , hit] of [...clientEndpoints, ...pages]) {
      const { statuses } = await burst(off, hit, nextIp())
      expect(statuses).not.toContain(429)
    }
  })

  test('BM-RATE-1 without the binding there is no limit', async () => {
    const { REGISTER_RATE_LIMIT: _gone, ...unbound } = env as unknown as Record<string, unknown>
    const server = createServer(TOOLS)
    const target: Target = { fetch: (request) => server.fetch(request, { ...unbound, ...AUTH }) }
    const { statuses } = await burst(target, clientEndpoints[0]![2], nextIp())
    expect(statuses).not.toContain(429)
  })

  test('BM-RATE-1 a request without CF-Connecting-IP (no address) is not counted', async () => {
    const { statuses } = await burst(AS, clientEndpoints[0]![2], null)
    expect(statuses).not.toContain(429)
  })

  test('BM-RATE-1 R-SF-10 the per-caller helpers count the principal, else the address', async () => {
    const workerEnv = env as unknown as Env
    const request = (ip: string) =>
      new Request(`${ISSUER}/mcp`, { headers: { 'cf-connecting-ip': ip } })
    const ip = nextIp()
    expect(callerKey(request(ip), null)).toBe(`ip:${ip}`)
    expect(callerKey(request(ip), { subject: 'github:1' })).toBe('sub:github:1')
    expect(clientKey(new Request(`${ISSUER}/mcp`))).toBeNull()
    expect(clientKey(request('2001:DB8:0:0012:0:0:0:1'))).toBe('ip:2001:db8:0:12::/64')
    const principal = { subject: `user-${ip}` }
    for (const limit of [limitMcpRequest, limitToolCall]) {
      const outcomes = []
      for (let i = 0; i < BURST; i++)
        outcomes.push(await limit(workerEnv, true, request(ip), principal))
      const refused = outcomes.find((outcome) => !outcome.ok)
      expect(refused).toEqual({ ok: false, retryAfter: 10 })
      // Switched off, nothing is counted.
      expect(await limit(workerEnv, false, request(ip), principal)).toEqual({ ok: true })
    }
  })

  test('BM-RATE-1 an MCP refusal: 429, Retry-After and a JSON-RPC error (-31429) with the id', async () => {
    const res = tooManyRpcRequests(10, 7)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('10')
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -31429,
        message: 'Rate limit exceeded: retry after 10 s',
        data: { retryAfter: 10 },
      },
    })
  })
})
