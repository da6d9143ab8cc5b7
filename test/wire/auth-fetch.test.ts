// What the authorization server fetches from elsewhere, with fetch stubbed inside workerd:
// Client ID Metadata Documents and client key sets only from public DNS names on port 443, with
// one message whatever went wrong, failures remembered briefly (BM-AUTH-3); bounded caches of
// documents and key sets (BM-AUTH-26); and the upstream sign-in provider's answers under a
// timeout and a size cap (BM-AUTH-29).

import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { AuthStore } from '../../src/auth/store.ts'
import { TOOLS } from '../../src/tools/index.ts'
import { authorizeQuery, ISSUER, LOOPBACK, oauthClient, pkce } from '../helpers/oauth.ts'
import { serverWith, workerWith } from '../helpers/wire.ts'

const AUTH = {
  AUTH: 'true',
  AUTH_PROVIDER: 'dev',
  AUTH_SECRET: 'fetch-test-secret-0123456789abcdefg',
}
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

afterEach(() => {
  vi.restoreAllMocks()
})

type Route = (init: RequestInit | undefined) => Response | Promise<Response>

/** A fetch stub serving `routes` (URL -> answer); every other URL is 404. */
const serve = (routes: Record<string, Route>) =>
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const route = routes[url]
    return route === undefined ? new Response('not found', { status: 404 }) : route(init)
  })

const jsonResponse = (body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/json', ...headers },
  })

/** A fetch answer that never comes, except as the abort the caller's signal asks for. */
const never: Route = (init) =>
  new Promise((_resolve, reject) => {
    const signal = init?.signal
    signal?.addEventListener('abort', () => reject(signal.reason))
  })

let docs = 0
const cimdUrl = () => `https://fetch${++docs}.example/oauth/client.json`

const authorizeWith = async (
  target: ReturnType<typeof oauthClient>,
  clientId: string,
  redirectUri = LOOPBACK,
) => {
  const { challenge } = await pkce()
  const res = await target.call(
    authorizeQuery({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 's',
    }),
  )
  return { status: res.status, location: res.headers.get('location'), text: await res.text() }
}

const store = () => {
  const namespace = (env as unknown as { AUTH_STORE: DurableObjectNamespace<AuthStore> }).AUTH_STORE
  return namespace.get(namespace.idFromName('auth'))
}

