// The resource-server side of authorization (src/auth/guard.ts, access.ts, metadata.ts,
// api-keys.ts), raw HTTP into the Worker with AUTH=true: challenges byte for byte, tokens bound
// to our resources, scopes per tool, sessions bound to their principal, and the admin API for
// API keys.

import { SignJWT } from 'jose'
import * as v from 'valibot'
import { describe, expect, test } from 'vitest'
import { purposeKey, mintAccessToken } from '../../src/auth/tokens.ts'
import { config } from '../../src/settings/config.ts'
import type { Env } from '../../src/settings/env.ts'
import { defineTool } from '../../src/tools/define.ts'
import { TOOLS } from '../../src/tools/index.ts'
import {
  CLIENT_HEADERS,
  expectResponse,
  initializeRequest,
  messages,
  request,
  rpc,
  send,
  serverWith,
  workerWith,
  type Target,
} from '../helpers/wire.ts'
import { modernRequest } from '../helpers/eras.ts'

const SECRET = 'test-auth-secret-0123456789abcdef-0123'
const AUTH = { AUTH: 'true', AUTH_SECRET: SECRET, ADMIN_TOKEN: 'admin-token-0123456789' }
const ISSUER = 'http://localhost'
const PRM = `${ISSUER}/.well-known/oauth-protected-resource/mcp`

const worker = workerWith(AUTH)

