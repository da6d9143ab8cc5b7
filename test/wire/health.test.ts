// Health (src/ops/health.ts, src/ops/setting-problems.ts): `GET /healthz` answers without any
// Durable Object; `GET /admin/health` behind ADMIN_TOKEN calls each binding and names every
// settings problem with its fix; neither ever carries a secret.

import { env } from 'cloudflare:workers'
import { describe, expect, test } from 'vitest'
import type { Env } from '../../src/settings/env.ts'
import { createServer } from '../../src/server.ts'
import { send, WORKER, workerWith, type Target } from '../helpers/wire.ts'

const ADMIN_TOKEN = 'health-admin-token-0123456789'
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

interface Report {
  status: string
  version: string
  checks: { name: string; status: string; message: string; fix?: string; ms?: number }[]
}

/** GET /admin/health against a server with these settings (ADMIN_TOKEN set unless overridden). */
const deep = async (
  settings: Record<string, unknown> = {},
  headers: Record<string, string> = admin,
) => {
  const server = createServer()
  const merged: Env = { ...env, ADMIN_TOKEN, ...settings }
  const res = await server.fetch(new Request('http://localhost/admin/health', { headers }), merged)
  const text = await res.text()
  return { res, text, report: JSON.parse(text) as Report }
}

const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)

/** A Durable Object namespace that records every property read and never answers. */
const trap = (touched: string[], name: string) =>
  new Proxy(
    {},
    {
      get: (_, prop) => {
        touched.push(`${name}.${String(prop)}`)
        throw new Error(`${name} was touched`)
      },
    },
  )

