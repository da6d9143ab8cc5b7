// The audit trail (src/observe/audit.ts): every authentication and authorization event is a log
// line of its own, with the time, the subject and client when known, the client's address and
// the outcome, and never a token, a code, a secret or an API key. Raw HTTP into the Worker with
// AUTH=true and the server log on, the console captured inside workerd.

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { TOOLS } from '../../src/tools/index.ts'
import { defineTool } from '../../src/tools/define.ts'
import { captureLog, type Line } from '../helpers/logs.ts'
import {
  authorizeQuery,
  form,
  FORM,
  json,
  LOOPBACK,
  oauthClient,
  pkce,
  RESOURCE,
} from '../helpers/oauth.ts'
import { initializeRequest, request, serverWith, type Target } from '../helpers/wire.ts'

const ADDRESS = '203.0.113.7'
const SECRET = 'audit-test-secret-0123456789abcdef-01'
const ADMIN = 'audit-admin-token-0123456789'
const SETTINGS = {
  AUTH: 'true',
  AUTH_PROVIDER: 'dev',
  AUTH_SECRET: SECRET,
  ADMIN_TOKEN: ADMIN,
  SERVER_LOG_LEVEL: 'info',
}

/** Every request comes from ADDRESS, as Cloudflare's edge would say. */
const fromAddress = (target: Target): Target => ({
  fetch: (req) => {
    const headers = new Headers(req.headers)
    headers.set('cf-connecting-ip', ADDRESS)
    return target.fetch(new Request(req, { headers }))
  },
})

const secretTool = defineTool({
  name: 'vault',
  description: 'A tool that needs a scope',
  scopes: ['vault:read'],
  run: () => 'opened',
})
const server = fromAddress(serverWith([...TOOLS, secretTool], SETTINGS))
const as = oauthClient(server)

let log: ReturnType<typeof captureLog>
beforeEach(() => {
  log = captureLog()
})
afterEach(() => {
  log.restore()
  vi.restoreAllMocks()
})

const audits = (name: string) => (line: Line) =>
  line.kind === 'audit' && line['event.name'] === name

/** Every audit line has these, whatever the event. */
const expectShape = (line: Line) => {
  expect(typeof line.time).toBe('string')
  expect(Number.isNaN(Date.parse(String(line.time)))).toBe(false)
  expect(['success', 'failure']).toContain(line['event.outcome'])
  expect(line['client.address']).toBe(ADDRESS)
  expect(line.level).toBe(line['event.outcome'] === 'success' ? 'info' : 'warn')
}

/** No line holds any of `secrets`. */
const expectNone = (secrets: readonly string[]) => {
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8)
    expect(log.raw.join('\n')).not.toContain(secret)
  }
}

