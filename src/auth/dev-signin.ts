// The development sign-in (AUTH_PROVIDER=dev): a form where you type a name and become
// "dev:<name>". It proves nothing, so it exists only on the local machine: the request and our
// issuer must both be loopback hosts (localhost, 127.0.0.1, [::1]). A deployed server never
// offers it, whatever its settings say (convention BM-AUTH-14; the spec is silent).
//
//   GET  /signin?request=<id>                  -> the form below
//   POST /signin  request=<id>&csrf=<token>&name=ada
//
//   <form method="post" action="/signin">
//     <input type="hidden" name="request" value="..."><input type="hidden" name="csrf" ...>
//     <label for="name">Name</label><input id="name" name="name" type="text" required>
//     <button type="submit">Sign in</button>
//   </form>

import { escapeHtml, page } from './html.ts'
import type { AuthContext } from './types.ts'
import type { Identity } from './upstream/identity.ts'
import { AUTH_PATHS } from './urls.ts'
import { isLoopbackHost } from './upstream/outbound.ts'

/** Whether the dev sign-in may be offered for this request. */
export const devSignInAllowed = (ctx: AuthContext): boolean =>
  ctx.config.AUTH_PROVIDER === 'dev' &&
  isLoopbackHost(new URL(ctx.request.url).hostname) &&
  isLoopbackHost(new URL(ctx.issuer).hostname)

/** A name typed on the form: trimmed, 1 to 64 printable characters. */
export const devName = (value: string): string | null => {
  const name = value.trim()
  return name.length >= 1 && name.length <= 64 && !/[\u0000-\u001f\u007f]/.test(name) ? name : null
}

export const devIdentity = (name: string): Identity => ({
  subject: `dev:${name}`,
  provider: 'dev',
  name,
})

/** The sign-in form for a pending request. */
export const devSignInPage = (
  requestId: string,
  csrf: string,
  clientName: string,
  error?: string,
): Response =>
  page(
    'Sign in (development)',
    `<h1>Sign in (development)</h1>
<p>This server runs with <code>AUTH_PROVIDER=dev</code>: any name signs you in. It is offered only on this computer.</p>
<p><strong>${escapeHtml(clientName)}</strong> asked to connect.</p>
${error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="${AUTH_PATHS.signin}">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<label for="name">Name</label>
<input id="name" name="name" type="text" required maxlength="64" autocomplete="username" autofocus>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`,
    error === undefined ? 200 : 400,
  )