describe('BM-HEALTH-1 GET /healthz', () => {
  test('BM-HEALTH-1 answers 200 with the status and version, never cached', async () => {
    const res = await send({ method: 'GET', path: '/healthz', headers: {} })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toEqual({ status: 'ok', version: '0.1.0' })
  })

  test.each([
    ['with AUTH off', {}],
    ['with AUTH=true', { AUTH: 'true', AUTH_SECRET: 'health-secret-0123456789abcdef-0123' }],
  ])('BM-HEALTH-1 touches no Durable Object %s', async (_, settings) => {
    const touched: string[] = []
    const bindings = {
      KB: trap(touched, 'KB'),
      SESSION_SHARD: trap(touched, 'SESSION_SHARD'),
      AUTH_STORE: trap(touched, 'AUTH_STORE'),
    }
    const res = await createServer().fetch(new Request('http://localhost/healthz'), {
      ...env,
      ...settings,
      ...bindings,
    })
    expect(res.status).toBe(200)
    expect(touched).toEqual([])
  })

  test('BM-HEALTH-1 a bad setting is 503 without naming it or its value', async () => {
    const target: Target = workerWith({ PAGE_SIZE: 'lots-of-pages' })
    const res = await send({ method: 'GET', path: '/healthz', headers: {} }, target)
    expect(res.status).toBe(503)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({
      status: 'error',
      version: '0.1.0',
      message: 'A setting is invalid; GET /admin/health with ADMIN_TOKEN says which',
    })
    expect(text).not.toContain('lots-of-pages')
  })

  test('BM-HEALTH-1 other methods are 405 with Allow', async () => {
    const res = await send({ method: 'POST', path: '/healthz', headers: {}, body: '{}' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
  })

  test('BM-HEALTH-1 is answered whatever the MCP endpoint (a path of its own)', async () => {
    const res = await send(
      { method: 'GET', path: '/healthz', headers: {} },
      workerWith({ MCP_PATH: '/x' }),
    )
    expect(res.status).toBe(200)
  })
})

describe('BM-HEALTH-2 GET /admin/health behind ADMIN_TOKEN', () => {
  test('BM-HEALTH-2 without ADMIN_TOKEN set it is off (503), never open', async () => {
    const { res, report } = await deep({ ADMIN_TOKEN: '' })
    expect(res.status).toBe(503)
    expect(report).toMatchObject({ error: 'admin_disabled' })
  })

  test.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-the-admin-token-000' }],
  ])('BM-HEALTH-2 %s is 401 with a challenge', async (_, headers) => {
    const { res } = await deep({}, headers)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="health"/)
  })

  test('BM-HEALTH-2 calls KB and SESSION_SHARD, skips AUTH_STORE with AUTH off', async () => {
    const { res, report } = await deep()
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(report.version).toBe('0.1.0')
    expect(check(report, 'settings')).toMatchObject({ status: 'ok' })
    expect(check(report, 'KB')).toMatchObject({ status: 'ok' })
    expect(check(report, 'KB')!.message).toMatch(
      /^The knowledge base "kb" answers \(version \d+\)$/,
    )
    expect(check(report, 'KB')!.ms).toEqual(expect.any(Number))
    expect(check(report, 'SESSION_SHARD')).toMatchObject({ status: 'ok' })
    expect(check(report, 'SESSION_SHARD')!.message).toMatch(/^Session shard 0 of 8 answers/)
    expect(check(report, 'AUTH_STORE')).toMatchObject({ status: 'skipped' })
    // The demo's placeholder KB_BASE_URL is the one warning of the default settings.
    expect(report.status).toBe('warning')
    expect(report.checks.filter((c) => c.status === 'warning').map((c) => c.name)).toEqual([
      'KB_BASE_URL',
    ])
  })

  test('BM-HEALTH-2 with AUTH=true it calls AUTH_STORE and warns that PUBLIC_URL is unset', async () => {
    const { res, report } = await deep({ AUTH: 'true', KB_BASE_URL: 'https://docs.example.com' })
    expect(res.status).toBe(200)
    expect(check(report, 'AUTH_STORE')).toMatchObject({ status: 'ok' })
    expect(check(report, 'PUBLIC_URL')).toMatchObject({
      status: 'warning',
      fix: expect.stringContaining('Set PUBLIC_URL to the origin clients use'),
    })
    expect(report.status).toBe('warning')
  })

  test('BM-HEALTH-2 settings that parse and all fit are all ok', async () => {
    const { res, report } = await deep({
      AUTH: 'true',
      PUBLIC_URL: 'http://localhost',
      KB_BASE_URL: 'https://docs.example.com',
    })
    expect(res.status).toBe(200)
    expect(report.status).toBe('ok')
    expect(report.checks.map((c) => `${c.name} ${c.status}`)).toEqual([
      'settings ok',
      'KB ok',
      'SESSION_SHARD ok',
      'AUTH_STORE ok',
    ])
  })

  test.each([
    [
      'an unknown provider',
      { AUTH: 'true', AUTH_PROVIDER: 'facebook' },
      'settings',
      'Bad setting: "AUTH_PROVIDER" must be "dev", "github" or "oidc"',
    ],
    [
      'github without its client',
      { AUTH: 'true', AUTH_PROVIDER: 'github' },
      'GITHUB_CLIENT_SECRET',
      'AUTH_PROVIDER is "github" but GITHUB_CLIENT_SECRET is not set: sign-in fails at GitHub',
    ],
    [
      'oidc without an issuer',
      { AUTH: 'true', AUTH_PROVIDER: 'oidc', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's' },
      'OIDC_ISSUER',
      'AUTH_PROVIDER is "oidc" but OIDC_ISSUER is not set: sign-in cannot start',
    ],
    [
      'the dev sign-in on a public host',
      { AUTH: 'true', PUBLIC_URL: 'https://mcp.example.com' },
      'AUTH_PROVIDER',
      'AUTH_PROVIDER is "dev" on a public host: the name-only sign-in form exists on loopback hosts only, so nobody can sign in here',
    ],
    [
      'plain http on a public host',
      { AUTH: 'true', AUTH_PROVIDER: 'github', PUBLIC_URL: 'http://mcp.example.com' },
      'PUBLIC_URL',
      'PUBLIC_URL is plain http on a public host: ChatGPT, claude.ai and the Responses API connect over https only',
    ],
    [
      'AUTH=true without the AuthStore binding',
      { AUTH: 'true', AUTH_STORE: undefined },
      'AUTH_STORE',
      'The Worker has no AUTH_STORE Durable Object binding: AUTH=true answers every request with 503',
    ],
  ])(
    'BM-HEALTH-2 %s is an error (503) in words, with a fix',
    async (_, settings, name, message) => {
      const { res, report } = await deep(settings)
      expect(res.status).toBe(503)
      expect(report.status).toBe('error')
      expect(check(report, name)).toMatchObject({
        status: 'error',
        message,
        fix: expect.any(String),
      })
    },
  )

  test.each([
    [
      'a misspelt setting',
      { PUBLIC_URl: 'https://mcp.example.com' },
      'PUBLIC_URl',
      /Rename it to PUBLIC_URL/,
    ],
    ['a short admin token', { KB_ADMIN_TOKEN: 'short' }, 'KB_ADMIN_TOKEN', /at least 16/],
    ['no KB binding', { KB: undefined }, 'KB', /Add the KB binding/],
    [
      'no session binding',
      { SESSION_SHARD: undefined },
      'SESSION_SHARD',
      /Add the SESSION_SHARD binding/,
    ],
  ])('BM-HEALTH-2 %s is a warning with a fix', async (_, settings, name, fix) => {
    const { res, report } = await deep(settings)
    expect(res.status).toBe(200)
    expect(check(report, name)).toMatchObject({ status: 'warning' })
    expect(check(report, name)!.fix).toMatch(fix)
  })

  test('BM-HEALTH-2 other methods are 405', async () => {
    const res = await createServer().fetch(
      new Request('http://localhost/admin/health', { method: 'POST', headers: admin }),
      { ...env, ADMIN_TOKEN },
    )
    expect(res.status).toBe(405)
  })
})

