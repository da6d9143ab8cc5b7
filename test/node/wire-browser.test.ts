// BM-WIRE: the wire view in a real browser. Headless Chromium (the Debian package, driven by
// playwright-core as in auth-browser.test.ts) opens /_wire on a `wrangler dev` of its own (a
// loopback host, so the view is on; not the shared one, whose traffic from the other test files
// can push this file's exchanges out of the page's latest 1,000 before it looks), then the official SDK clients connect and work: the page
// shows their exchanges as they happen, grouped by session, each with the rules it exercised,
// and never the token they sent. The page is saved to .wrangler/wire.png.

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROOT, startWrangler } from '../../scripts/lib/wrangler.mjs'

const CHROMIUM = '/usr/bin/chromium'
const SECRET = 'wire-browser-token-that-must-never-show'
/** The page draws what its stream brings; under a loaded test run that takes more than a second. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 })
const missing = !existsSync(CHROMIUM) && process.env.BARE_MCP_BROWSER !== 'required'

describe.skipIf(missing)('BM-WIRE-1 the wire view in Chromium', () => {
  let context: BrowserContext
  let userDataDir: string
  let page: Page
  const problems: string[] = []
  let worker: Awaited<ReturnType<typeof startWrangler>> | undefined
  const base = () => worker!.url

  beforeAll(async () => {
    worker = await startWrangler({ log: `${ROOT}/.wrangler/test-wire-browser.log` })
    userDataDir = mkdtempSync(path.join(tmpdir(), 'bare-mcp-wire-'))
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
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    // Fill the window past twice MAX_STREAM_BUFFER_BYTES first (as a long test run does): the
    // page's stream must wait for the page, not cut it off and lose what comes after.
    const pad = 'w'.repeat(15_000)
    for (let round = 0; round < 9; round++) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const res = await fetch(`${base()}/mcp`, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              Accept: 'application/json, text/event-stream',
            },
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: `fill-${round}-${i}`,
              method: 'ping',
              params: { pad },
            }),
          })
          await res.arrayBuffer()
        }),
      )
    }
    await page.goto(`${base()}/_wire`)
    await page.locator('#state', { hasText: 'live' }).waitFor()
  }, 150_000)

  afterAll(async () => {
    await worker?.stop()
    await context?.close()
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true })
  })

  /** The exchange items of the group whose heading contains `title`. */
  const exchangesOf = (title: string) =>
    page
      .locator('section.session', { has: page.locator('h2', { hasText: title }) })
      .locator('li.exchange')

  test('BM-WIRE-1 an SDK v1 session appears live: its exchanges in order, each with its rules, never its token', async () => {
    const client = new Client({ name: 'wire-browser-v1', version: '1.0.0' })
    const transport = new StreamableHTTPClientTransport(new URL(`${base()}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${SECRET}` } },
    })
    await client.connect(transport)
    await client.listTools()
    await client.callTool({ name: 'echo', arguments: { text: 'seen on the wire' } })
    const session = transport.sessionId!
    expect(session).toBeTruthy()

    const items = exchangesOf('wire-browser-v1')
    await poll(() => items.count()).toBeGreaterThanOrEqual(4)
    const rulesOf = async (summary: string) =>
      (await items.filter({ hasText: summary }).first().getAttribute('data-rules'))?.split(' ') ??
      []
    await poll(() => rulesOf('initialize')).toEqual(expect.arrayContaining(['R-LC-1', 'R-HT-13']))
    await poll(() => rulesOf('notifications/initialized')).toEqual(
      expect.arrayContaining(['R-LC-4', 'R-HT-6']),
    )
    await poll(() => rulesOf('tools/list')).toEqual(expect.arrayContaining(['R-SF-2', 'R-LC-11']))
    await poll(() => rulesOf('tools/call echo')).toEqual(expect.arrayContaining(['R-SF-7']))
    await poll(() =>
      page.locator('section.session h2', { hasText: 'wire-browser-v1' }).innerText(),
    ).toContain(session)

    // The raw exchange: open it and read the request as sent, credentials redacted.
    const call = items.filter({ hasText: 'tools/call echo' }).first()
    // The item is redrawn when its record changes (it keeps its open state then); a click that
    // lands while it is being replaced is tried again. The click goes to the summary's method,
    // not its middle: the summary's rule chips are links to the rules page, and a click that
    // lands on one leaves the live page (as it should for a reader who clicks a chip).
    const opened = async () => {
      if (
        !(await call.locator('details').evaluate((details) => (details as HTMLDetailsElement).open))
      )
        await call.locator('summary code').click()
      return call.innerText()
    }
    await poll(opened).toContain('seen on the wire')
    const shown = await call.innerText()
    expect(shown).toContain('seen on the wire')
    expect(shown).toContain('[redacted]')
    expect(shown).toContain('Rules this exchange exercised')
    // Each rule links to its SPEC_NOTES row (served by this build) and to the spec.
    const link = call.locator('a.rule[data-rule="R-SF-7"]').first()
    expect(await link.getAttribute('href')).toBe('/_wire/rules#R-SF-7')
    expect(await call.locator('a', { hasText: 'spec' }).first().getAttribute('href')).toMatch(
      /^https:\/\/modelcontextprotocol\.io\/specification\//,
    )
    expect(await page.content()).not.toContain(SECRET)
    await client.close()
  })

  test('BM-WIRE-1 a 2026-07-28 client appears under the stateless group with its era rules', async () => {
    const client = new ModernClient(
      { name: 'wire-browser-v2', version: '2.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: {} },
    )
    await client.connect(new ModernTransport(new URL(`${base()}/mcp`)))
    await client.listTools()
    const items = exchangesOf('2026-07-28')
    const listed = items.filter({ hasText: 'tools/list' }).last()
    await poll(() => listed.getAttribute('data-rules')).toMatch(/R-LC-29.*R-HT-36/)
    await poll(async () => (await items.filter({ hasText: 'server/discover' }).count()) > 0).toBe(
      true,
    )
    await client.close()
  })

  test('BM-WIRE-1 the rules page shows the SPEC_NOTES row a chip links to, and the page ran without errors', async () => {
    await page.screenshot({ path: `${ROOT}/.wrangler/wire.png`, fullPage: true })
    const rules = await context.newPage()
    await rules.goto(`${base()}/_wire/rules#R-HT-6`)
    const row = rules.locator('tr#R-HT-6')
    expect(await row.innerText()).toContain('202')
    expect(await row.locator('a', { hasText: 'spec' }).getAttribute('href')).toMatch(
      /^https:\/\/modelcontextprotocol\.io\//,
    )
    await rules.close()
    expect(problems).toEqual([])
  })
})
