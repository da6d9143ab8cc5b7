// Strict mode against the clients people use: the official SDK v1 client (2025-03-26 ..
// 2025-11-25), the v2 client (2026-07-28) and mcp-remote, each connecting to `/mcp/strict` on
// the shared `wrangler dev` and doing ordinary work. Each is reported clean: no request refused
// with a strict rule, no `Mcp-Strict-Warnings`, and nothing under its name in /_wire/report.
// (A client's real violations would be listed in SPEC_NOTES with this evidence.)

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client'
import { afterAll, describe, expect, inject, test } from 'vitest'
import { ROOT } from '../../scripts/lib/wrangler.mjs'
import { wiretap, type Wiretap } from './helpers.ts'

const strictUrl = () => new URL(`${inject('mcpUrl')}/mcp/strict`)
const REQUEST = { timeout: 10_000 }

/** What strict mode said about the exchanges `tap` saw: refusals and warnings. */
const verdicts = async (tap: Wiretap) => {
  const said: string[] = []
  for (const exchange of tap.exchanges) {
    const warned = exchange.responseHeaders.get('mcp-strict-warnings')
    if (warned !== null)
      said.push(`warning ${warned} on ${exchange.sent?.method ?? exchange.httpMethod}`)
    if (exchange.status >= 400)
      said.push(`${exchange.status} ${(await exchange.responseText) ?? ''}`)
  }
  return said
}

/** The report's line for `client` (name/version), if it has one. */
const reported = async (client: string) => {
  const report = (await (await fetch(`${inject('mcpUrl')}/_wire/report`)).json()) as {
    client: string
  }[]
  return report.filter((line) => line.client === client)
}

describe('BM-STRICT-1 the official SDK v1 client is clean in strict mode', () => {
  test('BM-STRICT-1 this server is strict at /mcp/strict: a client that breaks a rule is refused there', async () => {
    const res = await fetch(strictUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^R-HT-4 \(strict\)/,
    )
  })

  test.each(['2025-11-25', '2025-06-18', '2025-03-26'])(
    'BM-STRICT-1 SDK v1 at %s: a session of ordinary work, nothing refused or warned',
    async (revision) => {
      const tap = wiretap({ offer: revision })
      const name = `strict-v1-${revision}`
      const client = new Client(
        { name, version: '1.0.0' },
        { capabilities: { roots: { listChanged: true } } },
      )
      const transport = new StreamableHTTPClientTransport(strictUrl(), { fetch: tap.fetch })
      await client.connect(transport, REQUEST)
      expect(client.getServerVersion()).toBeDefined()
      await client.listTools(undefined, REQUEST)
      await client.callTool({ name: 'echo', arguments: { text: 'strict' } }, undefined, REQUEST)
      await client.callTool({ name: 'count', arguments: { to: 2 } }, undefined, {
        ...REQUEST,
        onprogress: () => {},
      })
      await client.listResources(undefined, REQUEST)
      await client.listPrompts(undefined, REQUEST)
      await client.ping(REQUEST)
      await client.sendRootsListChanged()
      await transport.terminateSession()
      await client.close()
      expect(
        tap.exchanges.some(
          (exchange) => exchange.requestHeaders.get('mcp-protocol-version') === revision,
        ),
      ).toBe(true)
      expect(await verdicts(tap)).toEqual([])
      expect(await reported(`${name}/1.0.0`)).toEqual([])
    },
  )
})

describe('BM-STRICT-1 the official v2 client (2026-07-28) is clean in strict mode', () => {
  test('BM-STRICT-1 SDK v2 pinned to 2026-07-28: discover, list, call, an MRTR round', async () => {
    const tap = wiretap()
    const client = new ModernClient(
      { name: 'strict-v2', version: '2.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: {} } },
    )
    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }))
    await client.connect(new ModernTransport(strictUrl(), { fetch: tap.fetch }), REQUEST)
    await client.listTools(undefined, REQUEST)
    const greeted = await client.callTool({ name: 'greet', arguments: {} }, REQUEST)
    expect(JSON.stringify(greeted)).toContain('Ada')
    await client.close()
    expect(tap.exchanges.some((exchange) => exchange.sent?.method === 'server/discover')).toBe(true)
    expect(await verdicts(tap)).toEqual([])
    expect(await reported('strict-v2/2.0.0')).toEqual([])
  })
})

describe('BM-STRICT-1 mcp-remote is clean in strict mode', () => {
  const PACKAGE = path.join(ROOT, 'node_modules/mcp-remote')
  const { bin } = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as {
    bin: Record<string, string>
  }
  const sandbox = mkdtempSync(path.join(tmpdir(), 'bare-mcp-strict-remote-'))
  afterAll(() => rmSync(sandbox, { recursive: true, force: true }))

  test('BM-STRICT-1 mcp-remote (Streamable HTTP) connects to /mcp/strict, lists and calls: its client name is never reported', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        path.join(PACKAGE, bin['mcp-remote']!),
        strictUrl().href,
        '--allow-http',
        '--transport',
        'http-only',
      ],
      env: {
        PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: sandbox,
        MCP_REMOTE_CONFIG_DIR: path.join(sandbox, 'config'),
        NO_COLOR: '1',
      },
      cwd: sandbox,
      stderr: 'pipe',
    })
    const client = new Client({ name: 'strict-mcp-remote', version: '1.0.0' })
    await client.connect(transport, { timeout: 20_000 })
    const tools = await client.listTools(undefined, REQUEST)
    expect(tools.tools.map((tool) => tool.name)).toContain('echo')
    await client.callTool(
      { name: 'echo', arguments: { text: 'via mcp-remote' } },
      undefined,
      REQUEST,
    )
    await client.close()
    // mcp-remote passes the desktop client's clientInfo on (with its own suffix): find it there.
    const report = (await (await fetch(`${inject('mcpUrl')}/_wire/report`)).json()) as {
      client: string
    }[]
    expect(report.filter((line) => line.client.includes('strict-mcp-remote'))).toEqual([])
    const seen = (await (await fetch(`${inject('mcpUrl')}/_wire/exchanges`)).json()) as {
      client: string | null
      request: { target: string }
      status: number | null
    }[]
    const remote = seen.filter(
      (r) => r.request.target.startsWith('/mcp/strict') && r.client?.includes('strict-mcp-remote'),
    )
    expect(remote.length).toBeGreaterThan(0)
    expect(remote.filter((r) => (r.status ?? 0) >= 400)).toEqual([])
  }, 30_000)
})
