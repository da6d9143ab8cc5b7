// What a client may register (RFC 7591) and where the authorization server may send a browser:
// registrations are bounded and expire when nothing ever came of them (BM-AUTH-25); private-use
// redirect schemes are reverse-domain names, never a browser's (BM-AUTH-2); and before a person
// has seen the consent page, errors go back only to redirect URIs this server vouches for
// (BM-AUTH-27, RFC 9700 §4.11.2).

import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { setUpTables, type AuthStore } from '../../src/auth/store.ts'
import { TOOLS } from '../../src/tools/index.ts'
import { authorizeQuery, expectOAuthError, LOOPBACK, oauthClient, pkce } from '../helpers/oauth.ts'
import { serverWith } from '../helpers/wire.ts'

const AUTH = {
  AUTH: 'true',
  AUTH_PROVIDER: 'dev',
  AUTH_SECRET: 'registration-test-secret-0123456789',
}
const AS = serverWith(TOOLS, AUTH)
const { call, register, registered, withTokens } = oauthClient(AS)

const store = () => {
  const namespace = (env as unknown as { AUTH_STORE: DurableObjectNamespace<AuthStore> }).AUTH_STORE
  return namespace.get(namespace.idFromName('auth'))
}

/** The client's row as stored: its JSON and its expiry. */
const clientRow = (clientId: string) =>
  runInDurableObject(store(), (_store: AuthStore, state) => {
    const row = state.storage.sql
      .exec('SELECT data, expires_at FROM clients WHERE client_id = ?', clientId)
      .toArray()[0]
    return row === undefined
      ? null
      : {
          data: String(row.data),
          expiresAt: row.expires_at === null ? null : Number(row.expires_at),
        }
  })

const loopback = (n: number, length = 40) => {
  const prefix = `http://127.0.0.1:${4000 + n}/`
  return prefix + 'p'.repeat(Math.max(1, length - prefix.length))
}

