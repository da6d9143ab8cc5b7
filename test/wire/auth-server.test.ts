// The authorization server on the wire (AUTH=true, dev sign-in): client registration (RFC 7591),
// the authorization endpoint's errors (page versus redirect), the token endpoint (PKCE,
// single-use codes, refresh rotation with reuse detection, RFC 8707 resource), client
// authentication (secrets and private_key_jwt), revocation (RFC 7009), Client ID Metadata
// Documents (with fetch stubbed inside workerd) and the store's expiry sweep. The browser steps
// (sign-in, consent) are driven over HTTP as a browser would, with the CSRF cookie carried.

import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { AuthStore } from '../../src/auth/store.ts'
import { TOOLS } from '../../src/tools/index.ts'
import {
  authorizeQuery,
  expectOAuthError,
  FORM,
  ISSUER,
  JSON_TYPE,
  json,
  LOOPBACK,
  oauthClient,
  pkce,
  RESOURCE,
  type Registered,
} from '../helpers/oauth.ts'
import { serverWith } from '../helpers/wire.ts'

const SECRET = 'wire-test-auth-secret-0123456789abcdef'
const AS = serverWith(TOOLS, {
  AUTH: 'true',
  AUTH_PROVIDER: 'dev',
  AUTH_SECRET: SECRET,
  AUTH_SCOPES: 'mcp extra other',
})
const { call, postForm, register, registered, browse, authorized, exchange, refresh, withTokens } =
  oauthClient(AS)

