// Who may see the wire view. On a loopback host (`npm start`) it is open: whoever can reach
// 127.0.0.1 already runs the server. On a public host it exists only with WIRE_VIEW=true, and
// then only for the operator, by ADMIN_TOKEN, sent one of two ways:
//
//   Authorization: Bearer <ADMIN_TOKEN>                 (curl, scripts)
//   POST /_wire/login  token=<ADMIN_TOKEN>              (a browser, once: the form on /_wire)
//     -> 303 /_wire, Set-Cookie: bare_mcp_wire=<expiry>.<HMAC>; HttpOnly; SameSite=Strict;
//        Path=/_wire; Secure
//
// The cookie is not the token: it is an HMAC of its expiry keyed by the token, so it proves
// the token was typed without holding it, and no URL ever carries the token.

import { adminGate, MIN_TOKEN_CHARS } from '../http/admin-gate.ts'
import { failure } from '../http/responses.ts'
import { sameSecret } from '../http/secrets.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { isLoopbackHost } from '../auth/upstream/outbound.ts'
import { wireViewOn } from './observer.ts'

export const COOKIE = 'bare_mcp_wire'
/** How long a browser stays signed in to the wire view (12 hours). */
export const COOKIE_SECONDS = 12 * 60 * 60

const GATE = { setting: 'ADMIN_TOKEN', what: 'wire view', realm: 'wire' }

/** What the gate decided: open, the sign-in form (a browser without a cookie), or a refusal. */
export type Access = { ok: true } | { ok: false; signIn: boolean; response: Response }

const encoder = new TextEncoder()

const base64url = (bytes: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

const sign = async (token: string, expiry: number): Promise<string> => {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(token),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return base64url(await crypto.subtle.sign('HMAC', key, encoder.encode(`wire-view:${expiry}`)))
}

/** The cookie's value for a browser that gave `token` now. */
export const cookieValue = async (token: string, now = Date.now()): Promise<string> => {
  const expiry = Math.floor(now / 1000) + COOKIE_SECONDS
  return `${expiry}.${await sign(token, expiry)}`
}

const cookieOf = (request: Request): string | null => {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === COOKIE) return value.join('=')
  }
  return null
}

const validCookie = async (value: string | null, token: string): Promise<boolean> => {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '')
  if (match === null) return false
  const expiry = Number(match[1])
  if (expiry * 1000 < Date.now()) return false
  return sameSecret(match[2]!, await sign(token, expiry))
}

/** Whether the wire view may be shown for `request`. */
export const wireAccess = async (request: Request, env: Env, config: Config): Promise<Access> => {
  const path = new URL(request.url).pathname
  if (!wireViewOn(config, request.url)) {
    const message = `Nothing at ${path}; the wire view is off here (WIRE_VIEW)`
    return { ok: false, signIn: false, response: failure(404, 'not_found', message) }
  }
  if (isLoopbackHost(new URL(request.url).hostname)) return { ok: true }
  const token = env.ADMIN_TOKEN
  if (typeof token === 'string' && token.length >= MIN_TOKEN_CHARS) {
    if (await validCookie(cookieOf(request), token)) return { ok: true }
    if (request.headers.get('authorization') === null && request.method === 'GET') {
      // A browser: the sign-in form (the refusal below is what a script gets).
      const refused = await adminGate(request, token, GATE)
      return { ok: false, signIn: true, response: refused ?? failure(401, 'unauthorized', '') }
    }
  }
  const refused = await adminGate(request, token, GATE)
  return refused === null ? { ok: true } : { ok: false, signIn: false, response: refused }
}

/** Whether `given` is the admin token (the sign-in form). */
export const isAdminToken = async (env: Env, given: string): Promise<boolean> => {
  const token = env.ADMIN_TOKEN
  return typeof token === 'string' && token.length >= MIN_TOKEN_CHARS && sameSecret(given, token)
}

/** The Set-Cookie header value that signs a browser in. */
export const signInCookie = async (env: Env, secure: boolean): Promise<string> =>
  `${COOKIE}=${await cookieValue(String(env.ADMIN_TOKEN))}; HttpOnly; SameSite=Strict; Path=/_wire; Max-Age=${COOKIE_SECONDS}${secure ? '; Secure' : ''}`
