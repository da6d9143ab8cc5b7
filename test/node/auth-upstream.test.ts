// Sign-in through an upstream identity provider, end to end: `wrangler dev` with AUTH=true
// against (1) a real OpenID Connect provider (oidc-provider, test/node/fixtures/oidc-upstream.ts)
// and (2) a GitHub stand-in (test/node/fixtures/github-standin.ts), each driven over HTTP by
// test/node/oauth-driver.ts from /authorize to the code at the client's loopback redirect URI,
// then to a token. Hostile rows: a tampered state, a callback without the browser's cookie, a
// replayed callback, the provider saying access_denied, ID tokens with a wrong nonce or audience.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROOT, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'
import { startGitHubStandIn, type GitHubStandIn } from './fixtures/github-standin.ts'
import { startOidcUpstream, type OidcUpstream } from './fixtures/oidc-upstream.ts'
import {
  authorizeFlow,
  authorizeUrl,
  cookieOf,
  describeFlow,
  exchangeCode,
  follow,
  formsOf,
  newBrowser,
  pkce,
  registerClient,
  submitForm,
  type Browser,
  type FlowResult,
  type PageHandler,
  type RegisteredClient,
} from './oauth-driver.ts'

const AUTH_SECRET = 'auth-upstream-test-secret-0123456789abcdef'

const startWorker = async (name: string, vars: Record<string, string>) => {
  const persistTo = mkdtempSync(path.join(tmpdir(), `bare-mcp-${name}-`))
  const worker = await startWrangler({
    vars: { AUTH: 'true', AUTH_ALLOW_LOOPBACK_FETCH: 'true', AUTH_SECRET, ...vars },
    log: `${ROOT}/.wrangler/test-${name}.log`,
    persistTo,
    readyMs: 90_000,
  })
  return {
    worker,
    stop: async () => {
      await worker.stop()
      rmSync(persistTo, { recursive: true, force: true })
    },
  }
}

/** Follows /authorize for `client` until the upstream sends the browser to our /callback. */
const toCallback = async (
  base: string,
  client: RegisteredClient,
  onPage: PageHandler,
  browser: Browser = newBrowser(),
): Promise<{ browser: Browser; callback: URL; verifier: string; flow: FlowResult }> => {
  const pair = pkce()
  const url = authorizeUrl(base, {
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    challenge: pair.challenge,
    state: 'client-state',
  })
  const flow = await follow(browser, url, await browser.fetch(url), `${base}/callback`, onPage)
  if (flow.redirect === undefined)
    throw new Error(`never reached /callback:\n${describeFlow(flow)}`)
  return { browser, callback: flow.redirect, verifier: pair.verifier, flow }
}