describe('BM-AUTH-3 metadata documents come from public DNS names on port 443', () => {
  const as = oauthClient(serverWith(TOOLS, AUTH))

  test('BM-AUTH-3 SSRF: hosts that are not public DNS names, and other ports, are never fetched', async () => {
    const fetchSpy = serve({})
    for (const url of [
      'https://localhost./client.json',
      'https://foo.localhost/client.json',
      'https://vm/client.json',
      'https://printer.local/client.json',
      'https://db.internal/client.json',
      'https://client.example:8443/client.json',
      'https://client.example./client.json',
      'https://[::1]/client.json',
      'https://[fd00::1]/client.json',
      'https://127.0.0.1/client.json',
      'https://169.254.169.254/latest/meta-data',
      'https://2130706433/client.json',
      'https://0x7f.1/client.json',
      'http://client.example/client.json',
    ]) {
      const res = await authorizeWith(as, url)
      expect({ url, status: res.status, location: res.location }).toEqual({
        url,
        status: 400,
        location: null,
      })
    }
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  test('BM-AUTH-3 one message whatever went wrong: no status, no reason (no port or status oracle)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const slow = oauthClient(serverWith(TOOLS, { ...AUTH, AUTH_FETCH_TIMEOUT_MS: '500' }))
    const pages: string[] = []
    const cases: [Route, string][] = [
      [() => new Response('gone', { status: 404 }), 'answered 404'],
      [() => new Response('oops', { status: 500 }), 'answered 500'],
      [never, 'took longer than'],
      [
        () => new Response(null, { status: 302, headers: { location: 'https://x.example/' } }),
        'redirects',
      ],
      [() => new Response('<html>', { headers: { 'content-type': 'text/html' } }), 'not JSON'],
      [
        () =>
          jsonResponse({
            client_id: 'https://other.example/c.json',
            client_name: 'Impostor',
            redirect_uris: [LOOPBACK],
          }),
        'does not equal its URL',
      ],
    ]
    for (const [route, reason] of cases) {
      const url = cimdUrl()
      serve({ [url]: route })
      const res = await authorizeWith(slow, url)
      expect(res.status).toBe(400)
      expect(res.location).toBeNull()
      pages.push(res.text.replaceAll(url, '<url>'))
      // The operator can still read why, in the Worker's log.
      expect(
        warn.mock.calls.some((args) => args.join(' ').includes(reason)),
        reason,
      ).toBe(true)
    }
    expect(new Set(pages).size).toBe(1)
    expect(pages[0]).toContain('client metadata document could not be used')
    expect(pages[0]).not.toMatch(/404|500|redirect|JSON|longer/)
  })

  test('BM-AUTH-3 a failed fetch is remembered for AUTH_FETCH_FAILURE_TTL_S: not fetched again at once', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const url = cimdUrl()
    const fetchSpy = serve({ [url]: () => new Response('no', { status: 503 }) })
    expect((await authorizeWith(as, url)).status).toBe(400)
    expect((await authorizeWith(as, url)).status).toBe(400)
    expect(fetchSpy).toHaveBeenCalledTimes(1)
  })

  test('BM-AUTH-3 a jwks_uri obeys the same host rules', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    for (const jwksUri of ['https://localhost./jwks.json', 'https://keys.example:444/jwks.json']) {
      const url = cimdUrl()
      const fetchSpy = serve({
        [url]: () =>
          jsonResponse({
            client_id: url,
            client_name: 'Keys',
            redirect_uris: [LOOPBACK],
            token_endpoint_auth_method: 'private_key_jwt',
            jwks_uri: jwksUri,
          }),
      })
      const res = await authorizeWith(as, url)
      expect(res.status, jwksUri).toBe(400)
      expect(fetchSpy).toHaveBeenCalledTimes(1)
      vi.restoreAllMocks()
    }
  })
})

/** A private_key_jwt client by metadata document, its key set padded to about `jwksBytes`. */
const keyedClient = async (jwksBytes = 0) => {
  const url = cimdUrl()
  const jwksUri = `${new URL(url).origin}/jwks.json`
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
  const jwks = { keys: [jwk], ...(jwksBytes > 0 ? { pad: 'p'.repeat(jwksBytes) } : {}) }
  const routes: Record<string, Route> = {
    [url]: () =>
      jsonResponse({
        client_id: url,
        client_name: 'Keyed',
        redirect_uris: [LOOPBACK],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: jwksUri,
      }),
    [jwksUri]: () => jsonResponse(jwks),
  }
  const assertion = (key: CryptoKey = privateKey) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(url)
      .setSubject(url)
      .setAudience(`${ISSUER}/revoke`)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(key)
  return { url, jwksUri, routes, assertion }
}