const mcp = (token: string | null, body: unknown) =>
  server.fetch(
    new Request('http://localhost/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    }),
  )

describe('BM-AUDIT-1 sign-in, consent and registration', () => {
  test('BM-AUDIT-1 a registration (DCR) is an audit event: client id and name, address, outcome', async () => {
    const client = await as.registered({ client_name: 'Audit Client' })
    const line = await log.find(
      (l) => audits('auth.client.registered')(l) && l['oauth.client.id'] === client.client_id,
    )
    expectShape(line)
    expect(line).toMatchObject({
      'event.outcome': 'success',
      'oauth.client.name': 'Audit Client',
      'http.request.method': 'POST',
      'url.path': '/register',
    })
  })

  test('BM-AUDIT-1 a refused registration says why', async () => {
    const { res } = await as.register({ redirect_uris: ['http://evil.example/cb'] })
    expect(res.status).toBe(400)
    const line = await log.find(
      (l) => audits('auth.client.registered')(l) && l['event.outcome'] === 'failure',
    )
    expectShape(line)
    expect(line.reason).toMatch(/^invalid_redirect_uri: /)
  })

  test('BM-AUDIT-1 sign-in and consent given: who, with which provider, for which client', async () => {
    const flow = await as.authorized({}, { client_name: 'Consent Client' })
    const signin = await log.find(
      (l) => audits('auth.signin')(l) && l['oauth.client.id'] === flow.client.client_id,
    )
    expectShape(signin)
    expect(signin).toMatchObject({ 'event.outcome': 'success', 'auth.provider': 'dev' })
    expect(String(signin['enduser.id'])).toMatch(/^dev:user\d+$/)
    const consent = await log.find(
      (l) => audits('auth.consent')(l) && l['oauth.client.id'] === flow.client.client_id,
    )
    expectShape(consent)
    expect(consent).toMatchObject({
      'event.outcome': 'success',
      'enduser.id': signin['enduser.id'],
      'oauth.client.name': 'Consent Client',
      'oauth.scopes': 'mcp vault:read',
      reason: 'approved on the consent page',
    })
    expectNone([flow.code, flow.verifier])
  })

  test('BM-AUDIT-1 consent refused, and consent remembered, are audit events', async () => {
    const client = await as.registered()
    const { challenge } = await pkce()
    const query = authorizeQuery({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: client.redirect_uris[0],
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 's',
      resource: RESOURCE,
    })
    const denied = await as.browse(query, { decision: 'deny', user: 'ada-audit' })
    expect(denied.searchParams.get('error')).toBe('access_denied')
    const refused = await log.find(
      (l) => audits('auth.consent')(l) && l['oauth.client.id'] === client.client_id,
    )
    expectShape(refused)
    expect(refused).toMatchObject({
      'event.outcome': 'failure',
      'enduser.id': 'dev:ada-audit',
      reason: 'denied on the consent page',
    })
    await as.browse(query, { user: 'ada-audit' })
    const again = await as.browse(query, { user: 'ada-audit' })
    expect(again.searchParams.get('code')).not.toBeNull()
    await log.find(
      (l) =>
        audits('auth.consent')(l) &&
        l['oauth.client.id'] === client.client_id &&
        l.reason === 'remembered from an earlier approval',
    )
  })

  test('BM-AUDIT-1 a sign-in callback with a state we did not make is a failed sign-in', async () => {
    const github = fromAddress(
      serverWith(TOOLS, {
        ...SETTINGS,
        AUTH_PROVIDER: 'github',
        GITHUB_CLIENT_ID: 'gh-client',
        GITHUB_CLIENT_SECRET: 'gh-secret-0123456789',
      }),
    )
    const res = await github.fetch(new Request('http://localhost/callback?state=forged.x&code=c'))
    expect(res.status).toBe(400)
    const line = await log.find((l) => audits('auth.signin')(l) && l['event.outcome'] === 'failure')
    expectShape(line)
    expect(line).toMatchObject({
      'auth.provider': 'github',
      reason: 'the callback carried a state this server did not make',
    })
  })

  test('BM-AUDIT-1 a Client ID Metadata Document accepted, and one refused, are audit events', async () => {
    const good = 'https://audit-cimd.example/oauth/client.json'
    const bad = 'https://audit-cimd-missing.example/oauth/client.json'
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input)
      if (url !== good) return new Response('not found', { status: 404 })
      const document = { client_id: good, client_name: 'Documented', redirect_uris: [LOOPBACK] }
      return new Response(JSON.stringify(document), {
        headers: { 'content-type': 'application/json' },
      })
    })
    const { challenge } = await pkce()
    for (const clientId of [good, bad]) {
      await as.call(
        authorizeQuery({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: LOOPBACK,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      )
    }
    const accepted = await log.find(
      (l) => audits('auth.client.document')(l) && l['oauth.client.id'] === good,
    )
    expectShape(accepted)
    expect(accepted).toMatchObject({
      'event.outcome': 'success',
      'oauth.client.name': 'Documented',
    })
    const refused = await log.find(
      (l) => audits('auth.client.document')(l) && l['oauth.client.id'] === bad,
    )
    expectShape(refused)
    expect(refused).toMatchObject({ 'event.outcome': 'failure', reason: 'it answered 404' })
  })
})