/** A token from us, for `resource`, holding `scopes`. */
const tokenFor = async (
  target: { env: Env } = worker,
  claims: { resource?: string; scopes?: string[]; subject?: string } = {},
): Promise<string> => {
  const { accessToken } = await mintAccessToken(target.env, config(target.env), ISSUER, {
    subject: claims.subject ?? 'dev:ada',
    clientId: 'client-1',
    scopes: claims.scopes ?? ['mcp'],
    resource: claims.resource ?? `${ISSUER}/mcp`,
    grantId: 'grant-1',
    name: 'Ada',
  })
  return accessToken
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const toolsList = request(1, 'tools/list')

describe('R-AU-1 no token, no service', () => {
  const challenge = `Bearer resource_metadata="${PRM}", scope="mcp"`
  test.each([
    ['POST /mcp', { path: '/mcp', body: JSON.stringify(toolsList) }, challenge],
    [
      'POST /mcp/research (a profile is its own resource)',
      { path: '/mcp/research', body: JSON.stringify(toolsList) },
      `Bearer resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/mcp/research", scope="mcp"`,
    ],
    [
      'GET /sse',
      { path: '/sse', method: 'GET', headers: { accept: 'text/event-stream' } },
      `Bearer resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/sse", scope="mcp"`,
    ],
    [
      'POST /messages',
      { path: '/messages?sessionId=s0.x', body: '{}' },
      `Bearer resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/sse", scope="mcp"`,
    ],
  ])('R-AU-1 R-AU-8 R-AU-13 %s answers 401 with the challenge', async (_, raw, header) => {
    await expectResponse(await send(raw, worker), {
      status: 401,
      headers: { 'www-authenticate': header, 'cache-control': 'no-store' },
      json: {
        error: 'invalid_token',
        error_description: 'This server needs an access token: Authorization: Bearer <token>',
      },
    })
  })

  test('R-AU-2 a token in the query string is not read (401 as if absent)', async () => {
    const token = await tokenFor()
    const res = await send(
      { path: `/mcp?access_token=${token}`, body: JSON.stringify(toolsList) },
      worker,
    )
    expect(res.status).toBe(401)
  })

  test('R-AU-1 a CORS preflight needs no token, and a browser can read the challenge', async () => {
    const origin = { origin: 'http://localhost:6274' }
    const preflight = await send(
      {
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': 'POST' },
      },
      worker,
    )
    expect(preflight.status).toBe(204)
    const res = await send(
      { headers: { ...CLIENT_HEADERS, ...origin }, body: JSON.stringify(toolsList) },
      worker,
    )
    expect(res.status).toBe(401)
    expect(res.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate')
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:6274')
  })
})

describe('R-AU-10 tokens are ours, for this resource, or refused', () => {
  const invalid = (description: string) => ({
    status: 401,
    headers: {
      'www-authenticate': `Bearer error="invalid_token", error_description="${description}", resource_metadata="${PRM}", scope="mcp"`,
    },
    json: { error: 'invalid_token', error_description: description },
  })

  test('R-AU-10 a token we issued for /mcp is accepted', async () => {
    const res = await rpc(toolsList, bearer(await tokenFor()), worker)
    expect(res.status).toBe(200)
    expect(
      ((await messages(res))[0] as { result: { tools: unknown[] } }).result.tools,
    ).toHaveLength(TOOLS.length)
  })

  test('R-AU-11 a token for the bare origin (the whole server) is accepted at /mcp', async () => {
    const res = await rpc(toolsList, bearer(await tokenFor(worker, { resource: ISSUER })), worker)
    expect(res.status).toBe(200)
  })

  test('R-AU-10 a token for another server (audience) is refused', async () => {
    const token = await tokenFor(worker, { resource: 'https://other.example/mcp' })
    await expectResponse(
      await rpc(toolsList, bearer(token), worker),
      invalid('The access token was issued for another resource'),
    )
  })

  test('R-AU-10 a token for a narrower profile is refused at the full endpoint', async () => {
    const token = await tokenFor(worker, { resource: `${ISSUER}/mcp/readonly` })
    await expectResponse(
      await rpc(toolsList, bearer(token), worker),
      invalid(`The access token was issued for ${ISSUER}/mcp/readonly, not ${ISSUER}/mcp`),
    )
  })

  test('R-AU-10 a token signed with another key is refused', async () => {
    const other = workerWith({ ...AUTH, AUTH_SECRET: 'another-secret-0123456789abcdef-0123456' })
    const token = await tokenFor(other)
    await expectResponse(
      await rpc(toolsList, bearer(token), worker),
      invalid('The access token is not valid here'),
    )
  })

  test('R-AU-1 an expired token is refused as expired', async () => {
    const key = await purposeKey(worker.env, config(worker.env), 'access-token')
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({ client_id: 'c', scope: 'mcp', gid: 'g' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(`${ISSUER}/mcp`)
      .setSubject('dev:ada')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(key)
    await expectResponse(
      await rpc(toolsList, bearer(token), worker),
      invalid('The access token expired'),
    )
  })

  test('R-AU-10 an unsigned token (alg none) is refused', async () => {
    const [, payload] = (await tokenFor()).split('.')
    const header = btoa(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).replace(/=+$/, '')
    await expectResponse(
      await rpc(toolsList, bearer(`${header}.${payload}.`), worker),
      invalid('The access token is not valid here'),
    )
  })

  test.each([
    ['Basic credentials', 'Basic YTpi'],
    ['an empty Bearer', 'Bearer '],
    ['two tokens', 'Bearer a b'],
  ])('R-AU-1 a malformed Authorization header (%s) is 400 invalid_request', async (_, header) => {
    const description = 'The Authorization header must be: Bearer <token>'
    await expectResponse(await rpc(toolsList, { authorization: header }, worker), {
      status: 400,
      headers: {
        'www-authenticate': `Bearer error="invalid_request", error_description="${description}", resource_metadata="${PRM}"`,
      },
      json: { error: 'invalid_request', error_description: description },
    })
  })
})

describe('R-AU-14 per-tool scopes', () => {
  const write = defineTool({
    name: 'write_note',
    description: 'Writes a note (needs notes.write)',
    scopes: ['notes.write'],
    run: () => 'written',
  })
  const whoami = defineTool({
    name: 'whoami',
    description: 'Who is calling',
    run: (_, ctx) => JSON.stringify(ctx.auth),
  })
  const server = serverWith([write, whoami], AUTH)
  const hiding = serverWith([write, whoami], { ...AUTH, AUTH_HIDE_TOOLS: 'true' })
  const envOf = workerWith(AUTH)
  const token = (scopes: string[]) => tokenFor(envOf, { scopes })
  const call = (name: string) => request(2, 'tools/call', { name, arguments: {} })

  test('R-AU-14 a call without the tool’s scope is 403 insufficient_scope, naming what it needs and holds', async () => {
    const description = 'Tool write_note needs scope notes.write'
    await expectResponse(await rpc(call('write_note'), bearer(await token(['mcp'])), server), {
      status: 403,
      headers: {
        'www-authenticate': `Bearer error="insufficient_scope", error_description="${description}", resource_metadata="${PRM}", scope="mcp notes.write"`,
      },
      json: { error: 'insufficient_scope', error_description: description },
    })
  })

  test('R-AU-14 with the scope the call runs', async () => {
    const res = await rpc(call('write_note'), bearer(await token(['mcp', 'notes.write'])), server)
    expect(await messages(res)).toEqual([
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'written' }] } },
    ])
  })

  test('R-AU-13 the 401 challenge and the metadata name every scope, tools’ included', async () => {
    const res = await rpc(toolsList, {}, server)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${PRM}", scope="mcp notes.write"`,
    )
    const prm = await send(
      { method: 'GET', path: '/.well-known/oauth-protected-resource/mcp' },
      server,
    )
    expect(((await prm.json()) as { scopes_supported: string[] }).scopes_supported).toEqual([
      'mcp',
      'notes.write',
    ])
  })

  test('R-AU-19 AUTH_HIDE_TOOLS lists only the tools the token can call', async () => {
    const names = async (target: Target, scopes: string[]) => {
      const res = await rpc(toolsList, bearer(await token(scopes)), target)
      const [answer] = (await messages(res)) as { result: { tools: { name: string }[] } }[]
      return answer!.result.tools.map((tool) => tool.name)
    }
    expect(await names(hiding, ['mcp'])).toEqual(['whoami'])
    expect(await names(hiding, ['mcp', 'notes.write'])).toEqual(['write_note', 'whoami'])
    expect(await names(server, ['mcp'])).toEqual(['write_note', 'whoami'])
  })

  test('BM-AUTH-20 tools see the caller in ctx.auth', async () => {
    const res = await rpc(call('whoami'), bearer(await token(['mcp'])), server)
    const [answer] = (await messages(res)) as { result: { content: { text: string }[] } }[]
    expect(JSON.parse(answer!.result.content[0]!.text)).toEqual({
      subject: 'dev:ada',
      clientId: 'client-1',
      scopes: ['mcp'],
      via: 'oauth',
      name: 'Ada',
    })
  })

  test('R-AU-19 2026-07-28 results are cacheScope private when auth is on', async () => {
    const raw = modernRequest('tools/list', {}, { id: 3 })
    const res = await send(
      { ...raw, headers: { ...raw.headers, ...bearer(await token(['mcp'])) } },
      server,
    )
    const [answer] = (await messages(res)) as { result: { cacheScope: string } }[]
    expect(answer!.result.cacheScope).toBe('private')
  })
})

