// A person's sign-in, in a real browser: headless Chromium (the Debian package at
// /usr/bin/chromium; .ci/run installs it) driven by playwright-core against `wrangler dev` with
// AUTH=true and AUTH_PROVIDER=dev. A DCR client with a loopback redirect URI (a small node:http
// server standing in for the desktop app) starts at /authorize; the person types a name, reads
// the consent page (client name, redirect host, scopes, who they are), presses Approve or Deny,
// and lands back at the app. The consent page is saved to .wrangler/consent.png.
//
// The same Worker also answers the HTTP-level rows of the consent page: its CSRF check
// (BM-AUTH-10), how it names redirect targets (R-AU-15), and the dev form's loopback-only rule
// (BM-AUTH-14).

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROOT, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'
import {
  authorizeFlow,
  authorizeUrl,
  describeFlow,
  exchangeCode,
  formsOf,
  newBrowser,
  pkce,
  registerClient,
  submitForm,
  type Browser,
  type RegisteredClient,
} from './oauth-driver.ts'

const CHROMIUM = '/usr/bin/chromium'
const CLIENT_NAME = 'Browser Test Client'

/** The desktop app's loopback listener: records each redirect it receives. */
const startApp = async () => {
  const hits: URL[] = []
  const server = http.createServer((request, response) => {
    hits.push(new URL(request.url ?? '/', 'http://127.0.0.1'))
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(
      '<!doctype html><html lang="en"><title>Done</title><h1>You can close this tab</h1>',
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    redirectUri: `http://127.0.0.1:${port}/oauth/callback`,
    host: `127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

let worker: RunningWorker
let persistTo: string
let app: Awaited<ReturnType<typeof startApp>>
let client: RegisteredClient

beforeAll(async () => {
  app = await startApp()
  persistTo = mkdtempSync(path.join(tmpdir(), 'bare-mcp-auth-browser-'))
  worker = await startWrangler({
    vars: {
      AUTH: 'true',
      AUTH_PROVIDER: 'dev',
      AUTH_SECRET: 'auth-browser-test-secret-0123456789abcdef',
    },
    log: `${ROOT}/.wrangler/test-auth-browser.log`,
    persistTo,
    readyMs: 90_000,
  })
  client = await registerClient(worker.url, {
    client_name: CLIENT_NAME,
    redirect_uris: [app.redirectUri],
  })
}, 120_000)

afterAll(async () => {
  await worker?.stop()
  await app?.close()
  if (persistTo !== undefined) rmSync(persistTo, { recursive: true, force: true })
})

/**
 * Without Chromium the browser half is skipped, saying so, so that `npm test` passes on a
 * machine that has none; CI (.ci/run sets BARE_MCP_BROWSER=required) installs it and fails
 * without it.
 */
const browserMissing = !existsSync(CHROMIUM)
if (browserMissing && process.env.BARE_MCP_BROWSER !== 'required') {
  console.warn(
    `auth-browser: ${CHROMIUM} is missing, so the Chromium tests are skipped (apt-get install -y chromium)`,
  )
}

describe.skipIf(browserMissing && process.env.BARE_MCP_BROWSER !== 'required')(
  'in Chromium',
  () => {
    let context: BrowserContext
    let userDataDir: string

    beforeAll(async () => {
      if (browserMissing) {
        throw new Error(
          `${CHROMIUM} is missing: install the Debian package (apt-get install -y chromium); .ci/run does this in CI`,
        )
      }
      userDataDir = mkdtempSync(path.join(tmpdir(), 'bare-mcp-chromium-'))
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
    }, 60_000)

    afterAll(async () => {
      await context?.close()
      if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true })
    })

    /** Opens /authorize in a new tab, signs in as `name`; returns the tab and every URL it saw. */
    const signIn = async (name: string, state: string) => {
      const pair = pkce()
      const page = await context.newPage()
      page.setDefaultTimeout(10_000)
      const seen: string[] = []
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) seen.push(frame.url())
      })
      await page.goto(
        authorizeUrl(worker.url, {
          clientId: client.clientId,
          redirectUri: client.redirectUri,
          challenge: pair.challenge,
          state,
        }),
      )
      expect(new URL(page.url()).pathname).toBe('/signin')
      await page.getByLabel('Name').fill(name)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState()
      return { page, seen, verifier: pair.verifier }
    }

    /** Accessibility basics: lang, one h1, a label for every visible input, named buttons. */
    const accessibilityProblems = (page: Page) =>
      page.evaluate(() => {
        const problems: string[] = []
        if (document.documentElement.lang === '') problems.push('no lang on <html>')
        if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1')
        for (const input of document.querySelectorAll('input, select, textarea')) {
          const field = input as HTMLInputElement
          if (field.type === 'hidden') continue
          if ((field.labels?.length ?? 0) === 0 && !field.getAttribute('aria-label')) {
            problems.push(`input ${field.name} has no label`)
          }
        }
        for (const button of document.querySelectorAll('button')) {
          if ((button.textContent ?? '').trim() === '') problems.push('a button has no text')
        }
        return problems
      })

    test('R-AU-15 a person signs in, reads the consent page (client, redirect host, scopes) and approves; the app gets code and iss', async () => {
      const { page, verifier } = await signIn('Grace Hopper', 'browser-state-1')
      expect(new URL(page.url()).pathname).toBe('/consent')
      expect(await page.title()).toMatch(/^Allow /)

      await expect.poll(() => page.locator('h1').innerText()).toContain(CLIENT_NAME)
      expect(await page.locator('.redirect-host').innerText()).toBe(app.host)
      expect(await page.locator('.redirect-host').isVisible()).toBe(true)
      expect(await page.locator('body').innerText()).toMatch(/an app on this computer/)
      expect(await page.locator('li code', { hasText: 'mcp' }).isVisible()).toBe(true)
      expect(await page.locator('body').innerText()).toContain('Grace Hopper')
      expect(await accessibilityProblems(page)).toEqual([])
      await page.screenshot({ path: `${ROOT}/.wrangler/consent.png`, fullPage: true })

      await page.getByRole('button', { name: 'Approve' }).click()
      await page.waitForURL((url) => url.href.startsWith(app.redirectUri))
      const landed = new URL(page.url())
      expect(landed.searchParams.get('code')).toBeTruthy()
      expect(landed.searchParams.get('state')).toBe('browser-state-1')
      expect(landed.searchParams.get('iss')).toBe(worker.url)

      const tokens = await exchangeCode(worker.url, client, {
        code: landed.searchParams.get('code')!,
        verifier,
        redirectUri: client.redirectUri,
      })
      expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
      await page.close()
    })

    test('BM-AUTH-11 the second time, remembered consent skips the page', async () => {
      const { page, seen } = await signIn('Grace Hopper', 'browser-state-2')
      await page.waitForURL((url) => url.href.startsWith(app.redirectUri))
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy()
      expect(seen.some((url) => new URL(url).pathname === '/consent')).toBe(false)
      await page.close()
    })

    test('R-AU-15 Deny sends the app error=access_denied', async () => {
      const { page } = await signIn('Linus', 'browser-state-3')
      expect(new URL(page.url()).pathname).toBe('/consent')
      expect(await accessibilityProblems(page)).toEqual([])
      await page.getByRole('button', { name: 'Deny' }).click()
      await page.waitForURL((url) => url.href.startsWith(app.redirectUri))
      const landed = new URL(page.url())
      expect(landed.searchParams.get('error')).toBe('access_denied')
      expect(landed.searchParams.get('code')).toBeNull()
      expect(landed.searchParams.get('state')).toBe('browser-state-3')
      await page.close()
    })

    test('BM-AUTH-14 the dev sign-in form is accessible (label, h1, lang)', async () => {
      const page = await context.newPage()
      await page.goto(
        authorizeUrl(worker.url, {
          clientId: client.clientId,
          redirectUri: client.redirectUri,
          challenge: pkce().challenge,
        }),
      )
      expect(new URL(page.url()).pathname).toBe('/signin')
      expect(await accessibilityProblems(page)).toEqual([])
      await page.close()
    })
  },
)

/** Runs the dev flow over HTTP up to the consent page. */
const toConsent = async (who: string, target: RegisteredClient = client) => {
  const flow = await authorizeFlow(worker.url, target, { name: who, decision: 'stop' })
  if (flow.page === undefined || !flow.page.url.includes('/consent?')) {
    throw new Error(`never reached the consent page:\n${describeFlow(flow)}`)
  }
  return { flow, form: formsOf(flow.page.html, flow.page.url)[0]! }
}

const approve = (browser: Browser, form: ReturnType<typeof formsOf>[number], csrf?: string) =>
  submitForm(browser, form, { decision: 'approve', ...(csrf !== undefined ? { csrf } : {}) })

describe('consent over HTTP', () => {
  test('BM-AUTH-10 consent CSRF: a wrong token or a missing cookie is 403; the right pair approves', async () => {
    const { flow, form } = await toConsent('csrf-user')
    const wrong = await approve(flow.browser, form, `${form.fields.csrf}x`)
    expect(wrong.status).toBe(403)
    const empty = await approve(flow.browser, form, '')
    expect(empty.status).toBe(403)
    // The right token from a browser without the cookie (a forged cross-site POST).
    const noCookie = await approve(newBrowser(), form)
    expect(noCookie.status).toBe(403)
    // The consent page itself is not shown to another browser either.
    expect((await newBrowser().fetch(flow.page!.url)).status).toBe(403)
    // Nothing above used the request up: the genuine answer still works, once.
    const right = await approve(flow.browser, form)
    expect(right.status).toBe(302)
    expect(right.headers.get('location')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback\?code=/,
    )
    expect(right.headers.getSetCookie().join()).toMatch(/bare_mcp_csrf=;.*Max-Age=0/)
    expect((await approve(flow.browser, form)).status).toBeGreaterThanOrEqual(400)
  })

  test('R-AU-15 the redirect host is named for what it is: website, loopback app, custom-scheme app', async () => {
    const cases = [
      ['https://claude.ai/api/mcp/auth_callback', 'claude.ai', 'a website'],
      ['cursor://bare-mcp-test/oauth/callback', 'cursor:', 'an app installed on this device'],
      ['http://127.0.0.1:4567/cb', '127.0.0.1:4567', 'an app on this computer'],
    ] as const
    for (const [redirectUri, host, kind] of cases) {
      const target = await registerClient(worker.url, {
        client_name: `Target ${host}`,
        redirect_uris: [redirectUri],
      })
      const { flow } = await toConsent('target-user', target)
      expect(flow.page!.html).toContain(`<strong class="redirect-host">${host}</strong>, ${kind}`)
    }
  })

  test("R-AU-15 the client's self-chosen name is escaped on the consent page", async () => {
    const hostile = await registerClient(worker.url, {
      client_name: '<img src=x onerror=alert(1)>"Trusted"',
      redirect_uris: [app.redirectUri],
    })
    const { flow } = await toConsent('xss-user', hostile)
    expect(flow.page!.html).not.toContain('<img src=x')
    expect(flow.page!.html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;Trusted&quot;')
    expect(flow.page!.html).toMatch(/has not verified it/)
  })

  test('BM-AUTH-14 the dev sign-in is refused when the request host is not loopback', async () => {
    const get = (pathAndQuery: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const { port } = new URL(worker.url)
        const request = http.request(
          { host: '127.0.0.1', port, path: pathAndQuery, headers: { host: 'mcp.example.com' } },
          (response) => {
            let body = ''
            response.setEncoding('utf8')
            response.on('data', (chunk: string) => (body += chunk))
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
          },
        )
        request.on('error', reject)
        request.end()
      })
    const signin = await get('/signin?request=anything')
    expect(signin.status).toBe(403)
    expect(signin.body).toMatch(/only for development on this computer/)
    const url = new URL(
      authorizeUrl('http://mcp.example.com', {
        clientId: client.clientId,
        redirectUri: client.redirectUri,
        challenge: pkce().challenge,
        resource: null,
      }),
    )
    const start = await get(`${url.pathname}${url.search}`)
    expect(start.status, start.body).toBe(403)
    expect(start.body).toMatch(/only for development on this computer/)
  })
})
