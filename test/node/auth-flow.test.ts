// The authorization server end to end, against `wrangler dev` with AUTH=true and the dev sign-in:
// the flow as mcp-remote runs it (DCR with a loopback redirect URI, PKCE S256, sign-in and
// consent in a browser, the code at the loopback URI, tokens, an MCP call with the bearer token,
// refresh with rotation, revocation), and Client ID Metadata Documents served by a real HTTP
// server on 127.0.0.1 (AUTH_ALLOW_LOOPBACK_FETCH=true): a public `none` client, ChatGPT's
// private_key_jwt document (CLIENTS.md C4.4, URLs adapted), and hostile documents.

import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http, {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROOT, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'
import {
  authorizeFlow,
  authorizeUrl,
  describeFlow,
  exchangeCode,
  loopbackRedirect,
  newBrowser,
  pkce,
  registerClient,
} from './oauth-driver.ts'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

let worker: RunningWorker
let base: string
let persist: string
const LOG = `${ROOT}/.wrangler/test-auth-flow.log`

/**
 * BM-AUTH-3: the client hears one sentence whatever went wrong with its document; the reason is
 * in the Worker's log. Waits (up to 5 s) for the log to say `words`.
 */
const UNUSABLE = 'client metadata document could not be used'
const logged = async (words: string): Promise<boolean> => {
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    if (readFileSync(LOG, 'utf8').includes(words)) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

/** The CIMD host: routes registered by tests; requests counted per path. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void
const routes = new Map<string, Handler>()
const hits = new Map<string, number>()
let docs: Server
let docsBase: string

beforeAll(async () => {
  docs = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const route = routes.get(path)
    if (route === undefined) {
      res.writeHead(404).end()
      return
    }
    route(req, res)
  })
  docs.listen(0, '127.0.0.1')
  await once(docs, 'listening')
  docsBase = `http://127.0.0.1:${(docs.address() as AddressInfo).port}`

  persist = mkdtempSync(path.join(tmpdir(), 'bare-mcp-auth-'))
  worker = await startWrangler({
    vars: {
      AUTH: 'true',
      AUTH_PROVIDER: 'dev',
      AUTH_ALLOW_LOOPBACK_FETCH: 'true',
      AUTH_SECRET: 'e2e-auth-flow-secret-0123456789abcdefgh',
    },
    log: LOG,
    persistTo: persist,
    readyMs: 90_000,
  })
  base = worker.url
}, 120_000)

afterAll(async () => {
  await worker?.stop()
  docs?.closeAllConnections()
  docs?.close()
  if (persist !== undefined) rmSync(persist, { recursive: true, force: true })
})

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

let paths = 0
/** A fresh path on the CIMD host and its URL. */
const docUrl = (name: string) => {
  const p = `/${name}-${++paths}/client.json`
  return { path: p, url: `${docsBase}${p}` }
}

const tokenRequest = async (form: Record<string, string>) => {
  const res = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const toolsList = (token?: string) =>
  fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  })

describe('R-AU-3 R-AU-12 the code flow as mcp-remote runs it', () => {
  test('R-AU-3 R-AU-12 BM-AUTH-1 BM-AUTH-5 DCR, PKCE, sign-in, consent, tokens, MCP call, refresh rotation, revocation', async () => {
    const port = 20_000 + Math.floor(Math.random() * 40_000)
    const client = await registerClient(base, {
      client_name: 'mcp-remote e2e',
      redirect_uris: [loopbackRedirect(port)],
    })
    expect(client.registration).toMatchObject({ token_endpoint_auth_method: 'none' })
    const flow = await authorizeFlow(base, client, { name: 'ada', state: 'st-e2e' })
    expect(flow.code, describeFlow(flow)).toBeDefined()
    expect(flow.state).toBe('st-e2e')
    expect(flow.iss).toBe(base)

    const tokens = await exchangeCode(base, client, flow)
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'mcp' })
    const access = String(tokens.body.access_token)
    const refreshToken = String(tokens.body.refresh_token)

    const listed = await toolsList(access)
    expect(listed.status).toBe(200)
    expect(await listed.text()).toContain('"tools"')
    const anonymous = await toolsList()
    await anonymous.body?.cancel()
    expect(anonymous.status).toBe(401)

    // Refresh rotates; the new access token works at /mcp too.
    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientId,
      resource: `${base}/mcp`,
    })
    expect(refreshed.status).toBe(200)
    const next = String(refreshed.body.refresh_token)
    expect(next).not.toBe(refreshToken)
    const again = await toolsList(String(refreshed.body.access_token))
    await again.body?.cancel()
    expect(again.status).toBe(200)

    // Revocation ends the family: the refresh fails afterwards.
    const revoked = await fetch(`${base}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: next,
        token_type_hint: 'refresh_token',
        client_id: client.clientId,
      }),
    })
    await revoked.body?.cancel()
    expect(revoked.status).toBe(200)
    const dead = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: next,
      client_id: client.clientId,
    })
    expect(dead).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })
})

describe('R-AU-15 Client ID Metadata Documents over real HTTP', () => {
  test('R-AU-15 a public (none) document: the flow works, and the document is fetched once', async () => {
    const { path: p, url } = docUrl('public')
    const redirectUri = loopbackRedirect(9, '/cimd/callback')
    routes.set(p, (_req, res) =>
      json(
        res,
        { client_id: url, client_name: 'CIMD e2e', redirect_uris: [redirectUri] },
        {
          'cache-control': 'max-age=3600',
        },
      ),
    )
    const client = { clientId: url, redirectUri }
    const flow = await authorizeFlow(base, client, { name: 'grace' })
    expect(flow.code, describeFlow(flow)).toBeDefined()
    const tokens = await exchangeCode(base, client, flow)
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
    const second = await authorizeFlow(base, client, { name: 'grace' })
    expect(second.code, describeFlow(second)).toBeDefined()
    expect(hits.get(p)).toBe(1)
  })

  test('BM-AUTH-4 C4.4 ChatGPT\u2019s private_key_jwt document: accepted, and /token needs a valid, fresh assertion', async () => {
    const { path: p, url } = docUrl('chatgpt')
    const jwksPath = `/jwks-${paths}.json`
    const redirectUri = `http://127.0.0.1:9/connector/oauth/cb-${paths}`
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
    const jwk = { ...(await exportJWK(publicKey)), kid: 'chatgpt-1', alg: 'RS256', use: 'sig' }
    routes.set(p, (_req, res) =>
      json(res, {
        client_id: url,
        client_name: 'ChatGPT',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
        token_endpoint_auth_signing_alg: 'RS256',
        jwks_uri: `${docsBase}${jwksPath}`,
      }),
    )
    routes.set(jwksPath, (_req, res) => json(res, { keys: [jwk] }))
    const assertion = (key: CryptoKey = privateKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'chatgpt-1' })
        .setIssuer(url)
        .setSubject(url)
        .setAudience(`${base}/token`)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(key)
    const client = { clientId: url, redirectUri }
    const codeRequest = async (auth: Record<string, string>) => {
      const flow = await authorizeFlow(base, client, { name: 'openai' })
      expect(flow.code, describeFlow(flow)).toBeDefined()
      return tokenRequest({
        grant_type: 'authorization_code',
        code: flow.code!,
        code_verifier: flow.verifier,
        redirect_uri: redirectUri,
        resource: `${base}/mcp`,
        ...auth,
      })
    }

    // As a bare public client (no assertion): refused, its document says private_key_jwt.
    expect(await codeRequest({ client_id: url })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    })
    // Tampered: one character of the signature changed.
    const good = await assertion()
    const flipped = good.slice(0, -3) + (good.at(-3) === 'A' ? 'B' : 'A') + good.slice(-2)
    expect(
      await codeRequest({ client_assertion_type: JWT_BEARER, client_assertion: flipped }),
    ).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    // The real thing.
    const ok = await codeRequest({ client_assertion_type: JWT_BEARER, client_assertion: good })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    // Replayed (same jti).
    expect(
      await codeRequest({ client_assertion_type: JWT_BEARER, client_assertion: good }),
    ).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    // Refresh with a fresh assertion.
    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: String(ok.body.refresh_token),
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(),
    })
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200)
  })

  /** GET /authorize for a CIMD client: the status, Location and page text. */
  const authorizeRaw = async (clientId: string, redirectUri: string) => {
    const url = authorizeUrl(base, {
      clientId,
      redirectUri,
      challenge: pkce().challenge,
      state: 'x',
    })
    const res = await newBrowser().fetch(url)
    return { status: res.status, location: res.headers.get('location'), text: await res.text() }
  }

  test('BM-AUTH-3 an oversized document (> 5 KiB) is refused with a page', async () => {
    const { path: p, url } = docUrl('big')
    routes.set(p, (_req, res) =>
      json(res, {
        client_id: url,
        client_name: 'Big',
        redirect_uris: [loopbackRedirect()],
        padding: 'x'.repeat(64 * 1024),
      }),
    )
    const res = await authorizeRaw(url, loopbackRedirect())
    expect(res).toMatchObject({ status: 400, location: null })
    expect(res.text).toContain(UNUSABLE)
    expect(await logged(`${url} refused: it is larger than 5120 bytes`)).toBe(true)
  })

  test('BM-AUTH-3 a document host that never answers is given up after 5 s', async () => {
    const { path: p, url } = docUrl('slow')
    routes.set(p, () => {
      // never answers
    })
    const started = Date.now()
    const res = await authorizeRaw(url, loopbackRedirect())
    expect(res).toMatchObject({ status: 400, location: null })
    expect(res.text).toContain(UNUSABLE)
    expect(await logged(`${url} refused: it took longer than 5000 ms`)).toBe(true)
    expect(Date.now() - started).toBeLessThan(15_000)
  }, 30_000)

  test('R-AU-15 a document whose client_id differs from its URL is refused', async () => {
    const { path: p, url } = docUrl('mismatch')
    routes.set(p, (_req, res) =>
      json(res, {
        client_id: `${docsBase}/someone-else/client.json`,
        client_name: 'Impostor',
        redirect_uris: [loopbackRedirect()],
      }),
    )
    const res = await authorizeRaw(url, loopbackRedirect())
    expect(res).toMatchObject({ status: 400, location: null })
    expect(res.text).toContain(UNUSABLE)
    expect(await logged(`${url} refused: its client_id does not equal its URL`)).toBe(true)
  })

  test('R-AU-15 R-AU-12 a redirect_uri the document does not list is never redirected to', async () => {
    const { path: p, url } = docUrl('foreign')
    routes.set(p, (_req, res) =>
      json(res, {
        client_id: url,
        client_name: 'Honest',
        redirect_uris: [loopbackRedirect(9, '/a')],
      }),
    )
    const res = await authorizeRaw(url, 'http://127.0.0.1:9/b')
    expect(res).toMatchObject({ status: 400, location: null })
    expect(res.text).toContain('is not registered')
  })

  test('BM-AUTH-3 a document URL that redirects is refused (redirects are not followed)', async () => {
    const { path: p, url } = docUrl('moved')
    const target = docUrl('target')
    routes.set(p, (_req, res) => {
      res.writeHead(302, { location: target.url }).end()
    })
    routes.set(target.path, (_req, res) =>
      json(res, { client_id: url, client_name: 'Moved', redirect_uris: [loopbackRedirect()] }),
    )
    const res = await authorizeRaw(url, loopbackRedirect())
    expect(res).toMatchObject({ status: 400, location: null })
    expect(res.text).toContain(UNUSABLE)
    expect(await logged(`${url} refused: it redirects`)).toBe(true)
    expect(hits.get(target.path)).toBeUndefined()
  })

  test('BM-AUTH-3 the test-only loopback rule (AUTH_ALLOW_LOOPBACK_FETCH) holds only on a loopback server', async () => {
    const { path: p, url } = docUrl('hatch')
    routes.set(p, (_req, res) =>
      json(res, { client_id: url, client_name: 'Hatch', redirect_uris: [loopbackRedirect()] }),
    )
    const query = new URL(
      authorizeUrl(base, {
        clientId: url,
        redirectUri: loopbackRedirect(),
        challenge: pkce().challenge,
        state: 'x',
      }),
    )
    // The same request under a public host name, as a deployed Worker receives it.
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: new URL(base).port,
          path: `${query.pathname}${query.search}`,
          headers: { host: 'mcp.example.com' },
        },
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
    expect(res.status).toBe(400)
    expect(res.body).toContain('must use https')
    expect(hits.get(p)).toBeUndefined()
    // On the loopback host the same document is fetched and used.
    expect((await authorizeRaw(url, loopbackRedirect())).status).toBe(302)
    expect(hits.get(p)).toBe(1)
  })
})