/** Fetches a page and returns its status and text (without tags). */
const pageText = async (response: Response): Promise<{ status: number; text: string }> => ({
  status: response.status,
  text: (await response.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
})

describe('OIDC upstream (oidc-provider)', () => {
  let op: OidcUpstream
  let worker: RunningWorker
  let stop: () => Promise<void>
  let client: RegisteredClient

  /** The provider's own login and consent pages: any login, any password. */
  const providerPages =
    (login: string): PageHandler =>
    async (page, browser) => {
      if (!page.url.startsWith(op.url)) return null
      const form = formsOf(page.html, page.url)[0]
      if (form === undefined) return null
      return submitForm(browser, form, { login, password: 'any' })
    }

  beforeAll(async () => {
    op = await startOidcUpstream()
    ;({ worker, stop } = await startWorker('auth-oidc', {
      AUTH_PROVIDER: 'oidc',
      OIDC_ISSUER: op.url,
      OIDC_CLIENT_ID: op.clientId,
      OIDC_CLIENT_SECRET: op.clientSecret,
    }))
    await op.configure(`${worker.url}/callback`)
    client = await registerClient(worker.url, { client_name: 'OIDC Flow Client' })
  }, 120_000)

  afterAll(async () => {
    await stop?.()
    await op?.close()
  })

  test('BM-AUTH-13 OIDC sign-in: PKCE, nonce and signed state upstream; identity oidc:<sub> reaches consent, code and token', async () => {
    const base = worker.url
    const flow = await authorizeFlow(base, client, {
      decision: 'stop',
      onPage: providerPages('ada'),
    })
    const upstream = flow.hops.find((hop) => hop.location?.startsWith(`${op.url}/auth`))
    expect(upstream, describeFlow(flow)).toBeDefined()
    const sent = new URL(upstream!.location!).searchParams
    expect(sent.get('response_type')).toBe('code')
    expect(sent.get('client_id')).toBe(op.clientId)
    expect(sent.get('redirect_uri')).toBe(`${base}/callback`)
    expect(sent.get('code_challenge_method')).toBe('S256')
    expect(sent.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(sent.get('nonce')?.length).toBeGreaterThanOrEqual(16)
    expect(sent.get('scope')).toBe('openid email profile')
    // Our state is ours, not the client's.
    expect(sent.get('state')).not.toBe(flow.state)
    expect(sent.get('state')).toMatch(/\./)

    expect(flow.page?.url, describeFlow(flow)).toMatch(/\/consent\?request=/)
    expect(flow.page?.html).toContain('ada Lovelace')
    expect(flow.page?.html).toContain('oidc:ada')
    expect(flow.page?.html).toContain('ada@example.com')

    const form = formsOf(flow.page!.html, flow.page!.url)[0]!
    const done = await follow(
      flow.browser,
      flow.page!.url,
      await submitForm(flow.browser, form, { decision: 'approve' }),
      client.redirectUri,
      async () => null,
    )
    expect(done.code, describeFlow(done)).toBeDefined()
    expect(done.iss).toBe(base)
    // The flow is over: the browser-binding cookie is gone.
    expect(cookieOf(flow.browser, base, 'bare_mcp_csrf')).toBeUndefined()

    const tokens = await exchangeCode(base, client, {
      ...done,
      verifier: flow.verifier,
      redirectUri: client.redirectUri,
    })
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
    const claims = decodeJwt(String(tokens.body.access_token))
    expect(claims.sub).toBe('oidc:ada')
  })

  test('BM-AUTH-15 a tampered state (or a mixed-up iss) at /callback is refused, and nothing is signed in', async () => {
    const { browser, callback } = await toCallback(worker.url, client, providerPages('eve'))
    const state = callback.searchParams.get('state')!
    const forged = new URL(callback)
    forged.searchParams.set('state', `${state.slice(0, -2)}${state.endsWith('AA') ? 'BB' : 'AA'}`)
    const refused = await pageText(await browser.fetch(forged.href))
    expect(refused.status).toBe(400)
    expect(refused.text).toMatch(/state this server did not make/)
    // Another server's state (no signature at all) is refused the same way.
    const bare = new URL(callback)
    bare.searchParams.set('state', state.split('.')[0]!)
    expect((await browser.fetch(bare.href)).status).toBe(400)
    // RFC 9207: an answer naming another issuer is refused (mix-up).
    expect(callback.searchParams.get('iss')).toBe(op.url)
    const mixedUp = new URL(callback)
    mixedUp.searchParams.set('iss', 'https://evil.example')
    const mix = await pageText(await browser.fetch(mixedUp.href))
    expect(mix.status).toBe(400)
    expect(mix.text).toMatch(/different sign-in provider/)
    // The genuine callback still works: the refusals above were about state and iss alone.
    const genuine = await browser.fetch(callback.href)
    expect(genuine.status).toBe(302)
    expect(genuine.headers.get('location')).toMatch(/^\/consent\?request=/)
  })

  test('BM-AUTH-15 a callback without the browser cookie is refused (login CSRF), and a replayed callback too', async () => {
    const { browser, callback } = await toCallback(worker.url, client, providerPages('mallory'))
    const elsewhere = await pageText(await newBrowser().fetch(callback.href))
    expect(elsewhere.status).toBe(403)
    expect(elsewhere.text).toMatch(/another browser/)

    const first = await browser.fetch(callback.href)
    expect(first.status).toBe(302)
    const replay = await pageText(await browser.fetch(callback.href))
    expect(replay.status).toBe(400)
    expect(replay.text).toMatch(/expired or was already used/)
  })

  test('BM-AUTH-13 the provider answering error=access_denied sends the client access_denied, no code', async () => {
    // The provider's login page has a cancel link; following it aborts the interaction.
    const cancel: PageHandler = async (page, browser) => {
      if (!page.url.startsWith(op.url)) return null
      const href = /href="([^"]*abort[^"]*)"/.exec(page.html)?.[1]
      return href === undefined ? null : browser.fetch(new URL(href, page.url).href)
    }
    const { browser, callback } = await toCallback(worker.url, client, cancel)
    expect(callback.searchParams.get('error')).toBe('access_denied')
    const denied = await browser.fetch(callback.href)
    expect(denied.status).toBe(302)
    const back = new URL(denied.headers.get('location')!)
    expect(back.href.startsWith(client.redirectUri)).toBe(true)
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(back.searchParams.get('iss')).toBe(worker.url)
    expect(back.searchParams.get('code')).toBeNull()
  })

  test.each([
    ['nonce', /not valid \(nonce\)/],
    ['aud', /not valid \(aud\)/],
  ] as const)(
    'BM-AUTH-13 an ID token with a wrong %s (validly signed) is refused',
    async (claim, message) => {
      const { browser, callback } = await toCallback(worker.url, client, providerPages('trudy'))
      op.tamper = claim
      try {
        const page = await pageText(await browser.fetch(callback.href))
        expect(page.status).toBe(502)
        expect(page.text).toMatch(message)
      } finally {
        op.tamper = null
      }
    },
  )

  test('BM-AUTH-14 /signin (the name-only form) is refused when AUTH_PROVIDER is not dev', async () => {
    const page = await pageText(await fetch(`${worker.url}/signin?request=x`))
    expect(page.status).toBe(403)
    const post = await fetch(`${worker.url}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'request=x&csrf=x&name=root',
    })
    expect(post.status).toBe(403)
  })
})

describe('GitHub upstream (stand-in)', () => {
  let gh: GitHubStandIn
  let worker: RunningWorker
  let stop: () => Promise<void>
  let client: RegisteredClient

  /** GitHub redirects straight back (the stand-in has no pages). */
  const none: PageHandler = async () => null

  beforeAll(async () => {
    gh = await startGitHubStandIn()
    ;({ worker, stop } = await startWorker('auth-github', {
      AUTH_PROVIDER: 'github',
      GITHUB_URL: gh.url,
      GITHUB_API_URL: `${gh.url}/`,
      GITHUB_CLIENT_ID: gh.clientId,
      GITHUB_CLIENT_SECRET: gh.clientSecret,
    }))
    gh.redirectUri = `${worker.url}/callback`
    client = await registerClient(worker.url, { client_name: 'GitHub Flow Client' })
  }, 120_000)

  afterAll(async () => {
    await stop?.()
    await gh?.close()
  })

  test('BM-AUTH-12 R-AU-10 GitHub sign-in: PKCE checked by GitHub, /user read once, identity github:<id>, and its token is never passed on', async () => {
    gh.log.length = 0
    const flow = await authorizeFlow(worker.url, client, { decision: 'stop', onPage: none })
    expect(flow.page?.url, `${describeFlow(flow)}\n${gh.log.join('\n')}`).toMatch(/\/consent\?/)
    expect(flow.page?.html).toContain('octo')
    expect(flow.page?.html).toContain('github:4242')
    expect(gh.log.filter((line) => line.includes('refused'))).toEqual([])

    const form = formsOf(flow.page!.html, flow.page!.url)[0]!
    const done = await follow(
      flow.browser,
      flow.page!.url,
      await submitForm(flow.browser, form, { decision: 'approve' }),
      client.redirectUri,
      none,
    )
    expect(done.code, describeFlow(done)).toBeDefined()
    // One GitHub token, used exactly once to read the user, then dropped.
    const uses = [...gh.tokenUses]
    expect(uses).toHaveLength(1)
    expect(uses[0]![1]).toBe(1)
    const githubToken = uses[0]![0]

    const tokens = await exchangeCode(worker.url, client, {
      ...done,
      verifier: flow.verifier,
      redirectUri: client.redirectUri,
    })
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
    expect(JSON.stringify(tokens.body)).not.toContain(githubToken)
    expect(done.redirect?.href).not.toContain(githubToken)
    const claims = decodeJwt(String(tokens.body.access_token))
    expect(claims.sub).toBe('github:4242')
    expect(claims.name).toBe('octo')
  })

  test('BM-AUTH-11 remembered consent: the same user and client skip the consent page next time', async () => {
    gh.user = { id: 777, login: 'remember-me', name: null, email: null }
    const first = await authorizeFlow(worker.url, client, { onPage: none })
    expect(first.code, describeFlow(first)).toBeDefined()
    expect(first.hops.some((hop) => hop.url.includes('/consent'))).toBe(true)

    const second = await authorizeFlow(worker.url, client, { onPage: none })
    expect(second.code, describeFlow(second)).toBeDefined()
    expect(second.hops.some((hop) => hop.url.includes('/consent'))).toBe(false)

    // prompt=consent (mcp-remote sends it) asks again all the same; prompt=none cannot be met.
    const asked = await authorizeFlow(worker.url, client, {
      onPage: none,
      decision: 'stop',
      extra: { prompt: 'consent' },
    })
    expect(asked.page?.url, describeFlow(asked)).toMatch(/\/consent\?/)
    const silent = await authorizeFlow(worker.url, client, {
      onPage: none,
      extra: { prompt: 'none' },
    })
    expect(silent.error, describeFlow(silent)).toBe('login_required')

    // Another client gets no free ride on that approval (consent is per client).
    const other = await registerClient(worker.url, { client_name: 'Another Client' })
    const third = await authorizeFlow(worker.url, other, { decision: 'stop', onPage: none })
    expect(third.page?.url, describeFlow(third)).toMatch(/\/consent\?/)
  })

  test('BM-AUTH-12 GitHub answering error=access_denied sends the client access_denied, no code', async () => {
    gh.mode = 'deny'
    try {
      const flow = await authorizeFlow(worker.url, client, { onPage: none })
      expect(flow.code).toBeUndefined()
      expect(flow.error, describeFlow(flow)).toBe('access_denied')
      expect(flow.iss).toBe(worker.url)
    } finally {
      gh.mode = 'ok'
    }
  })

  test('BM-AUTH-12 the browser-binding cookie is HttpOnly and SameSite=Lax', async () => {
    const url = authorizeUrl(worker.url, {
      clientId: client.clientId,
      redirectUri: client.redirectUri,
      challenge: pkce().challenge,
    })
    const response = await fetch(url, { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch(
      new RegExp(`^${gh.url}/login/oauth/authorize\\?`),
    )
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('bare_mcp_csrf='))
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/)
  })
})
