// `npm run doctor` (scripts/doctor.mjs) run as a user runs it, against the Worker under
// `wrangler dev` in good and in deliberately broken configurations, and against small node:http
// servers that break what bare-mcp cannot be made to break (an HTML page, a tool name OpenAI
// rejects). Each case checks the exit status and the words of the report, fix included.

import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { freePorts, ROOT, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'

const CLIENTS = ['ChatGPT', 'Deep research', 'Responses API', 'Claude', 'Inspector']

/**
 * Runs the doctor: its exit status and report, whose lines are wrapped at 100 columns, so the
 * checks read `report` with every run of white space made one space.
 */
const doctor = (...args: string[]): Promise<{ status: number; report: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'scripts/doctor.mjs'), ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ status, report: `${stdout}${stderr}`.replace(/[ \n]+/g, ' ') })
      },
    )
  })

/** A node:http server answering every request with `handler`; closed after the file. */
const servers: http.Server[] = []
const serve = async (handler: http.RequestListener): Promise<string> => {
  const server = http.createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
})

/**
 * A minimal MCP server (JSON answers, CORS for localhost) whose tools/list is `tools`: the
 * stand-in for a third-party server with a tool bare-mcp itself would refuse to define.
 */
const fakeMcp =
  (tools: unknown[]): http.RequestListener =>
  (req, res) => {
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-headers': '*',
      'access-control-allow-methods': 'POST, GET, DELETE, OPTIONS',
      'access-control-expose-headers': 'mcp-session-id, www-authenticate',
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end()
    if (req.method !== 'POST' || req.url !== '/mcp') {
      return void res.writeHead(req.url === '/mcp' ? 405 : 404, { ...cors, allow: 'POST' }).end()
    }
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: string | number; method: string }
      if (message.id === undefined) return void res.writeHead(202, cors).end()
      const results: Record<string, unknown> = {
        initialize: {
          protocolVersion: '2025-11-25',
          capabilities: { tools: {} },
          serverInfo: { name: 'fake', version: '1' },
        },
        'tools/list': { tools },
        ping: {},
      }
      const result = results[message.method]
      const answer =
        result === undefined
          ? { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } }
          : { jsonrpc: '2.0', id: message.id, result }
      res
        .writeHead(200, { ...cors, 'content-type': 'application/json' })
        .end(JSON.stringify(answer))
    })
  }

