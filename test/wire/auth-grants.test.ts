// What a grant covers and how long: consent is remembered per client, user, scopes and resource,
// and the page says which tools the resource serves (BM-AUTH-11); every token carries the base
// scope MCP access needs (BM-AUTH-28); a revoked grant's access tokens stop working (BM-AUTH-5).

import { describe, expect, test } from 'vitest'
import { mintAccessToken } from '../../src/auth/tokens.ts'
import { config } from '../../src/settings/config.ts'
import type { Env } from '../../src/settings/env.ts'
import { authorizeQuery, ISSUER, json, oauthClient, pkce, RESOURCE } from '../helpers/oauth.ts'
import { request, workerWith } from '../helpers/wire.ts'

const AUTH = {
  AUTH: 'true',
  AUTH_PROVIDER: 'dev',
  AUTH_SECRET: 'grants-test-secret-0123456789abcdef',
}
const worker = workerWith(AUTH)
const as = oauthClient(worker)

const toolsList = (token: string, target = worker, path = '/mcp') =>
  target.fetch(
    new Request(`${ISSUER}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(request(1, 'tools/list')),
    }),
  )

let n = 0

describe('BM-AUTH-11 consent is remembered per client, user, scopes and resource', () => {
  const ask = async (clientId: string, redirectUri: string, resource: string, user: string) => {
    const { challenge } = await pkce()
    let page: string | null = null
    const landed = await as.browse(
      authorizeQuery({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        resource,
      }),
      { user, consentPage: (html) => (page = html) },
    )
    expect(landed.searchParams.get('code'), landed.href).not.toBeNull()
    return page as string | null
  }

  test('BM-AUTH-11 approving /mcp/readonly does not approve the whole server', async () => {
    const client = await as.registered()
    const user = `consent-${++n}`
    const uri = client.redirect_uris[0]!
    expect(await ask(client.client_id, uri, `${ISSUER}/mcp/readonly`, user)).not.toBeNull()
    // The same resource again: remembered, no page.
    expect(await ask(client.client_id, uri, `${ISSUER}/mcp/readonly`, user)).toBeNull()
    // Another resource (the origin: every tool): asked again.
    expect(await ask(client.client_id, uri, ISSUER, user)).not.toBeNull()
    expect(await ask(client.client_id, uri, RESOURCE, user)).not.toBeNull()
  })

  test('BM-AUTH-11 the consent page names the resource in words', async () => {
    const client = await as.registered()
    const uri = client.redirect_uris[0]!
    const cases: [string, RegExp][] = [
      [`${ISSUER}/mcp/readonly`, /read-only tools/],
      [`${ISSUER}/mcp/research`, /the tools search, fetch/],
      [RESOURCE, /every tool/],
      [ISSUER, /every tool/],
    ]
    for (const [resource, words] of cases) {
      const page = await ask(client.client_id, uri, resource, `words-${++n}`)
      expect(page, resource).toMatch(words)
      expect(page).toContain(`<code>${resource}</code>`)
    }
  })
})

describe('BM-AUTH-28 every token carries the base scope, and MCP access requires it', () => {
  test('BM-AUTH-28 a token asked for with scope=offline_access only still carries mcp, and the consent page shows it', async () => {
    const client = await as.registered()
    const { challenge, verifier } = await pkce()
    let page = ''
    const landed = await as.browse(
      authorizeQuery({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: client.redirect_uris[0],
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'offline_access',
      }),
      { consentPage: (html) => (page = html) },
    )
    expect(page).toMatch(/<code>mcp<\/code>/)
    const res = await as.exchange(client, landed.searchParams.get('code')!, verifier)
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(String(body.scope).split(' ')).toContain('mcp')
    expect((await toolsList(String(body.access_token))).status).toBe(200)
    // Narrowing on refresh keeps it too.
    const narrowed = await as.refresh(client, String(body.refresh_token), {
      scope: 'offline_access',
    })
    expect(String((await json(narrowed)).scope).split(' ')).toContain('mcp')
  })

  test('BM-AUTH-28 RFC 6750 §3.1 a token without the base scope is refused: 403 insufficient_scope (R-AU-18: offline_access not named)', async () => {
    const { accessToken } = await mintAccessToken(worker.env as Env, config(worker.env), ISSUER, {
      subject: 'dev:nobody',
      clientId: 'client-x',
      scopes: ['offline_access'],
      resource: RESOURCE,
      grantId: 'grant-base-scope',
    })
    const res = await toolsList(accessToken)
    expect(res.status).toBe(403)
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer error="insufficient_scope", error_description="[^"]*", resource_metadata="[^"]+", scope="mcp"$/,
    )
    expect(await json(res)).toMatchObject({ error: 'insufficient_scope' })
  })

  test('BM-AUTH-28 AUTH_BASE_SCOPE names the base scope', async () => {
    const other = workerWith({ ...AUTH, AUTH_BASE_SCOPE: 'tools' })
    const mint = (scopes: string[]) =>
      mintAccessToken(other.env as Env, config(other.env), ISSUER, {
        subject: 'dev:ada',
        clientId: 'client-x',
        scopes,
        resource: RESOURCE,
        grantId: 'grant-base-scope-2',
      })
    expect((await toolsList((await mint(['mcp'])).accessToken, other)).status).toBe(403)
    expect((await toolsList((await mint(['tools'])).accessToken, other)).status).toBe(200)
  })
})

describe('BM-AUTH-5 a revoked grant\u2019s access tokens stop working', () => {
  const revoke = (client: { client_id: string }, token: string) =>
    as.postForm('/revoke', { token, client_id: client.client_id })

  test('BM-AUTH-5 RFC 7009 §2 a revoked access token is refused at once by the isolate that revoked it', async () => {
    const tokens = await as.withTokens()
    expect((await toolsList(tokens.accessToken)).status).toBe(200)
    expect((await revoke(tokens.client, tokens.accessToken)).status).toBe(200)
    const res = await toolsList(tokens.accessToken)
    expect(res.status).toBe(401)
    expect(await json(res)).toMatchObject({
      error: 'invalid_token',
      error_description: 'The access token was revoked',
    })
  })

  test('BM-AUTH-5 another isolate refuses it on its first check of the revocation list', async () => {
    const tokens = await as.withTokens()
    const elsewhere = workerWith(AUTH)
    expect((await toolsList(tokens.accessToken, elsewhere)).status).toBe(200)
    expect((await revoke(tokens.client, tokens.refreshToken)).status).toBe(200)
    // An isolate that has not read the list yet reads it before its first answer.
    const fresh = workerWith(AUTH)
    expect((await toolsList(tokens.accessToken, fresh)).status).toBe(401)
  })

  test('BM-AUTH-5 RFC 6749 §4.1.2 a replayed code revokes the access tokens it produced', async () => {
    const tokens = await as.withTokens()
    expect((await toolsList(tokens.accessToken)).status).toBe(200)
    expect((await as.exchange(tokens.client, tokens.code, tokens.verifier)).status).toBe(400)
    expect((await toolsList(tokens.accessToken)).status).toBe(401)
  })

  test('BM-AUTH-5 BM-AUTH-1 a reused refresh token revokes the access tokens of its grant', async () => {
    const tokens = await as.withTokens()
    const first = await json(await as.refresh(tokens.client, tokens.refreshToken))
    const newer = String(first.access_token)
    expect((await toolsList(newer)).status).toBe(200)
    expect((await as.refresh(tokens.client, tokens.refreshToken)).status).toBe(400)
    expect((await toolsList(newer)).status).toBe(401)
    expect((await toolsList(tokens.accessToken)).status).toBe(401)
  })

  test('BM-AUTH-5 tokens of other grants are untouched', async () => {
    const a = await as.withTokens()
    const b = await as.withTokens()
    expect((await revoke(a.client, a.accessToken)).status).toBe(200)
    expect((await toolsList(b.accessToken)).status).toBe(200)
  })
})