describe('R-AU-5 BM-AUTH-2 dynamic client registration', () => {
  test('R-AU-5 a public native client with a loopback redirect URI is registered (201)', async () => {
    const { res, body } = await register({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toContain('no-store')
    expect(body).toMatchObject({
      client_name: 'Wire',
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      application_type: 'native',
    })
    expect(body.client_id).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    expect(typeof body.client_id_issued_at).toBe('number')
    expect(body).not.toHaveProperty('client_secret')
  })

  test('R-AU-5 CLIENTS.md D.13 a confidential client gets its secret once and it never expires', async () => {
    const body = await registered({ token_endpoint_auth_method: 'client_secret_basic' })
    expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(body.client_secret_expires_at).toBe(0)
  })

  const accepted: [string, Record<string, unknown>][] = [
    [
      'an allow-listed https URI (exact)',
      { redirect_uris: ['https://claude.ai/api/mcp/auth_callback'] },
    ],
    [
      'an https URI matching a /* pattern',
      { redirect_uris: ['https://chatgpt.com/connector/oauth/abc123'] },
    ],
    ['http://localhost on any port', { redirect_uris: ['http://localhost:33418/cb'] }],
    ['http://[::1]', { redirect_uris: ['http://[::1]:8080/cb'] }],
    [
      'a private-use scheme for a native app',
      {
        redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'],
        application_type: 'native',
      },
    ],
    [
      'a private-use scheme without application_type (taken as native)',
      { redirect_uris: ['vscode://auth/cb'] },
    ],
  ]
  test.each(accepted)('BM-AUTH-2 registers %s', async (_name, metadata) => {
    const { res } = await register(metadata)
    expect(res.status).toBe(201)
  })

  const refused: [string, Record<string, unknown>, string][] = [
    [
      'an https URI not allow-listed',
      { redirect_uris: ['https://evil.example/cb'] },
      'invalid_redirect_uri',
    ],
    [
      'a /* pattern matching two segments',
      { redirect_uris: ['https://chatgpt.com/connector/oauth/a/b'] },
      'invalid_redirect_uri',
    ],
    [
      'a /* pattern matched by ..',
      { redirect_uris: ['https://chatgpt.com/connector/oauth/..'] },
      'invalid_redirect_uri',
    ],
    [
      'plain http to a non-loopback host',
      { redirect_uris: ['http://example.com/cb'] },
      'invalid_redirect_uri',
    ],
    ['javascript:', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['data:', { redirect_uris: ['data:text/html,hi'] }, 'invalid_redirect_uri'],
    ['file:', { redirect_uris: ['file:///etc/passwd'] }, 'invalid_redirect_uri'],
    ['a fragment', { redirect_uris: ['http://127.0.0.1:1/cb#frag'] }, 'invalid_redirect_uri'],
    ['userinfo', { redirect_uris: ['http://user@127.0.0.1:1/cb'] }, 'invalid_redirect_uri'],
    [
      'a private-use scheme for a web app',
      { redirect_uris: ['cursor://x/cb'], application_type: 'web' },
      'invalid_redirect_uri',
    ],
    ['a relative URI', { redirect_uris: ['/cb'] }, 'invalid_redirect_uri'],
    ['no redirect URIs', { redirect_uris: [] }, 'invalid_redirect_uri'],
    ['redirect_uris missing', { redirect_uris: undefined }, 'invalid_redirect_uri'],
    [
      'grant_types with client_credentials',
      { grant_types: ['client_credentials'] },
      'invalid_client_metadata',
    ],
    ['response_types token', { response_types: ['token'] }, 'invalid_client_metadata'],
    [
      'token_endpoint_auth_method private_key_jwt',
      { token_endpoint_auth_method: 'private_key_jwt' },
      'invalid_client_metadata',
    ],
    [
      'a client_name over 200 characters',
      { client_name: 'x'.repeat(201) },
      'invalid_client_metadata',
    ],
    ['an unknown scope', { scope: 'mcp admin' }, 'invalid_client_metadata'],
  ]
  test.each(refused)('R-AU-6 BM-AUTH-2 refuses %s', async (_name, metadata, error) => {
    const { res } = await register(metadata)
    await expectOAuthError(res, 400, error)
  })

  test('BM-AUTH-2 the body must be JSON of at most 16 KiB', async () => {
    await expectOAuthError(
      await call('/register', { headers: FORM, body: 'redirect_uris=x' }),
      400,
      'invalid_client_metadata',
    )
    const big = JSON.stringify({ redirect_uris: [LOOPBACK], pad: 'x'.repeat(17 * 1024) })
    await expectOAuthError(
      await call('/register', { headers: JSON_TYPE, body: big }),
      413,
      'invalid_client_metadata',
    )
  })
})

describe('R-AU-12 R-AU-17 the authorization endpoint', () => {
  const base = async (overrides: Record<string, string | undefined> = {}) => {
    const client = await registered()
    const { challenge } = await pkce()
    return authorizeQuery({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: LOOPBACK,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 's1',
      ...overrides,
    })
  }

  const expectPage = async (res: Response) => {
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(res.headers.get('content-type')).toContain('text/html')
    return res.text()
  }

  test('R-AU-12 errors before client_id and redirect_uri are checked are pages, never redirects', async () => {
    expect(await expectPage(await call(await base({ client_id: undefined })))).toContain(
      'client_id is missing',
    )
    expect(await expectPage(await call(await base({ client_id: 'nope' })))).toContain(
      'unknown client_id',
    )
    expect(
      await expectPage(await call(await base({ redirect_uri: 'https://evil.example/cb' }))),
    ).toContain('is not registered')
    // Loopback matches on any port, but not on another path or host.
    await expectPage(await call(await base({ redirect_uri: 'http://127.0.0.1:4567/other' })))
    await expectPage(
      await call(await base({ redirect_uri: 'http://localhost:4567/oauth/callback' })),
    )
    // Even with every other parameter wrong, a bad redirect URI is never redirected to.
    await expectPage(
      await call(await base({ redirect_uri: 'https://evil.example/cb', response_type: 'token' })),
    )
  })

  test('R-AU-12 RFC 8252 §7.3 a loopback redirect URI matches on any port', async () => {
    const res = await call(await base({ redirect_uri: 'http://127.0.0.1:60001/oauth/callback' }))
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toMatch(/^\/signin\?request=/)
  })

  test('R-AU-12 redirect_uri may be left out when the client registered exactly one', async () => {
    const res = await call(await base({ redirect_uri: undefined }))
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toMatch(/^\/signin\?request=/)
    const two = await registered({ redirect_uris: [LOOPBACK, 'http://127.0.0.1:1/two'] })
    const { challenge } = await pkce()
    const page = await expectPage(
      await call(
        authorizeQuery({
          response_type: 'code',
          client_id: two.client_id,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      ),
    )
    expect(page).toContain('redirect_uri is missing')
  })

  const redirected: [string, Record<string, string | undefined>, string][] = [
    ['code_challenge missing (PKCE required)', { code_challenge: undefined }, 'invalid_request'],
    ['code_challenge_method missing', { code_challenge_method: undefined }, 'invalid_request'],
    ['code_challenge_method plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
    ['response_type missing', { response_type: undefined }, 'invalid_request'],
    ['an unknown scope', { scope: 'mcp admin' }, 'invalid_scope'],
    ['a foreign resource (RFC 8707)', { resource: 'https://other.example/mcp' }, 'invalid_target'],
  ]
  test.each(redirected)(
    'R-AU-16 R-AU-17 %s is redirected back with error, state and iss',
    async (_name, overrides, error) => {
      const res = await call(await base(overrides))
      expect(res.status).toBe(302)
      const location = new URL(res.headers.get('location')!)
      expect(`${location.origin}${location.pathname}`).toBe(LOOPBACK)
      expect(location.searchParams.get('error')).toBe(error)
      expect(location.searchParams.get('error_description')).not.toBeNull()
      expect(location.searchParams.get('state')).toBe('s1')
      expect(location.searchParams.get('iss')).toBe(ISSUER)
    },
  )

  test('R-AU-17 the user denying consent redirects with access_denied, state and iss', async () => {
    const client = await registered()
    const { challenge } = await pkce()
    const redirect = await browse(
      authorizeQuery({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: LOOPBACK,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'deny-me',
      }),
      { decision: 'deny' },
    )
    expect(redirect.searchParams.get('error')).toBe('access_denied')
    expect(redirect.searchParams.get('state')).toBe('deny-me')
    expect(redirect.searchParams.get('iss')).toBe(ISSUER)
    expect(redirect.searchParams.get('code')).toBeNull()
  })

  test('R-AU-17 a granted code comes back with state and iss', async () => {
    const { redirect } = await authorized()
    expect(`${redirect.origin}${redirect.pathname}`).toBe(LOOPBACK)
    expect(redirect.searchParams.get('state')).toBe('st-1')
    expect(redirect.searchParams.get('iss')).toBe(ISSUER)
  })
})

describe('R-AU-3 R-AU-12 the token endpoint', () => {
  test('R-AU-11 the code flow issues a Bearer token bound to the resource, and a refresh token', async () => {
    const flow = await authorized({ scope: 'mcp' })
    const res = await exchange(flow.client, flow.code, flow.verifier)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('no-store')
    const body = await json(res)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'mcp' })
    expect(typeof body.refresh_token).toBe('string')
    const claims = decodeJwt(String(body.access_token))
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: RESOURCE,
      client_id: flow.client.client_id,
      scope: 'mcp',
    })
    expect(claims.sub).toMatch(/^dev:user\d+$/)
  })

  test('R-AU-3 a wrong code_verifier is invalid_grant, and the code is spent', async () => {
    const flow = await authorized()
    const wrong = (await pkce()).verifier
    await expectOAuthError(await exchange(flow.client, flow.code, wrong), 400, 'invalid_grant')
    await expectOAuthError(
      await exchange(flow.client, flow.code, flow.verifier),
      400,
      'invalid_grant',
    )
  })

  test('R-AU-3 a code_verifier is required', async () => {
    const flow = await authorized()
    const res = await postForm('/token', {
      grant_type: 'authorization_code',
      code: flow.code,
      client_id: flow.client.client_id,
      redirect_uri: LOOPBACK,
    })
    await expectOAuthError(res, 400, 'invalid_request')
  })

  test('R-AU-12 RFC 6749 §4.1.2 a replayed code is refused and revokes the tokens it produced', async () => {
    const tokens = await withTokens()
    const replay = await exchange(tokens.client, tokens.code, tokens.verifier)
    await expectOAuthError(replay, 400, 'invalid_grant')
    await expectOAuthError(await refresh(tokens.client, tokens.refreshToken), 400, 'invalid_grant')
  })

  test('R-AU-12 a code is good only for the client it was issued to', async () => {
    const flow = await authorized()
    const other = await registered()
    const res = await exchange(other, flow.code, flow.verifier, { redirect_uri: LOOPBACK })
    await expectOAuthError(res, 400, 'invalid_grant')
  })

  test('R-AU-12 redirect_uri at /token must equal the one sent to /authorize', async () => {
    const flow = await authorized({ redirect_uri: 'http://127.0.0.1:5000/oauth/callback' })
    const res = await exchange(flow.client, flow.code, flow.verifier, { redirect_uri: LOOPBACK })
    await expectOAuthError(res, 400, 'invalid_grant')
  })

  test('R-AU-11 a foreign resource at /token is invalid_target', async () => {
    const flow = await authorized()
    await expectOAuthError(
      await exchange(flow.client, flow.code, flow.verifier, {
        resource: 'https://other.example/mcp',
      }),
      400,
      'invalid_target',
    )
    const again = await authorized()
    await expectOAuthError(
      await exchange(again.client, again.code, again.verifier, { resource: `${ISSUER}/sse` }),
      400,
      'invalid_target',
    )
  })

  test('R-AU-11 the resource of the authorization request becomes the audience', async () => {
    const flow = await authorized({ resource: `${ISSUER}/mcp/readonly` })
    const res = await exchange(flow.client, flow.code, flow.verifier, {
      resource: `${ISSUER}/mcp/readonly`,
    })
    expect(res.status).toBe(200)
    expect(decodeJwt(String((await json(res)).access_token)).aud).toBe(`${ISSUER}/mcp/readonly`)
  })

  test('BM-AUTH-1 R-AU-12 refresh tokens rotate; a used one revokes the whole family', async () => {
    const tokens = await withTokens()
    const first = await refresh(tokens.client, tokens.refreshToken)
    expect(first.status).toBe(200)
    const rotated = await json(first)
    expect(rotated.refresh_token).not.toBe(tokens.refreshToken)
    expect(decodeJwt(String(rotated.access_token)).aud).toBe(RESOURCE)
    // The spent token comes back (stolen?): refused, and the live successor dies with it.
    await expectOAuthError(await refresh(tokens.client, tokens.refreshToken), 400, 'invalid_grant')
    await expectOAuthError(
      await refresh(tokens.client, String(rotated.refresh_token)),
      400,
      'invalid_grant',
    )
  })

  test('BM-AUTH-1 scope may narrow on refresh, never widen', async () => {
    const tokens = await withTokens({ scope: 'mcp' })
    await expectOAuthError(
      await refresh(tokens.client, tokens.refreshToken, { scope: 'mcp extra' }),
      400,
      'invalid_scope',
    )
    // The refused request did not spend the token.
    const wide = await withTokens({ scope: 'mcp extra other' })
    const narrowed = await refresh(wide.client, wide.refreshToken, { scope: 'extra' })
    expect(narrowed.status).toBe(200)
    const body = await json(narrowed)
    // BM-AUTH-28: the base scope stays, narrowed or not.
    expect(body.scope).toBe('mcp extra')
    // The new refresh token still carries the whole grant (RFC 6749 §6).
    const back = await refresh(wide.client, String(body.refresh_token))
    expect((await json(back)).scope).toBe('mcp extra other')
    const ok = await refresh(tokens.client, tokens.refreshToken)
    expect(ok.status).toBe(200)
  })

  test('R-AU-11 resource on refresh must be ours and the grant\u2019s', async () => {
    const tokens = await withTokens()
    await expectOAuthError(
      await refresh(tokens.client, tokens.refreshToken, { resource: 'https://other.example/mcp' }),
      400,
      'invalid_target',
    )
    await expectOAuthError(
      await refresh(tokens.client, tokens.refreshToken, { resource: `${ISSUER}/sse` }),
      400,
      'invalid_target',
    )
    const ok = await refresh(tokens.client, tokens.refreshToken, { resource: RESOURCE })
    expect(ok.status).toBe(200)
  })

  test('BM-AUTH-1 a refresh token is good only for its own client', async () => {
    const tokens = await withTokens()
    const other = await registered()
    await expectOAuthError(await refresh(other, tokens.refreshToken), 400, 'invalid_grant')
    expect((await refresh(tokens.client, tokens.refreshToken)).status).toBe(200)
  })

  test('RFC 6749 §5.2 malformed token requests', async () => {
    await expectOAuthError(
      await call('/token', {
        headers: JSON_TYPE,
        body: JSON.stringify({ grant_type: 'authorization_code' }),
      }),
      400,
      'invalid_request',
    )
    await expectOAuthError(await postForm('/token', {}), 400, 'invalid_request')
    await expectOAuthError(
      await postForm('/token', { grant_type: 'client_credentials' }),
      400,
      'unsupported_grant_type',
    )
    await expectOAuthError(
      await postForm('/token', { grant_type: 'password', username: 'a', password: 'b' }),
      400,
      'unsupported_grant_type',
    )
    await expectOAuthError(
      await call('/token', {
        headers: FORM,
        body: 'grant_type=refresh_token&refresh_token=a&refresh_token=b',
      }),
      400,
      'invalid_request',
    )
    await expectOAuthError(
      await postForm('/token', {
        grant_type: 'authorization_code',
        code: 'x',
        code_verifier: 'y'.repeat(43),
      }),
      401,
      'invalid_client',
    )
    const client = await registered()
    await expectOAuthError(
      await postForm('/token', {
        grant_type: 'authorization_code',
        code: 'nonsense',
        code_verifier: 'y'.repeat(43),
        client_id: client.client_id,
      }),
      400,
      'invalid_grant',
    )
  })
})

describe('R-AU-3 client authentication at the token endpoint', () => {
  const basic = (id: string, secret: string) =>
    `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`

  const confidential = async () => {
    const { client, code, verifier } = await authorized(
      {},
      { token_endpoint_auth_method: 'client_secret_basic' },
    )
    return { client, code, verifier, secret: client.client_secret! }
  }

  test('R-AU-3 client_secret_basic: the right secret gets tokens', async () => {
    const c = await confidential()
    const res = await postForm(
      '/token',
      {
        grant_type: 'authorization_code',
        code: c.code,
        code_verifier: c.verifier,
        redirect_uri: LOOPBACK,
      },
      { authorization: basic(c.client.client_id, c.secret) },
    )
    expect(res.status).toBe(200)
  })

  test('R-AU-3 client_secret_post works for a secret client too', async () => {
    const c = await confidential()
    const res = await postForm('/token', {
      grant_type: 'authorization_code',
      code: c.code,
      code_verifier: c.verifier,
      redirect_uri: LOOPBACK,
      client_id: c.client.client_id,
      client_secret: c.secret,
    })
    expect(res.status).toBe(200)
  })

  test('R-AU-3 a wrong Basic secret is 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const c = await confidential()
    const res = await postForm(
      '/token',
      { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier },
      { authorization: basic(c.client.client_id, `${c.secret}x`) },
    )
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /)
    const body = await expectOAuthError(res, 401, 'invalid_client')
    expect(JSON.stringify(body)).not.toContain(c.secret)
  })

  test('R-AU-3 a confidential client without its secret is 401 invalid_client', async () => {
    const c = await confidential()
    await expectOAuthError(await exchange(c.client, c.code, c.verifier), 401, 'invalid_client')
  })

  test('R-AU-3 a public client presenting a secret is 401; two methods at once are refused', async () => {
    const flow = await authorized()
    await expectOAuthError(
      await exchange(flow.client, flow.code, flow.verifier, { client_secret: 'guess' }),
      401,
      'invalid_client',
    )
    const c = await confidential()
    await expectOAuthError(
      await postForm(
        '/token',
        {
          grant_type: 'authorization_code',
          code: c.code,
          code_verifier: c.verifier,
          client_id: c.client.client_id,
          client_secret: c.secret,
        },
        { authorization: basic(c.client.client_id, c.secret) },
      ),
      400,
      'invalid_request',
    )
  })
})