describe('BM-DOCTOR-1 a good server', () => {
  test('BM-DOCTOR-1 every client would connect: exit 0, each client section checked', async () => {
    const url = `${inject('mcpUrl')}/mcp`
    const { status, report } = await doctor(url)
    expect(report).toContain(`MCP doctor: ${url}`)
    for (const line of [
      'POST /mcp answers initialize: bare-mcp 0.1.0, protocol 2025-11-25',
      'server/discover (2026-07-28): 200 text/event-stream, supports 2026-07-28',
      'Answers User-Agent openai-mcp SSE-framed',
      'tools/list without the session id (one was offered): 6 tools',
      '/mcp/research lists search, fetch',
      'The import: 6 tools pass the OpenAI-safe lint',
      'Streamable HTTP initialize (2025-11-25): protocol 2025-11-25, a session',
      'Legacy SSE at /sse',
      'CORS preflight from http://localhost:6274: 204, the MCP headers allowed',
    ]) {
      expect(report).toContain(line)
    }
    for (const client of CLIENTS) expect(report).toMatch(new RegExp(` ${client} would connect`))
    expect(report).not.toContain('FAIL')
    // The demo's placeholder citation address is worth a warning, with its fix.
    expect(report).toContain('Citations point at kb.example.invalid, which never resolves')
    expect(report).toContain('fix: Set KB_BASE_URL')
    expect(report).toMatch(/0 failures, \d+ warnings?\. Every client checked would connect\./)
    expect(status).toBe(0)
  })

  test('BM-DOCTOR-1 every report line that took a request shows its time', async () => {
    const { report } = await doctor(`${inject('mcpUrl')}/mcp`)
    expect(report).toMatch(/ok POST \/mcp answers initialize: [^[]*\[\d+ ms\]/)
  })
})

describe('BM-DOCTOR-2 URL mistakes', () => {
  test('BM-DOCTOR-2 a wrong path fails, names the endpoint that answers, and checks it', async () => {
    const base = inject('mcpUrl')
    const { status, report } = await doctor(`${base}/wrong`)
    expect(report).toContain(
      `FAIL POST /wrong answers 404 application/json: nothing serves MCP at this path;`,
    )
    expect(report).toContain(`fix: Give clients ${base}/mcp (the checks below use it)`)
    expect(report).toMatch(/ChatGPT would not connect/)
    expect(status).toBe(1)
  })

  test('BM-DOCTOR-2 nothing listening: connection refused, and what to do', async () => {
    const [port] = await freePorts(1)
    const { status, report } = await doctor(`http://127.0.0.1:${port}/mcp`)
    expect(report).toContain(`FAIL Nothing listens at 127.0.0.1:${port} (connection refused)`)
    expect(report).toContain('fix: Start the server (npm start), or check the host and port')
    expect(report).toContain('Not checked: the address above fails first')
    expect(status).toBe(1)
  })

  test('BM-DOCTOR-2 usage errors exit 2', async () => {
    expect((await doctor()).status).toBe(2)
    expect((await doctor('ftp://example.com/mcp')).status).toBe(2)
  })
})

describe('BM-DOCTOR-3 a server that answers HTML', () => {
  test('BM-DOCTOR-3 an HTML page is not MCP: exit 1, with the page title and a fix', async () => {
    const base = await serve((_, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><html><head><title>Welcome to my site</title></head></html>')
    })
    const { status, report } = await doctor(`${base}/mcp`)
    expect(report).toContain(
      'FAIL POST /mcp answers an HTML page ("Welcome to my site"), not MCP: no client can read it',
    )
    expect(report).toContain('fix: This URL serves a website')
    expect(status).toBe(1)
  })
})

describe('BM-DOCTOR-4 a tool name OpenAI rejects', () => {
  test('BM-DOCTOR-4 fails the Responses API import with the lint rule and a fix', async () => {
    const base = await serve(
      fakeMcp([
        {
          name: 'notes.create',
          description: 'Creates a note.',
          inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
          annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
        },
      ]),
    )
    const { status, report } = await doctor(`${base}/mcp`)
    expect(report).toContain(
      'FAIL tool "notes.create": name "notes.create" must match /^[a-zA-Z0-9_-]{1,64}$/ (BM-LINT-1): OpenAI',
    )
    expect(report).toContain('rejects it, and the import answers 424')
    expect(report).toContain('fix: Rename it to letters, digits, "_" and "-" only')
    expect(report).toMatch(/Responses API would not connect/)
    // The fake answers JSON to openai-mcp: worth a warning, not a failure.
    expect(report).toContain('WARN Answers User-Agent openai-mcp in plain JSON')
    expect(status).toBe(1)
  })
})

describe('BM-DOCTOR-5 authorization on, PUBLIC_URL unset', () => {
  const ADMIN_TOKEN = 'doctor-test-admin-token-0123456789'
  let worker: RunningWorker

  beforeAll(async () => {
    worker = await startWrangler({
      log: `${ROOT}/.wrangler/test-doctor-auth.log`,
      persistTo: mkdtempSync(path.join(tmpdir(), 'bare-mcp-doctor-')),
      vars: { AUTH: 'true', ADMIN_TOKEN },
    })
  }, 120_000)
  afterAll(() => worker?.stop())

  test('BM-DOCTOR-5 walks the chain, warns about PUBLIC_URL with its fix, and exits 0', async () => {
    const url = `${worker.url}/mcp`
    const { status, report } = await doctor(url)
    for (const line of [
      'POST /mcp answers 401: the server wants a token (authorization is on)',
      '401 WWW-Authenticate: Bearer, resource_metadata and scope "mcp"',
      'Protected resource metadata at /.well-known/oauth-protected-resource/mcp',
      `resource ${url} is this endpoint`,
      'PKCE S256 advertised',
      'Registration as mcp-remote (a loopback redirect): 201',
      'Registration as ChatGPT and claude.ai (their callbacks): 201',
      'The authorization request (PKCE S256, resource) leads to sign-in',
      'Without code_challenge it is refused (PKCE required)',
      'POST with Origin: 401 readable by the page (WWW-Authenticate exposed)',
    ]) {
      expect(report).toContain(line)
    }
    expect(report).toContain(
      'WARN The issuer and resource follow the Host header of each request (PUBLIC_URL is not set)',
    )
    expect(report).toContain(`fix: Set PUBLIC_URL to ${worker.url}`)
    expect(report).toMatch(/ChatGPT can start sign-in; the rest needs --token/)
    expect(report).not.toContain('FAIL')
    expect(status).toBe(0)
  })

  test('BM-DOCTOR-5 with --admin-token the server says the same from the inside', async () => {
    const { report } = await doctor(`${worker.url}/mcp`, '--admin-token', ADMIN_TOKEN)
    expect(report).toContain('Server health (GET /admin/health, from the inside)')
    expect(report).toContain('WARN PUBLIC_URL: AUTH is on but PUBLIC_URL is not set')
    expect(report).toMatch(/ok AUTH_STORE: The authorization server store answers/)
    expect(report).not.toContain(ADMIN_TOKEN)
  })

  test('BM-DOCTOR-5 with --token (an API key) every client is checked past sign-in', async () => {
    const made = await fetch(`${worker.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'doctor', scopes: ['mcp'] }),
    })
    const { key } = (await made.json()) as { key: string }
    const { status, report } = await doctor(`${worker.url}/mcp`, '--token', key)
    for (const client of CLIENTS) expect(report).toMatch(new RegExp(` ${client} would connect`))
    expect(status).toBe(0)

    const refused = await doctor(`${worker.url}/mcp`, '--token', 'bmk_not_a_real_key')
    expect(refused.report).toContain('FAIL POST /mcp with the --token: 401, the token is refused')
    expect(refused.status).toBe(1)
  })
})
