// Binding a sign-in to the browser that started it. beginSignIn() makes one random token per
// authorization request, keeps it in the Pending and sets it as a cookie; every later step
// (dev sign-in form, upstream callback, consent form) must present the cookie, and the forms
// also carry it as a hidden field. A request forged from another site lacks the field
// (SameSite=Lax keeps the cookie off cross-site POSTs too), and a callback or consent link
// opened in another browser lacks the cookie (login CSRF, RFC 6749 §10.12; OAuth 2.1 §7.4).
//
//   Set-Cookie: bare_mcp_csrf=Qm9...; Path=/; HttpOnly; SameSite=Lax; Secure
//   <input type="hidden" name="csrf" value="Qm9...">

import { readText } from '../http/body.ts'
import { sameSecret } from '../http/secrets.ts'
import type { Pending } from './types.ts'

export const CSRF_COOKIE = 'bare_mcp_csrf'

const secureFor = (issuer: string): string => (issuer.startsWith('https:') ? '; Secure' : '')

/** The Set-Cookie value that binds this browser to a sign-in. */
export const csrfCookie = (token: string, issuer: string): string =>
  `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${secureFor(issuer)}`

/** The Set-Cookie value that removes it again once the flow ends. */
export const clearCsrfCookie = (issuer: string): string =>
  `${CSRF_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secureFor(issuer)}`

/** The value of our cookie on `request`, if it carries one. */
export const csrfFromCookie = (request: Request): string | null => {
  for (const part of (request.headers.get('Cookie') ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === CSRF_COOKIE) return part.slice(eq + 1).trim()
  }
  return null
}

/**
 * Whether `request` comes from the browser that started `pending`: its cookie and (for forms)
 * the submitted field both equal the token kept in the Pending. Compared in constant time.
 */
export const sameBrowser = async (
  request: Request,
  pending: Pending,
  field?: string,
): Promise<boolean> => {
  const cookie = csrfFromCookie(request)
  if (pending.csrf === undefined || cookie === null || cookie === '') return false
  const checks = [sameSecret(cookie, pending.csrf)]
  if (field !== undefined) checks.push(sameSecret(field, pending.csrf))
  return (await Promise.all(checks)).every(Boolean)
}

/** A copy of `response` whose headers we may change (redirects' headers are immutable). */
export const withCookie = (response: Response, cookie: string): Response => {
  const copy = new Response(response.body, response)
  copy.headers.append('Set-Cookie', cookie)
  return copy
}

/** Our forms hold a few short fields; a bigger body is not one of them. */
const MAX_FORM_BYTES = 16 * 1024

/** The urlencoded body of a form POST (anything else, or anything too big, reads as empty). */
export const formOf = async (request: Request): Promise<URLSearchParams> => {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    await request.body?.cancel()
    return new URLSearchParams()
  }
  return new URLSearchParams((await readText(request, MAX_FORM_BYTES)) ?? '')
}