describe('BM-AUTH-21 a session belongs to the principal that opened it', () => {
  test('R-HT-16 BM-AUTH-21 another user presenting the session id gets 404, the owner 200, and the id alone is no credential', async () => {
    const ada = bearer(await tokenFor(worker, { subject: 'dev:ada' }))
    const eve = bearer(await tokenFor(worker, { subject: 'dev:eve' }))
    const init = await rpc(initializeRequest('2025-11-25'), ada, worker)
    expect(init.status).toBe(200)
    const session = init.headers.get('mcp-session-id')!
    expect(session).toBeTruthy()
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }
    const stolen = await rpc(toolsList, { ...headers, ...eve }, worker)
    expect(stolen.status).toBe(404)
    const owner = await rpc(toolsList, { ...headers, ...ada }, worker)
    expect(owner.status).toBe(200)
    // Sessions are not authentication: the token is checked on every request (R-AU-2).
    const bare = await rpc(toolsList, headers, worker)
    expect(bare.status).toBe(401)
  })
})

describe('R-AU-7 metadata', () => {
  const get = (path: string, target: Target = worker) => send({ method: 'GET', path }, target)

  test.each([
    // RFC 9728 §3.3: the root document is derived from the bare origin, so it names the origin.
    ['/.well-known/oauth-protected-resource', ISSUER],
    ['/.well-known/oauth-protected-resource/mcp', `${ISSUER}/mcp`],
    ['/.well-known/oauth-protected-resource/mcp/research', `${ISSUER}/mcp/research`],
    ['/.well-known/oauth-protected-resource/sse', `${ISSUER}/sse`],
  ])('R-AU-7 %s names resource %s and us as its authorization server', async (path, resource) => {
    const res = await get(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(await res.json()).toEqual({
      resource,
      authorization_servers: [ISSUER],
      scopes_supported: ['mcp'],
      bearer_methods_supported: ['header'],
      resource_name: 'bare-mcp',
    })
  })

  test('R-AU-7 PRM for a path we do not serve is 404', async () => {
    expect((await get('/.well-known/oauth-protected-resource/elsewhere')).status).toBe(404)
  })

  test.each(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'])(
    'R-AU-9 R-AU-15 R-AU-16 R-AU-17 %s holds the authorization server metadata',
    async (path) => {
      const res = await get(path)
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, unknown>
      expect(body).toMatchObject({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        registration_endpoint: `${ISSUER}/register`,
        revocation_endpoint: `${ISSUER}/revoke`,
        code_challenge_methods_supported: ['S256'],
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
      })
      expect(body.token_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(['none', 'private_key_jwt']),
      )
    },
  )

  test('R-AU-4 the 2025-03-26 default endpoints answer at the origin root, as the metadata names them', async () => {
    const token = await send(
      {
        path: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password',
      },
      worker,
    )
    expect(token.status).toBe(400)
    expect(await token.json()).toMatchObject({ error: 'unsupported_grant_type' })
    const register = await send(
      { path: '/register', headers: { 'content-type': 'application/json' }, body: '{}' },
      worker,
    )
    expect(register.status).toBe(400)
    expect(await register.json()).toMatchObject({ error: 'invalid_redirect_uri' })
    const authorize = await send({ method: 'GET', path: '/authorize' }, worker)
    expect(authorize.status).toBe(400)
    expect(authorize.headers.get('content-type')).toBe('text/html; charset=utf-8')
  })

  test('R-HT-18 the metadata takes the MCP-Protocol-Version header 2025-03-26 clients send, preflight included', async () => {
    const path = '/.well-known/oauth-authorization-server'
    const preflight = await send(
      {
        method: 'OPTIONS',
        path,
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'mcp-protocol-version',
        },
      },
      worker,
    )
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('MCP-Protocol-Version')
    const res = await send(
      { method: 'GET', path, headers: { 'mcp-protocol-version': '2025-03-26' } },
      worker,
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ issuer: ISSUER })
  })

  test('R-AU-18 offline_access is offered by the authorization server, never by the resource', async () => {
    const as = (await (await get('/.well-known/oauth-authorization-server')).json()) as {
      scopes_supported: string[]
    }
    expect(as.scopes_supported).toContain('offline_access')
    const prm = (await (await get('/.well-known/oauth-protected-resource')).json()) as {
      scopes_supported: string[]
    }
    expect(prm.scopes_supported).not.toContain('offline_access')
  })

  test('R-HT-3 BM-AUTH-22 with auth off (the default) there is no authorization server and no token is needed', async () => {
    expect((await get('/.well-known/oauth-authorization-server', workerWith({}))).status).toBe(404)
    expect((await rpc(toolsList, {}, workerWith({}))).status).toBe(200)
  })
})