describe('BM-AUTH-26 the caches of documents and key sets are bounded', () => {
  // workerWith: one env, parsed once, as in an isolate (the key-set cache lives per settings).
  /** Authenticates `client` at /revoke (which checks its assertion against its key set). */
  const authenticate = async (
    as: ReturnType<typeof oauthClient>,
    client: Awaited<ReturnType<typeof keyedClient>>,
  ) =>
    (
      await as.postForm('/revoke', {
        token: 'anything',
        client_assertion_type: JWT_BEARER,
        client_assertion: await client.assertion(),
      })
    ).status

  const jwksFetches = (spy: ReturnType<typeof serve>, uri: string) =>
    spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input) === uri)
      .length

  test('BM-AUTH-26 key sets: at most AUTH_JWKS_CACHE_MAX of them, least recently used evicted', async () => {
    const as = oauthClient(workerWith({ ...AUTH, AUTH_JWKS_CACHE_MAX: '1' }))
    const a = await keyedClient()
    const b = await keyedClient()
    const spy = serve({ ...a.routes, ...b.routes })
    expect(await authenticate(as, a)).toBe(200)
    expect(await authenticate(as, a)).toBe(200)
    expect(jwksFetches(spy, a.jwksUri)).toBe(1)
    expect(await authenticate(as, b)).toBe(200)
    expect(await authenticate(as, a)).toBe(200)
    expect(jwksFetches(spy, a.jwksUri)).toBe(2)
  })

  test('BM-AUTH-26 key sets: at most AUTH_JWKS_CACHE_BYTES in all', async () => {
    const as = oauthClient(workerWith({ ...AUTH, AUTH_JWKS_CACHE_BYTES: '2048' }))
    const a = await keyedClient(1200)
    const b = await keyedClient(1200)
    const spy = serve({ ...a.routes, ...b.routes })
    expect(await authenticate(as, a)).toBe(200)
    expect(await authenticate(as, b)).toBe(200)
    expect(await authenticate(as, a)).toBe(200)
    expect(jwksFetches(spy, a.jwksUri)).toBe(2)
  })

  test('BM-AUTH-26 a key set over AUTH_JWKS_MAX_BYTES is refused', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const as = oauthClient(workerWith({ ...AUTH, AUTH_JWKS_MAX_BYTES: '1024' }))
    const a = await keyedClient(2000)
    serve(a.routes)
    expect(await authenticate(as, a)).toBe(401)
  })

  test('BM-AUTH-26 documents: at most AUTH_CIMD_CACHE_MAX kept in the AuthStore', async () => {
    const as = oauthClient(serverWith(TOOLS, { ...AUTH, AUTH_CIMD_CACHE_MAX: '2' }))
    const urls = [cimdUrl(), cimdUrl(), cimdUrl()]
    serve(
      Object.fromEntries(
        urls.map((url) => [
          url,
          () => jsonResponse({ client_id: url, client_name: 'Doc', redirect_uris: [LOOPBACK] }),
        ]),
      ),
    )
    for (const url of urls) expect((await authorizeWith(as, url)).status).toBe(302)
    const rows = await runInDurableObject(store(), (_store: AuthStore, state) =>
      Number(state.storage.sql.exec('SELECT COUNT(*) AS n FROM cimd_cache').one().n),
    )
    expect(rows).toBeLessThanOrEqual(2)
  })
})

describe('BM-AUTH-29 the upstream provider\u2019s answers: a timeout and a size cap', () => {
  const GITHUB = {
    ...AUTH,
    AUTH_PROVIDER: 'github',
    GITHUB_CLIENT_ID: 'gh-client',
    GITHUB_CLIENT_SECRET: 'gh-secret-0123456789',
    GITHUB_URL: 'https://github.example',
    GITHUB_API_URL: 'https://api.github.example',
    AUTH_FETCH_TIMEOUT_MS: '500',
  }
  const TOKEN_URL = 'https://github.example/login/oauth/access_token'

  /** Starts a GitHub sign-in and comes back to /callback, as GitHub would send the browser. */
  const callback = async (settings: Record<string, string>) => {
    const as = oauthClient(serverWith(TOOLS, settings))
    const client = await as.registered()
    const { challenge } = await pkce()
    const start = await as.call(
      authorizeQuery({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: LOOPBACK,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    )
    expect(start.status).toBe(302)
    const upstream = new URL(start.headers.get('location')!)
    expect(upstream.origin).toBe('https://github.example')
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!
    const state = upstream.searchParams.get('state')!
    return as.call(`/callback?code=gh-code&state=${encodeURIComponent(state)}`, {
      headers: { cookie },
    })
  }

  test('BM-AUTH-29 a token endpoint that never answers is given up after AUTH_FETCH_TIMEOUT_MS', async () => {
    serve({ [TOKEN_URL]: never })
    const res = await callback(GITHUB)
    expect(res.status).toBe(502)
    expect(await res.text()).toContain('Sign-in failed')
  }, 10_000)

  test('BM-AUTH-29 an answer over AUTH_UPSTREAM_MAX_BYTES is refused, not read whole', async () => {
    serve({
      [TOKEN_URL]: () => jsonResponse({ access_token: 'gho_x', pad: 'x'.repeat(1_048_576) }),
      'https://api.github.example/user': () => jsonResponse({ id: 1, login: 'octocat' }),
    })
    const res = await callback(GITHUB)
    expect(res.status).toBe(502)
    expect(await res.text()).toContain('Sign-in failed')
  })
})
