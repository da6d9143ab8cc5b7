// Helpers for wire tests of the authorization server: raw HTTP to its endpoints, and the browser
// steps (dev sign-in, consent) driven as a browser does them, carrying the CSRF cookie.
//
//   const as = oauthClient(serverWith(TOOLS, { AUTH: 'true', AUTH_SECRET: '...' }))
//   const client = await as.registered()                 // POST /register
//   const { code, verifier } = await as.authorized()     // /authorize -> sign-in -> consent
//   const res = await as.exchange(client, code, verifier)

import { expect } from 'vitest'
import type { Target } from './wire.ts'

export const ISSUER = 'http://localhost'
export const RESOURCE = `${ISSUER}/mcp`
export const LOOPBACK = 'http://127.0.0.1:4567/oauth/callback'
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
export const JSON_TYPE = { 'content-type': 'application/json' }

export interface Registered {
  client_id: string
  client_secret?: string
  redirect_uris: string[]
  [key: string]: unknown
}

export interface CallInit {
  method?: string
  headers?: Record<string, string>
  body?: string
}

export const form = (values: Record<string, string>) => new URLSearchParams(values).toString()

export const json = async (res: Response) => (await res.json()) as Record<string, unknown>

const toBase64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/** RFC 7636: a random verifier and its S256 challenge. */
export const pkce = async () => {
  const verifier = toBase64url(crypto.getRandomValues(new Uint8Array(32)))
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return { verifier, challenge: toBase64url(new Uint8Array(digest)) }
}

export const authorizeQuery = (params: Record<string, string | undefined>) => {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) query.set(name, value)
  return `/authorize?${query}`
}

/** An OAuth error response: status, `error`, a description, never cached. */
export const expectOAuthError = async (res: Response, status: number, error: string) => {
  const body = await json(res)
  expect({ status: res.status, error: body.error }, JSON.stringify(body)).toEqual({
    status,
    error,
  })
  expect(res.headers.get('cache-control')).toContain('no-store')
  expect(typeof body.error_description).toBe('string')
  return body
}

/** The hidden inputs of a page's form, by name. */
export const hiddenFields = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  )

let users = 0

/** The endpoints of the authorization server behind `target`, as a client and a browser use them. */
export const oauthClient = (target: Target) => {
  const call = (path: string, init: CallInit = {}): Promise<Response> =>
    target.fetch(
      new Request(`${ISSUER}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: init.headers ?? {},
        ...(init.body === undefined ? {} : { body: init.body }),
      }),
    )

  const postForm = (path: string, values: Record<string, string>, headers = {}) =>
    call(path, { headers: { ...FORM, ...headers }, body: form(values) })

  const register = async (metadata: Record<string, unknown> = {}) => {
    const res = await call('/register', {
      headers: JSON_TYPE,
      body: JSON.stringify({ client_name: 'Wire', redirect_uris: [LOOPBACK], ...metadata }),
    })
    return { res, body: (await res.clone().json()) as Registered }
  }

  const registered = async (metadata: Record<string, unknown> = {}) => {
    const { res, body } = await register(metadata)
    expect(res.status, JSON.stringify(body)).toBe(201)
    return body
  }

  /**
   * GET /authorize, then the dev sign-in and consent as a browser does them (carrying the CSRF
   * cookie); the final Location (the client's redirect URI with code or error). `user` signs in
   * (a new one each time unless given); `consentPage` receives the consent page's HTML.
   */
  const browse = async (
    path: string,
    options: {
      decision?: 'approve' | 'deny'
      user?: string
      consentPage?: (html: string) => void
    } = {},
  ): Promise<URL> => {
    let res = await call(path)
    expect(res.status, await res.clone().text()).toBe(302)
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!
    expect(cookie).toMatch(/^bare_mcp_csrf=./)
    let location = res.headers.get('location')!
    expect(location).toMatch(/^\/signin\?request=/)
    const signinPage = await (await call(location, { headers: { cookie } })).text()
    res = await postForm(
      '/signin',
      { ...hiddenFields(signinPage), name: options.user ?? `user${++users}` },
      { cookie },
    )
    expect(res.status, await res.clone().text()).toBe(302)
    location = res.headers.get('location')!
    if (location.startsWith('/consent')) {
      const consentPage = await (await call(location, { headers: { cookie } })).text()
      options.consentPage?.(consentPage)
      res = await postForm(
        '/consent',
        { ...hiddenFields(consentPage), decision: options.decision ?? 'approve' },
        { cookie },
      )
      expect(res.status, await res.clone().text()).toBe(302)
      location = res.headers.get('location')!
    }
    return new URL(location)
  }

  /** A registered public client, a finished authorization and its code. */
  const authorized = async (
    params: Record<string, string> = {},
    metadata: Record<string, unknown> = {},
  ) => {
    const client = await registered(metadata)
    const { verifier, challenge } = await pkce()
    const redirect = await browse(
      authorizeQuery({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: client.redirect_uris[0],
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'st-1',
        resource: RESOURCE,
        ...params,
      }),
    )
    const code = redirect.searchParams.get('code')
    expect(code, redirect.href).not.toBeNull()
    return { client, verifier, code: code!, redirect }
  }

  const exchange = (
    client: Registered,
    code: string,
    verifier: string,
    extra: Record<string, string> = {},
  ) =>
    postForm('/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: client.redirect_uris[0]!,
      client_id: client.client_id,
      resource: RESOURCE,
      ...extra,
    })

  const refresh = (client: Registered, token: string, extra: Record<string, string> = {}) =>
    postForm('/token', {
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: client.client_id,
      ...extra,
    })

  /** A client with tokens: the whole code flow done. */
  const withTokens = async (params: Record<string, string> = {}) => {
    const flow = await authorized(params)
    const res = await exchange(flow.client, flow.code, flow.verifier, {
      ...(params.resource !== undefined ? { resource: params.resource } : {}),
    })
    expect(res.status, await res.clone().text()).toBe(200)
    const body = await json(res)
    return {
      ...flow,
      accessToken: String(body.access_token),
      refreshToken: String(body.refresh_token),
      scope: String(body.scope),
    }
  }

  return {
    call,
    postForm,
    register,
    registered,
    browse,
    authorized,
    exchange,
    refresh,
    withTokens,
  }
}
