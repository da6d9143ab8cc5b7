// The authorization endpoint (RFC 6749 §3.1 and §4.1.1, OAuth 2.1 §4.1): where a client sends
// the person's browser to ask for a code.
//
//   GET /authorize?response_type=code&client_id=...&redirect_uri=http://127.0.0.1:51234/cb
//       &code_challenge=<43 chars>&code_challenge_method=S256&scope=mcp&state=xyz
//       &resource=https://mcp.example.com/mcp
//   -> sign-in and consent (signin.ts, consent.ts) -> finishAuthorization()
//   -> 302 http://127.0.0.1:51234/cb?code=...&state=xyz&iss=https://mcp.example.com
//
// Until client_id and redirect_uri are known good, an error is a page for the person, never a
// redirect (RFC 6749 §4.1.2.1: redirecting to an unchecked URI would be an open redirector).
// After that, errors go back to the client: error, error_description, state, and `iss`
// (R-AU-17, RFC 9207), but only to a redirect URI this server vouches for, loopback or
// allow-listed (BM-AUTH-27, RFC 9700 §4.11.2: no redirects to unverified clients before the
// person consented); any other client's errors are a page too.
// BM-AUTH-28: the base scope is always asked for, whatever `scope` says.
//
// R-AU-12 · https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#security-considerations
// redirect_uri matches a registered one exactly (loopback: any port, RFC 8252 §7.3).
// R-AU-3, R-AU-16: PKCE with S256 only (plain is refused, OAuth 2.1 §4.1.1).
// R-AU-11 · RFC 8707: `resource`, when sent, must be one of ours (invalid_target otherwise).

import { authStore } from './binding.ts'
import { readText } from '../http/body.ts'
import { findClient } from './clients.ts'
import { redirectError } from './authorization-response.ts'
import { randomToken } from './crypto.ts'
import { errorPage } from './html.ts'
import { parseMediaType } from '../http/media-type.ts'
import { beginSignIn } from './signin.ts'
import type { AuthContext, Client, Pending } from './types.ts'
import { canonicalResource, ourResource } from './urls.ts'
import { matchRedirectUri, vouchedRedirect } from './redirect-uris.ts'

/** How long a person has to sign in and consent. */
const PENDING_TTL_MS = 10 * 60_000

/** RFC 7636 §4.2: BASE64URL(SHA-256(verifier)) is exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/** The request's parameters: the query (GET) or the form body (POST), names listed once. */
const readParams = async (
  request: Request,
): Promise<{ ok: true; params: Map<string, string[]> } | { ok: false; message: string }> => {
  let source: URLSearchParams
  if (request.method === 'POST') {
    const media = parseMediaType(request.headers.get('content-type') ?? '')
    if (media === null || media.essence !== 'application/x-www-form-urlencoded') {
      return {
        ok: false,
        message: 'A POST to /authorize must be a form (application/x-www-form-urlencoded).',
      }
    }
    const text = await readText(request, 16 * 1024).catch(() => null)
    if (text === null) return { ok: false, message: 'The request is too large or not UTF-8.' }
    source = new URLSearchParams(text)
  } else {
    source = new URL(request.url).searchParams
  }
  const params = new Map<string, string[]>()
  for (const [name, value] of source) {
    // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
    if (value === '') continue
    params.set(name, [...(params.get(name) ?? []), value])
  }
  return { ok: true, params }
}

const badRequestPage = (message: string): Response =>
  errorPage(400, 'This sign-in link is not valid', message)

