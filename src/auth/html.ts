// The few HTML pages the authorization server shows a person (sign-in, consent, errors):
// server-rendered, no script, one stylesheet inline, and headers that keep them out of frames
// (clickjacking) and caches.

/** Escapes text for HTML element content and double-quoted attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  )

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}h2{font-size:1.1rem}ul{padding-left:1.2rem}code{background:#f2f2f2;padding:0 .2rem}
button,input{font:inherit;padding:.4rem .8rem}label{display:block;margin:.6rem 0 .2rem}
.actions{display:flex;gap:.8rem;margin-top:1.2rem}.muted{color:#555}`

/**
 * A whole page. `body` must already be escaped HTML. Framing is refused (CSP frame-ancestors
 * and X-Frame-Options), scripts are off, forms may post only to us.
 */
export const page = (
  title: string,
  body: string,
  status = 200,
  headers = new Headers(),
): Response => {
  headers.set('Content-Type', 'text/html; charset=utf-8')
  headers.set('Cache-Control', 'no-store')
  headers.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  )
  headers.set('X-Frame-Options', 'DENY')
  headers.set('Referrer-Policy', 'no-referrer')
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`
  return new Response(html, { status, headers })
}

/** An error a person sees (never a redirect): what went wrong, in words. */
export const errorPage = (status: number, title: string, message: string): Response =>
  page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`, status)
