// The real `mcp-remote` (the stdio bridge Claude Desktop users run: `"command": "npx", "args":
// ["mcp-remote", "https://…/mcp"]`) against bare-mcp with AUTH=true, end to end.
//
// Claude Desktop's side is played by the official SDK's StdioClientTransport, which spawns
// mcp-remote's bin with node and speaks MCP over its stdin/stdout. mcp-remote probes /mcp, meets
// our 401, reads the metadata, registers itself by DCR with a loopback redirect URI
// (http://localhost:<port>/oauth/callback, its own express server on 127.0.0.1), prints the
// authorization URL on stderr ("Please authorize this client by visiting:") and opens a browser.
// Here the "browser" is a stub script (BROWSER and PATH point at it, with no DISPLAY, so nothing
// real can launch); the person at it is test/node/oauth-driver.ts, which reads the URL from
// stderr, signs in on the dev form, approves, and GETs mcp-remote's callback with the code.
// mcp-remote then exchanges the code, connects, and only then answers the SDK's initialize.
//
// Tokens and the client registration land in MCP_REMOTE_CONFIG_DIR (a fresh temp dir per flow),
// under mcp-remote-v1/<md5 of the server URL>_{client_info,tokens}.json.

import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ROOT, sleep, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'
import { describeFlow, follow, newBrowser, ourPages } from './oauth-driver.ts'

const PACKAGE = path.join(ROOT, 'node_modules/mcp-remote')
const { bin, version } = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as {
  bin: Record<string, string>
  version: string
}
/** mcp-remote's own entry point (dist/proxy.js), run with this Node as Claude Desktop's npx would. */
const MCP_REMOTE = path.join(PACKAGE, bin['mcp-remote']!)

/** How long one step (the URL appearing, the connect after the callback) may take. */
const STEP_MS = 15_000
const LOG = `${ROOT}/.wrangler/test-mcp-remote.log`

let worker: RunningWorker
/** Temp dirs made here, removed in afterAll. */
const temps: string[] = []
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}
/** Temp root: home/ (HOME), bin/ (browser stubs), opened.txt (what the "browser" was given). */
let sandbox: string
let stubs: string
let opened: string

