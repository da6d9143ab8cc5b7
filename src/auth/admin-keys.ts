// The admin API for API keys: plain JSON over HTTP for `npm run keys` and curl, behind
// `Authorization: Bearer <ADMIN_TOKEN>` (src/http/admin-gate.ts). Works whether or not AUTH is
// on, so keys can be made before switching it on.
//
//   GET    /admin/keys        every key: id, label, scopes, createdAt, revokedAt (never the key)
//   POST   /admin/keys        {"label":"ci","scopes":["mcp"]} -> 201 {"id","key","label",...}
//                             the key itself is in this answer only, never again
//   DELETE /admin/keys/<id>   revokes it: 204, or 404 when there is no live key with that id

import * as v from 'valibot'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { adminGate } from '../http/admin-gate.ts'
import { readBody } from '../http/body.ts'
import { failure, json, methodNotAllowed } from '../http/responses.ts'
import { describeIssues } from '../jsonrpc/issues.ts'
import { forgetApiKeys, mintApiKey } from './api-keys.ts'
import { authStore, hasAuthStore } from './binding.ts'
import { authMisconfigured } from './routes.ts'
import { audit } from '../observe/audit.ts'

export const KEYS_PREFIX = '/admin/keys'

export const isKeysPath = (path: string): boolean =>
  path === KEYS_PREFIX || path.startsWith(`${KEYS_PREFIX}/`)

const GATE = { setting: 'ADMIN_TOKEN', what: 'API key admin API', realm: 'keys-admin' }

const NewKeySchema = v.strictObject({
  label: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)),
  scopes: v.pipe(v.array(v.string()), v.maxLength(50)),
})

/** Answers a request under /admin/keys; `scopes` are the scopes a key may hold. */
export const adminKeys = async (
  request: Request,
  env: Env,
  config: Config,
  scopes: readonly string[],
): Promise<Response> => {
  const refused = await adminGate(request, env.ADMIN_TOKEN, GATE)
  if (refused !== null) {
    if (refused.status === 401) {
      const reason = 'the API key admin API was called without ADMIN_TOKEN'
      audit(env, request, { name: 'admin.refused', outcome: 'failure', status: 401, reason })
    }
    return refused
  }
  if (!hasAuthStore(env)) return authMisconfigured()
  const store = authStore(env)
  const id = new URL(request.url).pathname.slice(KEYS_PREFIX.length).replace(/^\/+|\/+$/g, '')

  if (id === '') {
    if (request.method === 'GET') return json({ keys: await store.listApiKeys() })
    if (request.method !== 'POST') return methodNotAllowed('GET, POST')
    const body = await readBody(request, config.MAX_BODY_BYTES)
    if (!body.ok) {
      return body.reason === 'not-utf8'
        ? failure(400, 'invalid_json', 'The body must be UTF-8 JSON')
        : failure(413, 'too_large', `The body exceeds ${config.MAX_BODY_BYTES} bytes`)
    }
    let value: unknown
    try {
      value = JSON.parse(body.text)
    } catch {
      return failure(
        400,
        'invalid_json',
        'The body must be JSON: {"label": "...", "scopes": [...]}',
      )
    }
    const parsed = v.safeParse(NewKeySchema, value)
    if (!parsed.success) return failure(400, 'invalid_key', describeIssues(parsed.issues))
    const unknown = parsed.output.scopes.filter((scope) => !scopes.includes(scope))
    if (unknown.length > 0) {
      return failure(
        400,
        'invalid_scope',
        `Unknown scope ${unknown.join(', ')}; this server has ${scopes.join(', ')}`,
      )
    }
    const minted = await mintApiKey()
    const row = await store.putApiKey({
      id: minted.id,
      hash: minted.hash,
      label: parsed.output.label,
      // BM-AUTH-28: every key carries the base scope, as every token does.
      scopes: [...new Set([config.AUTH_BASE_SCOPE, ...parsed.output.scopes])],
    })
    audit(env, request, {
      name: 'auth.api_key.created',
      outcome: 'success',
      subject: `key:${row.id}`,
      client: 'api-key',
      scopes: row.scopes,
      reason: `label ${row.label}`,
    })
    return json({ ...row, key: minted.key }, 201, new Headers({ 'Cache-Control': 'no-store' }))
  }
  if (request.method !== 'DELETE') return methodNotAllowed('DELETE')
  const revoked = await store.revokeApiKey(id)
  audit(env, request, {
    name: 'auth.api_key.revoked',
    outcome: revoked ? 'success' : 'failure',
    subject: `key:${id}`,
    client: 'api-key',
    ...(revoked ? {} : { reason: 'no live key with that id' }),
  })
  if (!revoked) return failure(404, 'not_found', `No live key ${id}`)
  forgetApiKeys()
  return new Response(null, { status: 204 })
}
