// Strict mode for client authors: on `/mcp/strict` (or everywhere with STRICT=true) what a
// conforming client MUST NOT send is refused with 400 and an error naming the rule id and
// quoting it (src/strict/rules.ts); what it only SHOULD do is served, with the rule named in
// `Mcp-Strict-Warnings`. Each test sends one violation and checks the rule it names; the same
// request to the lenient `/mcp` is served as before.

import { describe, expect, test } from 'vitest'
import { STRICT_RULES } from '../../src/strict/rules.ts'
import { metaKeyProblem } from '../../src/strict/meta.ts'
import { MODERN_META, modernRequest } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  initializeRequest,
  post,
  readEvents,
  request,
  send,
  workerWith,
  type RawRequest,
} from '../helpers/wire.ts'

const STRICT = '/mcp/strict'
const VERSION = '2025-11-25'

interface Refusal {
  jsonrpc: string
  id: unknown
  error: { code: number; message: string; data: { strict: boolean; rule: string; fix: string } }
}

/** Sends `raw` to the strict endpoint and expects the refusal of `rule`. */
const refusedFor = async (rule: keyof typeof STRICT_RULES, raw: RawRequest, path = STRICT) => {
  const res = await send({ ...raw, path })
  expect(res.status).toBe(400)
  const body = (await res.json()) as Refusal
  expect(body.error.message.startsWith(`${rule} (strict): `)).toBe(true)
  expect(body.error.message).toContain(STRICT_RULES[rule].quote)
  expect(body.error.data).toMatchObject({ strict: true, rule, fix: STRICT_RULES[rule].fix })
  return body
}