beforeAll(async () => {
  sandbox = tempDir('bare-mcp-mcp-remote-')
  stubs = path.join(sandbox, 'bin')
  opened = path.join(sandbox, 'opened.txt')
  mkdirSync(stubs)
  mkdirSync(path.join(sandbox, 'home'))
  writeFileSync(opened, '')
  // Every way mcp-remote (through `open`'s bundled xdg-open, then its Linux fallbacks) could start
  // a browser ends in this script, which only records its arguments. /usr/bin/xdg-open (a
  // fallback by absolute path) is not reached, since the first attempt (BROWSER) succeeds; and
  // with no DISPLAY it too would only run BROWSER.
  const stub = `#!/bin/sh\nprintf '%s\\n' "$*" >> '${opened}'\nexit 0\n`
  for (const name of [
    'browser',
    'xdg-open',
    'gio',
    'x-www-browser',
    'www-browser',
    'sensible-browser',
  ]) {
    writeFileSync(path.join(stubs, name), stub)
    chmodSync(path.join(stubs, name), 0o755)
  }
  worker = await startWrangler({
    log: LOG,
    persistTo: tempDir('bare-mcp-mcp-remote-do-'),
    vars: {
      AUTH: 'true',
      AUTH_PROVIDER: 'dev',
      AUTH_SECRET: 'mcp-remote-secret-0123456789abcdef-0123',
    },
  })
}, 90_000)
afterAll(async () => {
  await worker?.stop()
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

/** One mcp-remote process and the SDK client (Claude Desktop's stand-in) speaking to it. */
interface Bridge {
  client: Client
  /** Settles when the SDK's connect (initialize, answered once mcp-remote is connected) does. */
  connected: Promise<void>
  stderr(): string
  /** Waits for `probe` to return a value, failing fast (with mcp-remote's stderr) on a hang. */
  until<T>(what: string, probe: () => T | undefined, ms?: number): Promise<T>
  /** `promise`, or a failure naming `what` with mcp-remote's stderr after `ms`. */
  within<T>(promise: Promise<T>, what: string, ms?: number): Promise<T>
  close(): Promise<void>
}

let launched = 0

const launch = (url: string, configDir: string, extra: string[] = []): Bridge => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, url, '--allow-http', ...extra],
    env: {
      PATH: `${stubs}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: path.join(sandbox, 'home'),
      MCP_REMOTE_CONFIG_DIR: configDir,
      BROWSER: path.join(stubs, 'browser'),
      NO_COLOR: '1',
    },
    cwd: sandbox,
    stderr: 'pipe',
  })
  let text = ''
  transport.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  const client = new Client({ name: 'claude-desktop-stand-in', version: '1' })
  let failure: unknown
  let closed = false
  client.onclose = () => (closed = true)
  const connected = client.connect(transport, { timeout: 2 * STEP_MS })
  connected.catch((error: unknown) => (failure = error))
  const explain = (what: string) =>
    `${what}\n--- mcp-remote ${version} stderr ---\n${text}\n--- (wrangler log: ${path.relative(ROOT, LOG)}) ---`
  return {
    client,
    connected,
    stderr: () => text,
    async until(what, probe, ms = STEP_MS) {
      const deadline = Date.now() + ms
      for (;;) {
        const value = probe()
        if (value !== undefined) return value
        if (failure !== undefined) throw new Error(explain(`${what}: connect failed: ${failure}`))
        if (closed) throw new Error(explain(`${what}: mcp-remote exited`))
        if (Date.now() > deadline) throw new Error(explain(`${what}: not within ${ms} ms`))
        await sleep(50)
      }
    },
    async within(promise, what, ms = STEP_MS) {
      let timer: NodeJS.Timeout | undefined
      try {
        return await Promise.race([
          promise,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)
          }),
        ])
      } catch (error) {
        throw new Error(explain(`${what}: ${error}`))
      } finally {
        clearTimeout(timer)
      }
    },
    async close() {
      await client.close().catch(() => {})
      // Kept for reading after a run, next to wrangler's log.
      writeFileSync(`${ROOT}/.wrangler/test-mcp-remote-${++launched}.stderr.log`, text)
    },
  }
}

/** The URL mcp-remote asks the person to visit, once it has printed it. */
const authorizationUrlIn = (stderr: string): string | undefined =>
  /Please authorize this client by visiting:\s*\n\s*(\S+)/.exec(stderr)?.[1]

const isLoopback = (uri: string): boolean => {
  const url = new URL(uri)
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
}

/** What mcp-remote keeps on disk for one server: `<hash>_<name>.json` parsed, by name. */
const stored = (configDir: string): Record<string, Record<string, unknown>> => {
  const dir = path.join(configDir, 'mcp-remote-v1')
  const files: Record<string, Record<string, unknown>> = {}
  for (const entry of readdirSync(dir)) {
    const match = /^[0-9a-f]{32}_(.+)\.json$/.exec(entry)
    if (match !== null) {
      files[match[1]!] = JSON.parse(readFileSync(path.join(dir, entry), 'utf8')) as Record<
        string,
        unknown
      >
    }
  }
  return files
}

/** What the stub browser was asked to open so far, one line each. */
const openedUrls = (): string[] => readFileSync(opened, 'utf8').split('\n').filter(Boolean)

/**
 * Runs a first sign-in through mcp-remote: waits for its authorization URL, plays the person
 * (dev sign-in as `name`, approve), and lands the browser on mcp-remote's callback. Resolves
 * with the authorization URL once the SDK client is connected through the bridge.
 */
const signInThrough = async (bridge: Bridge, name: string): Promise<URL> => {
  const asked = new URL(
    await bridge.until('the authorization URL on stderr', () =>
      authorizationUrlIn(bridge.stderr()),
    ),
  )
  expect(asked.origin + asked.pathname).toBe(`${worker.url}/authorize`)
  expect(asked.searchParams.get('code_challenge_method')).toBe('S256')
  const redirectUri = asked.searchParams.get('redirect_uri') ?? ''
  expect(isLoopback(redirectUri), redirectUri).toBe(true)

  const browser = newBrowser()
  const flow = await bridge.within(
    (async () =>
      follow(
        browser,
        asked.href,
        await browser.fetch(asked.href),
        redirectUri,
        ourPages(worker.url, { name }),
      ))(),
    'the sign-in and consent pages',
  )
  expect(flow.error, describeFlow(flow)).toBeUndefined()
  expect(flow.code, describeFlow(flow)).toBeTruthy()
  expect(flow.iss).toBe(worker.url)
  expect(flow.state).toBe(asked.searchParams.get('state'))

  // The browser arrives at mcp-remote's own callback server, which takes the code.
  const landed = await bridge.within(
    fetch(flow.redirect!.href, { signal: AbortSignal.timeout(STEP_MS) }),
    `GET ${flow.redirect!.href}`,
  )
  const page = await landed.text()
  expect(landed.status, page).toBe(200)
  expect(page).toContain('Authorization successful')

  await bridge.within(bridge.connected, 'connecting after the callback')
  return asked
}

/** Shared by the first two tests: the config dir of a bridge that has signed in over /mcp. */
let httpConfig: string
let firstTokens: Record<string, unknown> | undefined

test('R-AU-5 mcp-remote registers by DCR on a loopback redirect and connects (Streamable HTTP)', async () => {
  httpConfig = tempDir('bare-mcp-mcp-remote-config-')
  const bridge = launch(`${worker.url}/mcp`, httpConfig)
  try {
    const asked = await signInThrough(bridge, 'ada')
    expect(asked.searchParams.get('resource')).toBe(`${worker.url}/mcp`)
    // The scopes our metadata offers (it adds offline_access when the server lists it).
    expect(asked.searchParams.get('scope')?.split(' ')).toContain('mcp')

    const { tools } = await bridge.client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['echo', 'add', 'search', 'fetch']),
    )
    const result = await bridge.client.callTool({
      name: 'echo',
      arguments: { text: 'through mcp-remote' },
    })
    expect(result.content).toEqual([{ type: 'text', text: 'through mcp-remote' }])

    // What it registered (RFC 7591 response, as it keeps it) and the tokens it keeps.
    const files = stored(httpConfig)
    const registration = files.client_info
    expect(registration, Object.keys(files).join(', ')).toBeDefined()
    expect(registration!.client_id).toBe(asked.searchParams.get('client_id'))
    expect(registration!.token_endpoint_auth_method).toBe('none')
    expect(registration!.client_secret).toBeUndefined()
    const redirectUris = registration!.redirect_uris as string[]
    expect(redirectUris).toEqual([asked.searchParams.get('redirect_uri')])
    expect(redirectUris.every(isLoopback)).toBe(true)
    firstTokens = files.tokens
    expect(firstTokens?.access_token).toBeTruthy()
    expect(firstTokens?.refresh_token).toBeTruthy()

    // It "opened a browser" on the URL it printed (re-encoded by its URL sanitiser: `+` becomes
    // %20): the stub got it, nothing real ran.
    const urls = openedUrls()
    expect(urls).toHaveLength(1)
    const given = new URL(urls[0]!)
    expect(given.origin + given.pathname).toBe(asked.origin + asked.pathname)
    expect([...given.searchParams]).toEqual([...asked.searchParams])
  } finally {
    await bridge.close()
  }
}, 60_000)

test('BM-AUTH-1 mcp-remote reuses its stored tokens on restart: no new browser flow', async () => {
  expect(firstTokens, 'needs the sign-in of the R-AU-5 test').toBeDefined()
  const openedBefore = openedUrls().length
  const bridge = launch(`${worker.url}/mcp`, httpConfig)
  try {
    await bridge.within(bridge.connected, 'connecting with the stored tokens')
    const { tools } = await bridge.client.listTools()
    expect(tools.map((tool) => tool.name)).toContain('echo')
    const result = await bridge.client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })
    expect(result.structuredContent).toEqual({ sum: 42 })
    expect(bridge.stderr()).not.toContain('Please authorize')
    expect(openedUrls().length).toBe(openedBefore)
    expect(stored(httpConfig).tokens?.access_token).toBe(firstTokens!.access_token)
  } finally {
    await bridge.close()
  }
}, 45_000)

test('BM-AUTH-1 mcp-remote refreshes an expired stored token on restart (rotated), no browser', async () => {
  expect(firstTokens, 'needs the sign-in of the R-AU-5 test').toBeDefined()
  // An hour later: the stored access token has expired (and the server would refuse it).
  const file = readdirSync(path.join(httpConfig, 'mcp-remote-v1')).find((entry) =>
    entry.endsWith('_tokens.json'),
  )!
  const tokensPath = path.join(httpConfig, 'mcp-remote-v1', file)
  const before = JSON.parse(readFileSync(tokensPath, 'utf8')) as Record<string, unknown>
  writeFileSync(
    tokensPath,
    JSON.stringify({ ...before, access_token: 'expired.not.valid', expires_at: Date.now() - 1000 }),
  )
  const openedBefore = openedUrls().length
  const bridge = launch(`${worker.url}/mcp`, httpConfig)
  try {
    await bridge.within(bridge.connected, 'connecting after refreshing the stored token')
    const result = await bridge.client.callTool({ name: 'echo', arguments: { text: 'refreshed' } })
    expect(result.content).toEqual([{ type: 'text', text: 'refreshed' }])
    expect(bridge.stderr()).not.toContain('Please authorize')
    expect(openedUrls().length).toBe(openedBefore)
    const after = stored(httpConfig).tokens!
    expect(after.access_token).not.toBe('expired.not.valid')
    expect(after.refresh_token).toBeTruthy()
    expect(after.refresh_token).not.toBe(before.refresh_token) // rotated
  } finally {
    await bridge.close()
  }
}, 45_000)

test('R-AU-2 mcp-remote over legacy SSE (--transport sse-only, /sse) signs in and calls tools', async () => {
  const config = tempDir('bare-mcp-mcp-remote-config-')
  const bridge = launch(`${worker.url}/sse`, config, ['--transport', 'sse-only'])
  try {
    const asked = await signInThrough(bridge, 'lin')
    // The resource our Protected Resource Metadata for /sse names (RFC 9728), as the SDK read it.
    const prm = (await (
      await fetch(`${worker.url}/.well-known/oauth-protected-resource/sse`)
    ).json()) as { resource: string }
    expect(asked.searchParams.get('resource')).toBe(prm.resource)
    expect(bridge.stderr()).toContain('SSEClientTransport')
    const result = await bridge.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })
    expect(result.structuredContent).toEqual({ sum: 5 })
    expect(stored(config).client_info?.token_endpoint_auth_method).toBe('none')
  } finally {
    await bridge.close()
  }
}, 60_000)