export const authorize = async (ctx: AuthContext): Promise<Response> => {
  const read = await readParams(ctx.request)
  if (!read.ok) return badRequestPage(read.message)
  const { params } = read
  const single = (name: string): { value: string | null } | null => {
    const values = params.get(name)
    if (values === undefined) return { value: null }
    return values.length === 1 ? { value: values[0]! } : null
  }

  // 1. client_id and redirect_uri: errors here are pages, never redirects.
  const clientIdParam = single('client_id')
  if (clientIdParam === null) return badRequestPage('client_id is repeated.')
  if (clientIdParam.value === null) return badRequestPage('client_id is missing.')
  const found = await findClient(ctx, clientIdParam.value)
  if (!found.ok) {
    return badRequestPage(`The application's client_id is not usable: ${found.error}.`)
  }
  const client = found.client
  const redirectParam = single('redirect_uri')
  if (redirectParam === null) return badRequestPage('redirect_uri is repeated.')
  const redirectUri = chooseRedirect(client, redirectParam.value)
  if (redirectUri === null) {
    return badRequestPage(
      redirectParam.value === null
        ? 'redirect_uri is missing, and the application registered more than one.'
        : `redirect_uri ${redirectParam.value} is not registered for ${client.clientName}.`,
    )
  }

  // 2. Everything else goes back to the client, if we vouch for where it would go.
  const stateParam = single('state')
  const state = stateParam?.value ?? null
  const vouched = vouchedRedirect(redirectUri, ctx.config)
  const fail = (error: string, description: string) =>
    vouched
      ? redirectError(ctx, redirectUri, state, error, description)
      : badRequestPage(`The application's request is not valid (${error}): ${description}.`)
  if (stateParam === null) return fail('invalid_request', 'state must not be repeated')
  for (const name of [
    'response_type',
    'code_challenge',
    'code_challenge_method',
    'scope',
    'prompt',
  ]) {
    if (single(name) === null) return fail('invalid_request', `${name} must not be repeated`)
  }

  const responseType = single('response_type')!.value
  if (responseType === null) return fail('invalid_request', 'response_type is missing')
  if (responseType !== 'code') {
    return fail('unsupported_response_type', 'response_type must be code')
  }

  const challenge = single('code_challenge')!.value
  const method = single('code_challenge_method')!.value
  if (challenge === null) {
    return fail('invalid_request', 'code_challenge is required (PKCE, OAuth 2.1)')
  }
  if (method !== 'S256') {
    return fail('invalid_request', 'code_challenge_method must be S256')
  }
  if (!S256_CHALLENGE.test(challenge)) {
    return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256)')
  }

  // RFC 6749 §3.3: no scope asks for everything we offer. `offline_access` may be asked for
  // (refresh tokens are issued anyway, token.ts).
  const scopeParam = single('scope')!.value
  const requested = scopeParam === null ? [] : scopeParam.split(' ').filter(Boolean)
  const known = new Set([...ctx.scopes, 'offline_access'])
  const unknown = requested.filter((scope) => !SCOPE_TOKEN.test(scope) || !known.has(scope))
  if (unknown.length > 0) {
    return fail('invalid_scope', `unknown scope ${unknown.join(' ')}`)
  }
  const scopes =
    requested.length === 0
      ? [...ctx.scopes]
      : [...new Set([ctx.config.AUTH_BASE_SCOPE, ...requested])]

  // OIDC Core §3.1.2.1 `prompt`, which MCP clients send (mcp-remote: `prompt=consent`). We keep
  // no sign-in session, so every flow signs in: `none` cannot be met; `consent` shows the
  // consent page even when the user approved this client before; `login` and
  // `select_account` are what happens anyway.
  const prompt = (single('prompt')!.value ?? '').split(' ').filter(Boolean)
  if (prompt.includes('none')) {
    return fail('login_required', 'this server signs people in on every authorization request')
  }

  // RFC 8707 §2: several `resource` values are allowed on the wire, but a token has one
  // audience: they must all name the same resource of ours.
  const resources = (params.get('resource') ?? []).map((value) =>
    ourResource(value, ctx.issuer, ctx.config),
  )
  if (resources.some((resource) => resource === null)) {
    return fail('invalid_target', 'resource is not this server (RFC 8707)')
  }
  if (new Set(resources).size > 1) {
    return fail('invalid_target', 'resource must name one resource')
  }
  const resource = resources[0] ?? canonicalResource(ctx.issuer, ctx.config)

  const pending: Pending = {
    id: randomToken(),
    clientId: client.clientId,
    clientName: client.clientName,
    redirectUri,
    redirectUriGiven: redirectParam.value !== null,
    state,
    codeChallenge: challenge,
    scopes,
    resource: resource!,
    expiresAt: Date.now() + PENDING_TTL_MS,
    ...(prompt.includes('consent') ? { promptConsent: true } : {}),
  }
  await authStore(ctx.env).putPending(pending)
  return beginSignIn(ctx, pending)
}

/** The redirect URI to use: the requested one if registered, or the only one registered. */
const chooseRedirect = (client: Client, requested: string | null): string | null => {
  if (requested === null) {
    return client.redirectUris.length === 1 ? client.redirectUris[0]! : null
  }
  return matchRedirectUri(requested, client.redirectUris)
}