describe('BM-AUTH-5 revocation (RFC 7009)', () => {
  const revoke = (client: Registered, token: string, hint?: string) =>
    postForm('/revoke', {
      token,
      client_id: client.client_id,
      ...(hint !== undefined ? { token_type_hint: hint } : {}),
    })

  test('BM-AUTH-5 revoking a refresh token ends its grant family', async () => {
    const tokens = await withTokens()
    const res = await revoke(tokens.client, tokens.refreshToken, 'refresh_token')
    expect(res.status).toBe(200)
    await expectOAuthError(await refresh(tokens.client, tokens.refreshToken), 400, 'invalid_grant')
  })

  test('BM-AUTH-5 revoking an access token revokes its grant (its refresh tokens die)', async () => {
    const tokens = await withTokens()
    expect((await revoke(tokens.client, tokens.accessToken, 'access_token')).status).toBe(200)
    await expectOAuthError(await refresh(tokens.client, tokens.refreshToken), 400, 'invalid_grant')
  })

  test('BM-AUTH-5 another client\u2019s token: 200, and nothing is revoked', async () => {
    const tokens = await withTokens()
    const other = await registered()
    expect((await revoke(other, tokens.refreshToken)).status).toBe(200)
    expect((await revoke(other, tokens.accessToken)).status).toBe(200)
    expect((await refresh(tokens.client, tokens.refreshToken)).status).toBe(200)
  })

  test('BM-AUTH-5 unknown tokens answer 200; a missing token is invalid_request', async () => {
    const client = await registered()
    expect((await revoke(client, 'not-a-token')).status).toBe(200)
    expect((await revoke(client, 'aaa.bbb.ccc')).status).toBe(200)
    await expectOAuthError(
      await postForm('/revoke', { client_id: client.client_id }),
      400,
      'invalid_request',
    )
    await expectOAuthError(await postForm('/revoke', { token: 'x' }), 401, 'invalid_client')
  })
})