describe('BM-HEALTH-3 a health answer never reveals a secret', () => {
  const SECRETS = {
    AUTH_SECRET: 'auth-secret-value-0123456789abcdef-xyz',
    MRTR_SECRET: 'mrtr-secret-value-0123456789abcdef-xyz',
    GITHUB_CLIENT_SECRET: 'github-client-secret-value-0123',
    OIDC_CLIENT_SECRET: 'oidc-client-secret-value-0123',
    KB_ADMIN_TOKEN: 'kb-admin-token-value-0123456789',
  }

  test('BM-HEALTH-3 no secret value in the deep answer, whatever the settings', async () => {
    const { text } = await deep({ ...SECRETS, AUTH: 'true', AUTH_PROVIDER: 'github' })
    for (const value of [...Object.values(SECRETS), ADMIN_TOKEN]) expect(text).not.toContain(value)
  })

  test('BM-HEALTH-3 a failing Durable Object is reported by kind, never its message or paths', async () => {
    const failing = {
      idFromName: (name: string) => name,
      get: () => ({
        version: async () => {
          throw new TypeError(`boom at /srv/app/src/kb/knowledge-base.ts:12 ${SECRETS.AUTH_SECRET}`)
        },
      }),
    }
    const { res, text, report } = await deep({ ...SECRETS, KB: failing })
    expect(res.status).toBe(503)
    expect(check(report, 'KB')).toMatchObject({
      status: 'error',
      message: "The KB Durable Object failed (TypeError); the full error is in the Worker's log",
    })
    expect(text).not.toMatch(/boom|\/srv|knowledge-base\.ts/)
    expect(text).not.toContain(SECRETS.AUTH_SECRET)
  })

  test('BM-HEALTH-3 a secret value that slipped into a message is replaced', async () => {
    // Contrived on purpose: the knowledge base's name (shown) equals a secret (never shown).
    const shared = 'shared-value-0123456789'
    const { text, report } = await deep({ KB_NAME: shared, KB_ADMIN_TOKEN: shared })
    expect(text).not.toContain(shared)
    expect(check(report, 'KB')!.message).toContain('"[redacted]"')
  })

  test('BM-HEALTH-3 /healthz says nothing of secrets either', async () => {
    const res = await WORKER.fetch(new Request('http://localhost/healthz'))
    expect(Object.keys((await res.json()) as object).sort()).toEqual(['status', 'version'])
  })
})