describe('BM-AUTH-25 registrations are bounded and expire unused', () => {
  test('BM-AUTH-25 more redirect URIs than AUTH_MAX_REDIRECT_URIS (10) are refused', async () => {
    const uris = Array.from({ length: 11 }, (_, i) => loopback(i))
    await expectOAuthError(
      (await register({ redirect_uris: uris })).res,
      400,
      'invalid_redirect_uri',
    )
    expect((await register({ redirect_uris: uris.slice(0, 10) })).res.status).toBe(201)
  })

  test('BM-AUTH-25 a redirect URI longer than AUTH_MAX_REDIRECT_URI_CHARS (512) is refused', async () => {
    const body = await expectOAuthError(
      (await register({ redirect_uris: [loopback(1, 760)] })).res,
      400,
      'invalid_redirect_uri',
    )
    // The refusal names the rule, not the 760 characters.
    expect(String(body.error_description).length).toBeLessThan(200)
    expect((await register({ redirect_uris: [loopback(1, 512)] })).res.status).toBe(201)
  })

  test('BM-AUTH-25 the caps are settings', async () => {
    const strict = oauthClient(
      serverWith(TOOLS, {
        ...AUTH,
        AUTH_MAX_REDIRECT_URIS: '1',
        AUTH_MAX_REDIRECT_URI_CHARS: '64',
      }),
    )
    await expectOAuthError(
      (await strict.register({ redirect_uris: [loopback(1), loopback(2)] })).res,
      400,
      'invalid_redirect_uri',
    )
    await expectOAuthError(
      (await strict.register({ redirect_uris: [loopback(1, 65)] })).res,
      400,
      'invalid_redirect_uri',
    )
    expect((await strict.register({ redirect_uris: [loopback(1, 64)] })).res.status).toBe(201)
  })

  test('BM-AUTH-25 each redirect URI is stored once, and unknown members not at all', async () => {
    const uri = loopback(7, 500)
    const client = await registered({
      redirect_uris: [uri],
      logo_uri: `https://logo.example/${'l'.repeat(4000)}`,
      software_statement: 's'.repeat(4000),
    })
    const row = await clientRow(client.client_id)
    expect(row).not.toBeNull()
    expect(row!.data.split(uri).length - 1).toBe(1)
    expect(row!.data).not.toContain('logo.example')
    expect(row!.data.length).toBeLessThan(1500)
  })

  const refused: [string, Record<string, unknown>][] = [
    ['a scope of more than 1000 characters', { scope: Array(400).fill('mcp').join(' ') }],
    ['grant_types with more than 2 entries', { grant_types: Array(50).fill('authorization_code') }],
    ['response_types with more than 1 entry', { response_types: Array(50).fill('code') }],
  ]
  test.each(refused)('BM-AUTH-25 refuses %s', async (_name, metadata) => {
    await expectOAuthError((await register(metadata)).res, 400, 'invalid_client_metadata')
  })

  test('BM-AUTH-25 a registration without a grant expires after AUTH_CLIENT_UNUSED_TTL_S (24 h)', async () => {
    const before = Date.now()
    const client = await registered()
    const row = await clientRow(client.client_id)
    expect(row!.expiresAt).toBeGreaterThanOrEqual(before + 86_400_000)
    expect(row!.expiresAt).toBeLessThanOrEqual(Date.now() + 86_400_000)
    // Its day passes: the sweep deletes it, and it is an unknown client from then on.
    await runInDurableObject(store(), (_store: AuthStore, state) => {
      state.storage.sql.exec(
        'UPDATE clients SET expires_at = ? WHERE client_id = ?',
        Date.now() - 1,
        client.client_id,
      )
    })
    expect(await runDurableObjectAlarm(store())).toBe(true)
    expect(await clientRow(client.client_id)).toBeNull()
    const { challenge } = await pkce()
    const res = await call(
      authorizeQuery({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: LOOPBACK,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    )
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('unknown client_id')
  })

  test('BM-AUTH-25 CLIENTS.md D.13 a client that got tokens never expires', async () => {
    const { client } = await withTokens()
    expect((await clientRow(client.client_id))!.expiresAt).toBeNull()
  })

  test('BM-AUTH-25 an expired registration is unknown even before the sweep', async () => {
    const client = await registered()
    await runInDurableObject(store(), (_store: AuthStore, state) => {
      state.storage.sql.exec(
        'UPDATE clients SET expires_at = ? WHERE client_id = ?',
        Date.now() - 1,
        client.client_id,
      )
    })
    const { challenge } = await pkce()
    const res = await call(
      authorizeQuery({
        response_type: 'code',
        client_id: client.client_id,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    )
    expect(res.status).toBe(400)
  })
})

describe('BM-AUTH-2 private-use redirect schemes (RFC 8252 §7.1)', () => {
  test.each([
    ['x-safari-https://evil.example/landing'],
    ['x-safari-http://evil.example/landing'],
    ['microsoft-edge:https://evil.example/landing'],
    ['microsoft-edge-https://evil.example/landing'],
    ['googlechrome://evil.example/landing'],
    ['googlechromes://evil.example/landing'],
    ['firefox://open-url?url=https://evil.example/'],
    ['opera-https://evil.example/landing'],
    ['brave://open-url?url=https://evil.example/'],
  ])('BM-AUTH-2 the browser-launching scheme of %s is refused', async (uri) => {
    for (const application_type of ['native', undefined]) {
      const { res } = await register({ redirect_uris: [uri], application_type })
      await expectOAuthError(res, 400, 'invalid_redirect_uri')
    }
  })

  test('BM-AUTH-2 a private-use scheme must be a reverse domain name (contain a dot)', async () => {
    await expectOAuthError(
      (await register({ redirect_uris: ['myapp://callback'] })).res,
      400,
      'invalid_redirect_uri',
    )
    expect(
      (await register({ redirect_uris: ['com.example.app:/oauth2redirect'] })).res.status,
    ).toBe(201)
  })

  test('BM-AUTH-2 CLIENTS.md D.10 the MCP clients that use a bare scheme are allowed (AUTH_APP_SCHEMES)', async () => {
    for (const uri of [
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'vscode://vscode.mcp/callback',
    ]) {
      expect((await register({ redirect_uris: [uri] })).res.status, uri).toBe(201)
    }
    const none = oauthClient(serverWith(TOOLS, { ...AUTH, AUTH_APP_SCHEMES: '' }))
    await expectOAuthError(
      (await none.register({ redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'] }))
        .res,
      400,
      'invalid_redirect_uri',
    )
  })
})

describe('BM-AUTH-27 errors go back only to redirect URIs this server vouches for', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const badRequest = (clientId: string, redirectUri: string) =>
    call(
      authorizeQuery({
        response_type: 'token',
        client_id: clientId,
        redirect_uri: redirectUri,
        state: 'x',
      }),
    )

  const expectPage = async (res: Response) => {
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(await res.text()).toContain('response_type')
  }

  test('BM-AUTH-27 RFC 9700 §4.11.2 a private-use redirect URI gets a page, not a redirect', async () => {
    const uri = 'com.example.app:/oauth2redirect'
    const client = await registered({ redirect_uris: [uri] })
    await expectPage(await badRequest(client.client_id, uri))
  })

  test('BM-AUTH-27 a metadata document\u2019s own-origin https redirect gets a page, not a redirect', async () => {
    const url = 'https://vouch.example/oauth/client.json'
    const redirect = 'https://vouch.example/landing'
    vi.spyOn(globalThis, 'fetch').mockImplementation(
      async () =>
        new Response(
          JSON.stringify({ client_id: url, client_name: 'Doc', redirect_uris: [redirect] }),
          { headers: { 'content-type': 'application/json' } },
        ),
    )
    await expectPage(await badRequest(url, redirect))
  })

  test('BM-AUTH-27 loopback and allow-listed redirect URIs still get the error redirected (R-AU-17)', async () => {
    for (const uri of [LOOPBACK, 'https://claude.ai/api/mcp/auth_callback']) {
      const client = await registered({ redirect_uris: [uri] })
      const res = await badRequest(client.client_id, uri)
      expect(res.status, uri).toBe(302)
      const location = new URL(res.headers.get('location')!)
      expect(location.searchParams.get('error')).toBe('unsupported_response_type')
    }
  })
})

describe('BM-AUTH-25 BM-AUTH-11 the AuthStore of an earlier version is brought up to date', () => {
  test('BM-AUTH-25 BM-AUTH-11 old clients stay (and never expire); old consents, blind to the resource, are dropped', async () => {
    const namespace = (env as unknown as { AUTH_STORE: DurableObjectNamespace<AuthStore> })
      .AUTH_STORE
    const old = namespace.get(namespace.idFromName('migration-test'))
    const after = await runInDurableObject(old, (store: AuthStore, state) => {
      const sql = state.storage.sql
      // The tables as the previous version made them, with a row each.
      sql.exec('DROP TABLE consents')
      sql.exec('DROP TABLE clients')
      sql.exec(`CREATE TABLE consents (client_id TEXT NOT NULL, subject TEXT NOT NULL,
        scopes TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (client_id, subject))`)
      sql.exec(`CREATE TABLE clients (client_id TEXT PRIMARY KEY, data TEXT NOT NULL,
        secret_hash TEXT, created_at INTEGER NOT NULL)`)
      sql.exec("INSERT INTO consents VALUES ('c-old', 'dev:ada', 'mcp', 1)")
      const client = {
        clientId: 'c-old',
        clientName: 'Old',
        redirectUris: [LOOPBACK],
        tokenEndpointAuthMethod: 'none',
        kind: 'dcr',
      }
      sql.exec(
        'INSERT INTO clients VALUES (?, ?, NULL, 1)',
        'c-old',
        JSON.stringify({ client, metadata: { redirect_uris: [LOOPBACK] } }),
      )
      setUpTables(sql)
      return {
        client: store.getClient('c-old')?.client.clientName,
        expiresAt: sql.exec("SELECT expires_at FROM clients WHERE client_id = 'c-old'").one()
          .expires_at,
        consent: store.getConsent('c-old', 'dev:ada', `${LOOPBACK}`),
        consents: Number(sql.exec('SELECT COUNT(*) AS n FROM consents').one().n),
      }
    })
    expect(after).toEqual({ client: 'Old', expiresAt: null, consent: null, consents: 0 })
  })
})
