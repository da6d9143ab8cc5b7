// The end of an authorization request (RFC 6749 §4.1.2): the code, or the error, sent to the
// client's checked redirect URI with `state` and `iss` (RFC 9207), once the person has signed in
// and consented (finishAuthorization), or refused (denyAuthorization). Each pending request
// finishes once.
//
//   302 Location: https://client.example/cb?code=...&state=xyz&iss=https://mcp.example.com

import { authStore } from './binding.ts'
import { randomToken, sha256 } from './crypto.ts'
import { errorPage } from './html.ts'
import { vouchedRedirect } from './redirect-uris.ts'
import type { AuthContext, Pending } from './types.ts'
import type { Identity } from './upstream/identity.ts'

/** A 302 to `uri` with `params` added to its query (RFC 6749 §4.1.2: keep its own query). */
export const redirectTo = (uri: string, params: Record<string, string | null>): Response => {
  const url = new URL(uri)
  for (const [name, value] of Object.entries(params)) {
    if (value !== null) url.searchParams.append(name, value)
  }
  return new Response(null, {
    status: 302,
    headers: { Location: url.href, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
  })
}

/** RFC 6749 §4.1.2.1 + RFC 9207: an error sent back to the client's checked redirect URI. */
export const redirectError = (
  ctx: AuthContext,
  redirectUri: string,
  state: string | null,
  error: string,
  description: string,
): Response =>
  redirectTo(redirectUri, { error, error_description: description, state, iss: ctx.issuer })

/** The pending request, taken (each finishes once), or the page saying it is gone. */
const take = async (
  ctx: AuthContext,
  pending: Pending,
): Promise<{ ok: true; pending: Pending } | { ok: false; response: Response }> => {
  const taken = await authStore(ctx.env).takePending(pending.id)
  if (taken === null) {
    return {
      ok: false,
      response: errorPage(
        400,
        'This sign-in has expired',
        'The request was already completed or took too long. Start again from the application.',
      ),
    }
  }
  return { ok: true, pending: taken }
}

/** Issues the code for a signed-in, consenting user; redirects to the client. */
export const finishAuthorization = async (
  ctx: AuthContext,
  pending: Pending,
  identity: Identity,
  scopes: readonly string[],
): Promise<Response> => {
  const taken = await take(ctx, pending)
  if (!taken.ok) return taken.response
  const request = taken.pending
  // Never more than the request asked for, whatever the consent step passes on.
  const granted = scopes.filter((scope) => request.scopes.includes(scope))
  const code = randomToken()
  const grantId = randomToken(16)
  await authStore(ctx.env).putGrantWithCode(
    {
      id: grantId,
      clientId: request.clientId,
      subject: identity.subject,
      identity: {
        subject: identity.subject,
        provider: identity.provider,
        ...(identity.name !== undefined ? { name: identity.name } : {}),
        ...(identity.email !== undefined ? { email: identity.email } : {}),
      },
      scopes: granted,
      resource: request.resource,
    },
    await sha256(code),
    {
      grantId,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven ?? false,
      codeChallenge: request.codeChallenge,
      resource: request.resource,
    },
    Date.now() + ctx.config.AUTH_CODE_TTL_S * 1000,
  )
  return redirectTo(request.redirectUri, { code, state: request.state, iss: ctx.issuer })
}

/**
 * The user said no (on our consent page, or at the upstream provider): error=access_denied
 * goes to the client. Before the person has seen our consent page, only to a redirect URI we
 * vouch for (BM-AUTH-27); otherwise they get a page saying so.
 */
export const denyAuthorization = async (
  ctx: AuthContext,
  pending: Pending,
  how: { seenConsent: boolean },
): Promise<Response> => {
  const taken = await take(ctx, pending)
  if (!taken.ok) return taken.response
  if (!how.seenConsent && !vouchedRedirect(taken.pending.redirectUri, ctx.config)) {
    return errorPage(
      403,
      'Sign-in cancelled',
      'The sign-in was refused or cancelled. Go back to the app and connect again.',
    )
  }
  return redirectError(
    ctx,
    taken.pending.redirectUri,
    taken.pending.state,
    'access_denied',
    'the user did not approve the request',
  )
}