describe('BM-AUDIT-2 tokens issued, refreshed, reused and revoked', () => {
  test('BM-AUDIT-2 issued and refreshed: subject, client and scopes; never a token or a code', async () => {
    const tokens = await as.withTokens()
    const clientId = tokens.client.client_id
    const issued = await log.find(
      (l) => audits('auth.token.issued')(l) && l['oauth.client.id'] === clientId,
    )
    expectShape(issued)
    expect(issued).toMatchObject({ 'event.outcome': 'success', 'oauth.scopes': 'mcp vault:read' })
    expect(String(issued['enduser.id'])).toMatch(/^dev:/)
    const res = await as.refresh(tokens.client, tokens.refreshToken)
    expect(res.status).toBe(200)
    const next = await json(res)
    const refreshed = await log.find(
      (l) => audits('auth.token.refreshed')(l) && l['oauth.client.id'] === clientId,
    )
    expectShape(refreshed)
    expect(refreshed['enduser.id']).toBe(issued['enduser.id'])
    expectNone([
      tokens.accessToken,
      tokens.refreshToken,
      tokens.code,
      tokens.verifier,
      String(next.access_token),
      String(next.refresh_token),
    ])
  })

  test('BM-AUDIT-2 a spent refresh token coming back is reuse detected; the refusal says why', async () => {
    const tokens = await as.withTokens()
    const clientId = tokens.client.client_id
    expect((await as.refresh(tokens.client, tokens.refreshToken)).status).toBe(200)
    expect((await as.refresh(tokens.client, tokens.refreshToken)).status).toBe(400)
    const reuse = await log.find(
      (l) => audits('auth.token.reuse_detected')(l) && l['oauth.client.id'] === clientId,
    )
    expectShape(reuse)
    expect(reuse['event.outcome']).toBe('failure')
    const refused = await log.find(
      (l) =>
        audits('auth.token.refreshed')(l) &&
        l['oauth.client.id'] === clientId &&
        l['event.outcome'] === 'failure',
    )
    expect(refused).toMatchObject({
      'http.response.status_code': 400,
      reason: expect.stringMatching(/^invalid_grant: the refresh token was already used/),
    })
    expectNone([tokens.refreshToken])
  })

  test('BM-AUDIT-2 a replayed authorization code is reuse detected', async () => {
    const flow = await as.authorized()
    expect((await as.exchange(flow.client, flow.code, flow.verifier)).status).toBe(200)
    expect((await as.exchange(flow.client, flow.code, flow.verifier)).status).toBe(400)
    const line = await log.find(
      (l) =>
        audits('auth.token.reuse_detected')(l) && l['oauth.client.id'] === flow.client.client_id,
    )
    expectShape(line)
    expect(line.reason).toMatch(/authorization code came back a second time/)
    expectNone([flow.code])
  })

  test('BM-AUDIT-2 revocation: a grant revoked by its client, and a token that was not its', async () => {
    const tokens = await as.withTokens()
    const revoke = (clientId: string, token: string) =>
      as.postForm('/revoke', { token, client_id: clientId })
    expect((await revoke(tokens.client.client_id, tokens.refreshToken)).status).toBe(200)
    const revoked = await log.find(
      (l) =>
        audits('auth.token.revoked')(l) &&
        l['oauth.client.id'] === tokens.client.client_id &&
        l['event.outcome'] === 'success',
    )
    expectShape(revoked)
    expect(String(revoked['enduser.id'])).toMatch(/^dev:/)
    const other = await as.registered()
    expect((await revoke(other.client_id, tokens.accessToken)).status).toBe(200)
    const nothing = await log.find(
      (l) => audits('auth.token.revoked')(l) && l['oauth.client.id'] === other.client_id,
    )
    expect(nothing['event.outcome']).toBe('failure')
    expectNone([tokens.refreshToken, tokens.accessToken])
  })

  test('BM-AUDIT-2 a refused token request says why, with the client it claimed', async () => {
    const res = await server.fetch(
      new Request('http://localhost/token', {
        method: 'POST',
        headers: FORM,
        body: form({ grant_type: 'authorization_code', client_id: 'no-such-client', code: 'x' }),
      }),
    )
    expect(res.status).toBe(401)
    const line = await log.find(
      (l) => audits('auth.token.issued')(l) && l['oauth.client.id'] === 'no-such-client',
    )
    expectShape(line)
    expect(line).toMatchObject({ 'event.outcome': 'failure', 'http.response.status_code': 401 })
    expect(line.reason).toMatch(/^invalid_client/)
  })
})