/** A strict session at `version`, initialized and announced (unless told not to). */
const strictSession = async (
  capabilities: Record<string, unknown> = {},
  { announce = true, version = VERSION } = {},
) => {
  const init = initializeRequest(version)
  const res = await send({
    path: STRICT,
    headers: CLIENT_HEADERS,
    body: JSON.stringify({ ...init, params: { ...init.params, capabilities } }),
  })
  expect(res.status).toBe(200)
  await res.body?.cancel()
  const session = res.headers.get('mcp-session-id')!
  const headers = { ...CLIENT_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': version }
  if (announce) {
    const said = await send({
      path: STRICT,
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    })
    expect(said.status).toBe(202)
  }
  return { session, headers }
}

describe('strict mode refuses what a client MUST NOT send', () => {
  test('R-HT-4 (strict) a POST whose Accept lists only application/json is refused; /mcp serves it', async () => {
    const raw = post(request(1, 'tools/list'), { accept: 'application/json' })
    await refusedFor('R-HT-4', raw)
    expect((await send(raw)).status).toBe(200)
  })

  test('R-HT-4 (strict) Accept: */* admits both types but does not list them', async () => {
    await refusedFor('R-HT-4', post(request(1, 'ping'), { accept: '*/*' }))
  })

  test('R-JR-17 (strict) a batch in 2025-06-18 names the rule', async () => {
    const raw = post([request(1, 'ping'), request(2, 'ping')], {
      'mcp-protocol-version': '2025-06-18',
    })
    const body = await refusedFor('R-JR-17', raw)
    expect(body.error.message).toContain('2025-06-18')
  })

  test('R-JR-17 (strict) a batch in a session that negotiated 2025-11-25 names the rule, whatever the header', async () => {
    const { headers } = await strictSession()
    await refusedFor('R-JR-17', post([request(7, 'ping'), request(8, 'ping')], headers))
  })

  test('R-LC-11 (strict) a request of a 2025-11-25 session without MCP-Protocol-Version is refused', async () => {
    const { session } = await strictSession()
    const raw = post(request(2, 'tools/list'), { 'mcp-session-id': session })
    const body = await refusedFor('R-LC-11', raw)
    expect(body.id).toBe(2)
    expect(body.error.message).toContain(
      'MCP-Protocol-Version is missing; this session negotiated 2025-11-25',
    )
  })

  test('R-LC-11 (strict) a version header other than the negotiated one is refused, GET and DELETE too', async () => {
    const { headers } = await strictSession()
    const wrong = { ...headers, 'mcp-protocol-version': '2025-06-18' }
    await refusedFor('R-LC-11', post(request(2, 'tools/list'), wrong))
    await refusedFor('R-LC-11', {
      method: 'GET',
      headers: { ...wrong, accept: 'text/event-stream' },
    })
    await refusedFor('R-LC-11', { method: 'DELETE', headers: wrong })
  })

  test('R-JR-4 (strict) a request id used before in the session is refused', async () => {
    const { headers } = await strictSession()
    expect((await send({ path: STRICT, ...post(request(5, 'tools/list'), headers) })).status).toBe(
      200,
    )
    const body = await refusedFor('R-JR-4', post(request(5, 'prompts/list'), headers))
    expect(body.error.message).toContain('request id 5 (prompts/list) was already used')
    // A new id is fine.
    expect(
      (await send({ path: STRICT, ...post(request(6, 'prompts/list'), headers) })).status,
    ).toBe(200)
  })

  test('R-JR-5 (strict) a response to an id the server never sent is refused, in a session and without one', async () => {
    const { headers } = await strictSession()
    const answer = { jsonrpc: '2.0', id: 'never-sent', result: {} }
    await refusedFor('R-JR-5', post(answer, headers))
    await refusedFor('R-JR-5', post(answer, { 'mcp-protocol-version': VERSION }))
    // Lenient: accepted and ignored, as before.
    expect((await send(post(answer, headers))).status).toBe(202)
  })

  test('R-LC-8 (strict) notifications/roots/list_changed without roots.listChanged declared is refused', async () => {
    const { headers } = await strictSession({ roots: {} })
    const changed = { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }
    await refusedFor('R-LC-8', post(changed, headers))
    const declared = await strictSession({ roots: { listChanged: true } })
    expect((await send({ path: STRICT, ...post(changed, declared.headers) })).status).toBe(202)
  })

  test('R-HT-12 (strict) Last-Event-ID naming no stream of the session is refused', async () => {
    const { headers } = await strictSession()
    await refusedFor('R-HT-12', {
      method: 'GET',
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': 'AAAAAAAA.3' },
    })
  })

  test('R-HT-12 (strict) Last-Event-ID of one of its own streams resumes it', async () => {
    const { headers } = await strictSession()
    const open = await send({
      path: STRICT,
      method: 'GET',
      headers: { ...headers, accept: 'text/event-stream' },
    })
    expect(open.status).toBe(200)
    const { events, reader } = await readEvents(open.body!, (seen) => seen.length > 0)
    await reader.cancel()
    const last = events[0]!.id!
    const resumed = await send({
      path: STRICT,
      method: 'GET',
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': last },
    })
    expect(resumed.status).toBe(200)
    await resumed.body?.cancel()
  })

  test('R-HT-36 (strict) a 2026-07-28 tools/call whose Mcp-Name differs from the body is -32020 naming the rule', async () => {
    const raw = modernRequest(
      'tools/call',
      { name: 'echo', arguments: { text: 'hi' } },
      { headers: { 'mcp-name': 'add' } },
    )
    const body = await refusedFor('R-HT-36', raw)
    expect(body.error.code).toBe(-32020)
    expect(body.error.message).toContain("Mcp-Name 'add' does not match body name 'echo'")
  })

  test('R-HT-36 (strict) a 2026-07-28 request without Mcp-Method names the rule', async () => {
    await refusedFor(
      'R-HT-36',
      modernRequest('tools/list', {}, { headers: { 'mcp-method': undefined } }),
    )
  })

  test('R-HT-34 (strict) a 2026-07-28 request without MCP-Protocol-Version names the rule', async () => {
    const body = await refusedFor(
      'R-HT-34',
      modernRequest('tools/list', {}, { headers: { 'mcp-protocol-version': undefined } }),
    )
    expect(body.error.code).toBe(-32020)
  })

  test('R-LC-21 (strict) a 2026-07-28 request without clientCapabilities names the rule', async () => {
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' }
    const body = await refusedFor('R-LC-21', modernRequest('tools/list', {}, { meta }))
    expect(body.error.code).toBe(-32602)
  })

  test('R-JR-18 (strict) a _meta key under the reserved prefix that MCP does not define is refused', async () => {
    const meta = { ...MODERN_META, 'io.modelcontextprotocol/favourite': 1 }
    const body = await refusedFor('R-JR-18', modernRequest('tools/list', {}, { meta }))
    expect(body.error.message).toContain('io.modelcontextprotocol/favourite')
    const legacy = post(request(1, 'tools/list', { _meta: { 'dev.mcp/x': true } }), {
      'mcp-protocol-version': VERSION,
    })
    await refusedFor('R-JR-18', legacy)
    // Lenient: served.
    expect((await send(modernRequest('tools/list', {}, { meta }))).status).toBe(200)
  })

  test('R-JR-18 (strict) _meta key names: what the spec allows and what it does not', () => {
    for (const ok of [
      'progressToken',
      'com.example/trace-id',
      'com.example.mcp/x',
      'io.modelcontextprotocol/clientInfo',
      'a/',
    ])
      expect(metaKeyProblem(ok), ok).toBeNull()
    for (const bad of [
      'io.modelcontextprotocol/made-up',
      'dev.mcp/x',
      'org.modelcontextprotocol.api/y',
      '1abc/x',
      'com.example-/x',
      'com.example/-x',
      'com..example/x',
    ])
      expect(metaKeyProblem(bad), bad).not.toBeNull()
  })

  test('BM-STRICT-2 STRICT=true makes /mcp itself strict', async () => {
    const worker = workerWith({ STRICT: 'true' })
    const res = await send(post(request(1, 'ping'), { accept: 'application/json' }), worker)
    expect(res.status).toBe(400)
    expect(((await res.json()) as Refusal).error.data.rule).toBe('R-HT-4')
  })
})

describe('strict mode warns about what a client only SHOULD do', () => {
  test('R-LC-20 (strict) a 2026-07-28 request without clientInfo is served, with a warning', async () => {
    const res = await send({ ...modernRequest('tools/list'), path: STRICT })
    expect(res.status).toBe(200)
    expect(res.headers.get('mcp-strict-warnings')).toBe('R-LC-20')
    const named = modernRequest(
      'tools/list',
      {},
      {
        meta: { ...MODERN_META, 'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' } },
      },
    )
    const quiet = await send({ ...named, path: STRICT })
    expect(quiet.status).toBe(200)
    expect(quiet.headers.get('mcp-strict-warnings')).toBeNull()
  })

  test('R-LC-4 (strict) a request before notifications/initialized is served, with a warning', async () => {
    const { headers } = await strictSession({}, { announce: false })
    const early = await send({ path: STRICT, ...post(request(2, 'tools/list'), headers) })
    expect(early.status).toBe(200)
    expect(early.headers.get('mcp-strict-warnings')).toBe('R-LC-4')
    const ping = await send({ path: STRICT, ...post(request(3, 'ping'), headers) })
    expect(ping.headers.get('mcp-strict-warnings')).toBeNull()
    await send({
      path: STRICT,
      ...post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers),
    })
    const later = await send({ path: STRICT, ...post(request(4, 'tools/list'), headers) })
    expect(later.headers.get('mcp-strict-warnings')).toBeNull()
  })

  test('BM-STRICT-2 lenient /mcp (the default) adds no header and refuses nothing more', async () => {
    const res = await send(modernRequest('tools/list'))
    expect(res.headers.get('mcp-strict-warnings')).toBeNull()
  })
})
