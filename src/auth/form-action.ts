// Our pages' CSP says `form-action 'self'` (html.ts), and browsers apply form-action to every
// redirect that follows a form submission (CSP Level 3 §6.3.1): a POST /consent answered with
// 302 to the client's redirect URI would be blocked, and the person would be stuck on our page.
// A form whose answer may redirect to the client therefore allows that one target as well:
//
//   Content-Security-Policy: ...; form-action 'self' http://127.0.0.1:51234; ...
//   Content-Security-Policy: ...; form-action 'self' cursor:; ...       (private-use scheme)
//
// https://www.w3.org/TR/CSP3/#directive-form-action

/** The CSP source expression for where `redirectUri` goes: its origin, or its scheme. */
const sourceOf = (redirectUri: string): string | null => {
  let url: URL
  try {
    url = new URL(redirectUri)
  } catch {
    return null
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin
  // A scheme is letters, digits, "+", "-", "." (RFC 3986 §3.1): nothing that could end the
  // directive or add another.
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : null
}

/** `response` (one of our pages) with its form-action widened to `redirectUri`'s target. */
export const allowFormRedirect = (response: Response, redirectUri: string): Response => {
  const source = sourceOf(redirectUri)
  const csp = response.headers.get('Content-Security-Policy')
  if (source === null || csp === null) return response
  response.headers.set(
    'Content-Security-Policy',
    csp.replace(/form-action 'self'/, `form-action 'self' ${source}`),
  )
  return response
}