describe('BM-AUDIT-3 API keys created, used and revoked', () => {
  const admin = (method: string, path: string, body?: unknown, token = ADMIN) =>
    server.fetch(
      new Request(`http://localhost${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    )

  test('BM-AUDIT-3 created, used, revoked; never the key', async () => {
    const created = await json(await admin('POST', '/admin/keys', { label: 'ci', scopes: [] }))
    const key = String(created.key)
    const subject = `key:${String(created.id)}`
    const made = await log.find(
      (l) => audits('auth.api_key.created')(l) && l['enduser.id'] === subject,
    )
    expectShape(made)
    expect(made).toMatchObject({ 'oauth.client.id': 'api-key', reason: 'label ci' })
    expect((await mcp(key, request(1, 'tools/list'))).status).toBe(200)
    const used = await log.find(
      (l) => audits('auth.api_key.used')(l) && l['enduser.id'] === subject,
    )
    expectShape(used)
    expect((await admin('DELETE', `/admin/keys/${String(created.id)}`)).status).toBe(204)
    const revoked = await log.find(
      (l) => audits('auth.api_key.revoked')(l) && l['enduser.id'] === subject,
    )
    expect(revoked['event.outcome']).toBe('success')
    expect((await admin('DELETE', '/admin/keys/nosuchkey123')).status).toBe(404)
    await log.find(
      (l) =>
        audits('auth.api_key.revoked')(l) &&
        l['enduser.id'] === 'key:nosuchkey123' &&
        l['event.outcome'] === 'failure',
    )
    expectNone([key, ADMIN])
  })

  test('BM-AUDIT-3 the admin API refused for its token', async () => {
    expect((await admin('GET', '/admin/keys', undefined, 'wrong-token-0123456789')).status).toBe(
      401,
    )
    const line = await log.find(audits('admin.refused'))
    expectShape(line)
    expect(line).toMatchObject({ 'http.response.status_code': 401, 'url.path': '/admin/keys' })
    expectNone(['wrong-token-0123456789', ADMIN])
  })
})

describe('BM-AUDIT-4 401 and 403 at the MCP endpoint, with the reason', () => {
  test('BM-AUDIT-4 no token, a bad token, and a tool the token lacks a scope for', async () => {
    expect((await mcp(null, initializeRequest('2025-11-25'))).status).toBe(401)
    const missing = await log.find(
      (l) => audits('auth.refused')(l) && l.reason === 'no token' && l['url.path'] === '/mcp',
    )
    expectShape(missing)
    expect(missing['http.response.status_code']).toBe(401)

    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWZvcmdlZC0xMjM0NQ'
    expect((await mcp(forged, request(1, 'tools/list'))).status).toBe(401)
    const bad = await log.find(
      (l) => audits('auth.refused')(l) && l.reason === 'The access token is not valid here',
    )
    expectShape(bad)

    const tokens = await as.withTokens({ scope: 'mcp' })
    const call = request(2, 'tools/call', { name: 'vault', arguments: {} })
    expect((await mcp(tokens.accessToken, call)).status).toBe(403)
    const scope = await log.find(
      (l) => audits('auth.refused')(l) && l.reason === 'Tool vault needs scope vault:read',
    )
    expectShape(scope)
    expect(scope).toMatchObject({
      'http.response.status_code': 403,
      'oauth.client.id': tokens.client.client_id,
    })
    expect(String(scope['enduser.id'])).toMatch(/^dev:/)
    expectNone([forged, tokens.accessToken])
  })

  test('BM-AUDIT-4 SERVER_LOG_LEVEL=off writes no audit line', async () => {
    const quiet = serverWith(TOOLS, { ...SETTINGS, SERVER_LOG_LEVEL: 'off' })
    const res = await quiet.fetch(new Request('http://localhost/mcp', { method: 'POST' }))
    expect(res.status).toBe(401)
    expect(await log.all((l) => l.kind === 'audit')).toEqual([])
  })
})