describe('BM-AUTH-23 API keys', () => {
  const admin = {
    authorization: 'Bearer admin-token-0123456789',
    'content-type': 'application/json',
  }
  const KeySchema = v.object({
    id: v.string(),
    key: v.string(),
    label: v.string(),
    scopes: v.array(v.string()),
  })

  test('BM-AUTH-23 the admin API is off without ADMIN_TOKEN and closed to a wrong one', async () => {
    const off = workerWith({ AUTH: 'true', AUTH_SECRET: SECRET })
    expect((await send({ method: 'GET', path: '/admin/keys', headers: admin }, off)).status).toBe(
      503,
    )
    const wrong = await send(
      {
        method: 'GET',
        path: '/admin/keys',
        headers: { authorization: 'Bearer nope-nope-nope-nope' },
      },
      worker,
    )
    expect(wrong.status).toBe(401)
  })

  test('BM-AUTH-23 a key works until revoked; it is shown once and stored hashed', async () => {
    const created = await send(
      {
        path: '/admin/keys',
        headers: admin,
        body: JSON.stringify({ label: 'ci', scopes: ['mcp'] }),
      },
      worker,
    )
    expect(created.status).toBe(201)
    const key = v.parse(KeySchema, await created.json())
    expect(key.key).toMatch(/^bmk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/)
    const listed = await (
      await send({ method: 'GET', path: '/admin/keys', headers: admin }, worker)
    ).text()
    expect(listed).toContain(key.id)
    expect(listed).not.toContain(key.key.slice(-43))

    expect((await rpc(toolsList, bearer(key.key), worker)).status).toBe(200)
    const revoked = await send(
      { method: 'DELETE', path: `/admin/keys/${key.id}`, headers: admin },
      worker,
    )
    expect(revoked.status).toBe(204)
    const after = await rpc(toolsList, bearer(key.key), worker)
    expect(after.status).toBe(401)
    expect(await after.json()).toEqual({
      error: 'invalid_token',
      error_description: 'The API key is unknown or revoked',
    })
    const again = await send(
      { method: 'DELETE', path: `/admin/keys/${key.id}`, headers: admin },
      worker,
    )
    expect(again.status).toBe(404)
  })

  test('BM-AUTH-23 a key with an unknown scope is refused', async () => {
    const res = await send(
      {
        path: '/admin/keys',
        headers: admin,
        body: JSON.stringify({ label: 'x', scopes: ['root'] }),
      },
      worker,
    )
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: 'invalid_scope',
      message: 'Unknown scope root; this server has mcp',
    })
  })

  test('BM-AUTH-23 a made-up key of the right shape is refused', async () => {
    const res = await rpc(toolsList, bearer(`bmk_AAAAAAAAAAAA_${'A'.repeat(43)}`), worker)
    expect(res.status).toBe(401)
  })
})

describe('BM-AUTH-24 without AUTH_SECRET the AuthStore makes the key and keeps it', () => {
  test('BM-AUTH-24 a token minted in one isolate is good in another, with no secret configured', async () => {
    const first = workerWith({ AUTH: 'true' })
    const second = workerWith({ AUTH: 'true' })
    const token = await tokenFor(first)
    expect((await rpc(toolsList, bearer(token), second)).status).toBe(200)
    // And it is not the key of a server that has AUTH_SECRET set.
    expect((await rpc(toolsList, bearer(token), worker)).status).toBe(401)
  })
})
