// The official TypeScript SDK client (v1) against bare-mcp with AUTH=true, using the SDK's own
// OAuth machinery (the same code mcp-remote and Claude Desktop's bridge run): it meets our 401,
// discovers the Protected Resource Metadata and the authorization server metadata, registers
// itself with DCR on a loopback redirect URI, sends the person to /authorize with PKCE and
// `resource`, exchanges the code, and then lists and calls tools with the token. A person's
// browser is played by test/node/oauth-driver.ts (dev sign-in and consent).

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import {
  UnauthorizedError,
  type OAuthClientProvider,
} from '@modelcontextprotocol/sdk/client/auth.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ROOT, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'
import { follow, newBrowser, ourPages } from './oauth-driver.ts'

let worker: RunningWorker

beforeAll(async () => {
  worker = await startWrangler({
    log: `${ROOT}/.wrangler/test-auth-interop.log`,
    persistTo: mkdtempSync(path.join(tmpdir(), 'bare-mcp-auth-interop-')),
    vars: {
      AUTH: 'true',
      AUTH_PROVIDER: 'dev',
      AUTH_SECRET: 'interop-secret-0123456789abcdef-0123',
    },
  })
}, 90_000)
afterAll(() => worker?.stop())

/** An in-memory OAuthClientProvider, as a desktop client keeps one on disk. */
class MemoryProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined
  saved: OAuthTokens | undefined
  verifier = ''
  authorizationUrl: URL | undefined
  readonly redirectUrl = 'http://127.0.0.1:9/oauth/callback'
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK interop test',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }
  }
  clientInformation() {
    return this.client
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info
  }
  tokens() {
    return this.saved
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    return this.verifier
  }
}

/** Plays the person: signs in as `name` on the dev form and approves. Returns the code. */
const consent = async (provider: MemoryProvider, name: string): Promise<string> => {
  const url = provider.authorizationUrl!.href
  const browser = newBrowser()
  const flow = await follow(
    browser,
    url,
    await browser.fetch(url),
    provider.redirectUrl,
    ourPages(worker.url, { name }),
  )
  expect(flow.error).toBeUndefined()
  expect(flow.iss).toBe(worker.url)
  return flow.code!
}

test('R-AU-9 the SDK client discovers, registers, authorizes and calls tools (Streamable HTTP)', async () => {
  const provider = new MemoryProvider()
  const mcpUrl = new URL(`${worker.url}/mcp`)
  const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })
  await expect(new Client({ name: 'interop', version: '1' }).connect(first)).rejects.toThrow(
    UnauthorizedError,
  )
  // What the SDK asked for: PKCE S256, our resource (RFC 8707), the scopes we advertise.
  const asked = provider.authorizationUrl!
  expect(asked.origin + asked.pathname).toBe(`${worker.url}/authorize`)
  expect(asked.searchParams.get('code_challenge_method')).toBe('S256')
  expect(asked.searchParams.get('resource')).toBe(`${worker.url}/mcp`)
  expect(provider.client?.client_id).toBeTruthy()

  await first.finishAuth(await consent(provider, 'ada'))
  expect(provider.saved?.access_token).toBeTruthy()
  expect(provider.saved?.refresh_token).toBeTruthy()

  const client = new Client({ name: 'interop', version: '1' })
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))
  const { tools } = await client.listTools()
  expect(tools.map((tool) => tool.name)).toContain('echo')
  const result = await client.callTool({ name: 'echo', arguments: { text: 'signed in' } })
  expect(result.content).toEqual([{ type: 'text', text: 'signed in' }])
  await client.close()
})

test('BM-AUTH-1 the SDK client refreshes a token the server refuses, and keeps working', async () => {
  const provider = new MemoryProvider()
  const mcpUrl = new URL(`${worker.url}/mcp`)
  const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })
  await expect(new Client({ name: 'interop', version: '1' }).connect(first)).rejects.toThrow(
    UnauthorizedError,
  )
  await first.finishAuth(await consent(provider, 'grace'))
  const refresh = provider.saved!.refresh_token!
  // The access token goes bad (as after expiry): the SDK must refresh on the 401, not give up.
  provider.saved = { ...provider.saved!, access_token: 'expired.not.valid' }
  const client = new Client({ name: 'interop', version: '1' })
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))
  expect((await client.listTools()).tools.length).toBeGreaterThan(0)
  expect(provider.saved?.refresh_token).toBeTruthy()
  expect(provider.saved?.refresh_token).not.toBe(refresh) // rotated
  await client.close()
})

test('R-AU-2 the SDK client over legacy HTTP+SSE (2024-11-05) with a token', async () => {
  const provider = new MemoryProvider()
  const sseUrl = new URL(`${worker.url}/sse`)
  const first = new SSEClientTransport(sseUrl, { authProvider: provider })
  await expect(new Client({ name: 'interop', version: '1' }).connect(first)).rejects.toThrow(
    UnauthorizedError,
  )
  await first.finishAuth(await consent(provider, 'lin'))
  const client = new Client({ name: 'interop', version: '1' })
  await client.connect(new SSEClientTransport(sseUrl, { authProvider: provider }))
  const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })
  expect(result.structuredContent).toEqual({ sum: 5 })
  await client.close()
})