describe('R-AU-15 BM-AUTH-3 BM-AUTH-4 Client ID Metadata Documents (fetch stubbed)', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  let docs = 0
  /** A unique CIMD URL, and a fetch stub that serves `routes` (url -> response factory). */
  const serve = (routes: Record<string, () => Response>) =>
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input)
      const route = routes[url]
      if (route === undefined) return new Response('not found', { status: 404 })
      return route()
    })

  const jsonResponse = (body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      headers: { 'content-type': 'application/json', ...headers },
    })

  const cimdUrl = () => `https://client${++docs}.example/oauth/client.json`

  const authorizeWith = async (clientId: string, redirectUri: string) => {
    const { challenge, verifier } = await pkce()
    return {
      verifier,
      res: await call(
        authorizeQuery({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirectUri,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          state: 'c1',
        }),
      ),
    }
  }

  test('R-AU-15 a valid document is fetched once and cached (Cache-Control max-age)', async () => {
    const url = cimdUrl()
    const redirect = `${new URL(url).origin}/callback`
    const fetchSpy = serve({
      [url]: () =>
        jsonResponse(
          { client_id: url, client_name: 'Doc Client', redirect_uris: [redirect] },
          { 'cache-control': 'max-age=600' },
        ),
    })
    const first = await authorizeWith(url, redirect)
    expect(first.res.status).toBe(302)
    expect(first.res.headers.get('location')).toMatch(/^\/signin/)
    const second = await authorizeWith(url, redirect)
    expect(second.res.status).toBe(302)
    expect(fetchSpy).toHaveBeenCalledTimes(1)
    const init = fetchSpy.mock.calls[0]![1]
    expect(init?.redirect).toBe('manual')
  })

  const broken: [string, (url: string) => Response, string][] = [
    [
      'a document whose client_id differs from its URL',
      (url) => jsonResponse({ client_id: `${url}x`, client_name: 'X', redirect_uris: [LOOPBACK] }),
      'does not equal its URL',
    ],
    [
      'a document without client_name',
      (url) => jsonResponse({ client_id: url, redirect_uris: [LOOPBACK] }),
      'client_name',
    ],
    [
      'a document without redirect_uris',
      (url) => jsonResponse({ client_id: url, client_name: 'X' }),
      'redirect_uris',
    ],
    [
      'a redirect',
      () =>
        new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/' } }),
      'redirects',
    ],
    [
      'a document over 5 KiB',
      (url) =>
        jsonResponse({
          client_id: url,
          client_name: 'X',
          redirect_uris: [LOOPBACK],
          pad: 'x'.repeat(6000),
        }),
      'larger than 5120 bytes',
    ],
    [
      'a document that is not JSON',
      () => new Response('<html></html>', { headers: { 'content-type': 'text/html' } }),
      'not JSON',
    ],
    [
      'client_secret_post (a public document cannot hold a secret)',
      (url) =>
        jsonResponse({
          client_id: url,
          client_name: 'X',
          redirect_uris: [LOOPBACK],
          token_endpoint_auth_method: 'client_secret_post',
        }),
      'cannot hold a secret',
    ],
    [
      'private_key_jwt without keys',
      (url) =>
        jsonResponse({
          client_id: url,
          client_name: 'X',
          redirect_uris: [LOOPBACK],
          token_endpoint_auth_method: 'private_key_jwt',
        }),
      'jwks_uri or jwks',
    ],
    [
      'a foreign https redirect URI',
      (url) =>
        jsonResponse({
          client_id: url,
          client_name: 'X',
          redirect_uris: ['https://evil.example/cb'],
        }),
      'not allowed',
    ],
  ]
  test.each(broken)(
    'BM-AUTH-3 R-AU-15 %s is an error page (never a redirect); the log names the problem',
    async (_name, respond, words) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const url = cimdUrl()
      serve({ [url]: () => respond(url) })
      const { res } = await authorizeWith(url, LOOPBACK)
      expect(res.status).toBe(400)
      expect(res.headers.get('location')).toBeNull()
      // The client hears one sentence whatever went wrong; the operator's log says what.
      expect(await res.text()).toContain('client metadata document could not be used')
      expect(warn.mock.calls.map((args) => args.join(' ')).join('\n')).toContain(words)
    },
  )

  test('BM-AUTH-3 client_id URLs that are not fetched at all', async () => {
    const fetchSpy = serve({})
    for (const url of [
      'http://client.example/client.json',
      'https://client.example',
      'https://client.example/',
      'https://client.example/a/../client.json',
      'https://user@client.example/client.json',
      'https://10.0.0.1/client.json',
      'https://localhost/client.json',
      'https://client.example/client.json#frag',
    ]) {
      const { res } = await authorizeWith(url, LOOPBACK)
      expect(res.status, url).toBe(400)
    }
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  test('BM-AUTH-4 C4.4 a private_key_jwt document (ChatGPT\u2019s shape) is accepted, and /token needs a valid assertion', async () => {
    const url = cimdUrl()
    const origin = new URL(url).origin
    const jwksUri = `${origin}/oauth/jwks.json`
    const redirect = `${origin}/connector/oauth/abc`
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
    serve({
      [url]: () =>
        jsonResponse({
          client_id: url,
          client_name: 'ChatGPT',
          redirect_uris: [redirect],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
          token_endpoint_auth_signing_alg: 'RS256',
          jwks_uri: jwksUri,
        }),
      [jwksUri]: () => jsonResponse({ keys: [jwk] }),
    })
    const assertion = (key: CryptoKey, claims: { aud?: string; exp?: string; jti?: string } = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(url)
        .setSubject(url)
        .setAudience(claims.aud ?? `${ISSUER}/token`)
        .setJti(claims.jti ?? crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(claims.exp ?? '60s')
        .sign(key)
    const codeFor = async () => {
      const { challenge, verifier } = await pkce()
      const redirected = await browse(
        authorizeQuery({
          response_type: 'code',
          client_id: url,
          redirect_uri: redirect,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      )
      return { code: redirected.searchParams.get('code')!, verifier }
    }
    const tokenRequest = (code: string, verifier: string, extra: Record<string, string>) =>
      postForm('/token', {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: redirect,
        ...extra,
      })
    const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

    // Without an assertion: refused (the document's method is private_key_jwt).
    let c = await codeFor()
    await expectOAuthError(
      await tokenRequest(c.code, c.verifier, { client_id: url }),
      401,
      'invalid_client',
    )
    // Signed by another key.
    const stranger = await generateKeyPair('RS256')
    c = await codeFor()
    await expectOAuthError(
      await tokenRequest(c.code, c.verifier, {
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(stranger.privateKey),
      }),
      401,
      'invalid_client',
    )
    // Wrong audience; too long-lived.
    for (const claims of [{ aud: 'https://other.example/token' }, { exp: '1h' }]) {
      c = await codeFor()
      await expectOAuthError(
        await tokenRequest(c.code, c.verifier, {
          client_assertion_type: JWT_BEARER,
          client_assertion: await assertion(privateKey, claims),
        }),
        401,
        'invalid_client',
      )
    }
    // A good one works, and may not be used twice (jti replay).
    c = await codeFor()
    const good = await assertion(privateKey)
    const ok = await tokenRequest(c.code, c.verifier, {
      client_assertion_type: JWT_BEARER,
      client_assertion: good,
    })
    expect(ok.status, await ok.clone().text()).toBe(200)
    const refreshToken = String((await json(ok)).refresh_token)
    await expectOAuthError(
      await postForm('/token', {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_assertion_type: JWT_BEARER,
        client_assertion: good,
      }),
      401,
      'invalid_client',
    )
    const refreshed = await postForm('/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(privateKey, { aud: ISSUER }),
    })
    expect(refreshed.status).toBe(200)
  })
})

describe('BM-AUTH-6 the store sweeps expired rows', () => {
  test('BM-AUTH-6 the alarm deletes expired pending requests, codes, grants and refresh tokens', async () => {
    const namespace = (env as unknown as { AUTH_STORE: DurableObjectNamespace<AuthStore> })
      .AUTH_STORE
    const stub = namespace.get(namespace.idFromName('auth'))
    const past = Date.now() - 1000
    await runInDurableObject(stub, (store: AuthStore) => {
      store.putPending({
        id: 'sweep-me',
        clientId: 'c',
        clientName: 'c',
        redirectUri: LOOPBACK,
        state: null,
        codeChallenge: 'x',
        scopes: [],
        resource: RESOURCE,
        expiresAt: past,
      })
      store.putGrantWithCode(
        {
          id: 'g-sweep',
          clientId: 'c',
          subject: 's',
          identity: { subject: 's', provider: 'dev' },
          scopes: [],
          resource: RESOURCE,
        },
        'code-sweep',
        {
          grantId: 'g-sweep',
          clientId: 'c',
          redirectUri: LOOPBACK,
          redirectUriGiven: true,
          codeChallenge: 'x',
          resource: RESOURCE,
        },
        past,
      )
      store.useAssertionJti('c', 'jti-sweep', past)
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    const left = await runInDurableObject(stub, (_store: AuthStore, state) => {
      const count = (sql: string) => Number(state.storage.sql.exec(sql).one().n)
      return {
        pending: count("SELECT COUNT(*) AS n FROM pending WHERE id = 'sweep-me'"),
        codes: count("SELECT COUNT(*) AS n FROM codes WHERE hash = 'code-sweep'"),
        grants: count("SELECT COUNT(*) AS n FROM grants WHERE id = 'g-sweep'"),
        jtis: count("SELECT COUNT(*) AS n FROM assertion_jtis WHERE jti = 'jti-sweep'"),
      }
    })
    expect(left).toEqual({ pending: 0, codes: 0, grants: 0, jtis: 0 })
  })
})
