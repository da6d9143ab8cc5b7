// Sign-in: who the person at the browser is, before they consent. authorize.ts has checked the
// client's request and stored it as a Pending; beginSignIn() sends the browser on:
//
//   AUTH_PROVIDER=dev     302 /signin?request=<id>            our name-only form (loopback only)
//   AUTH_PROVIDER=github  302 https://github.com/login/oauth/authorize?...&state=<our state>
//   AUTH_PROVIDER=oidc    302 <provider authorize endpoint>?...&state=<our state>&nonce=...
//
// and sets the browser-binding cookie (csrf.ts). The upstream comes back to GET /callback with
// `code` and `state`. Our state is `<pending id>.<HMAC of it>`: a state we did not make is
// refused at once, and the cookie must match the Pending too, so a callback URL carried to
// another browser signs nobody in (RFC 6749 §10.12, OAuth 2.1 §7.4). We are the upstream's
// client with PKCE S256 (RFC 7636): the verifier stays in the Pending, never in the browser.
//
// Once we know who it is: consent remembered for this client, user and resource, covering
// every requested scope -> finishAuthorization() at once; otherwise -> 302 /consent?request=<id>.

import * as v from 'valibot'
import { authStore } from './binding.ts'
import { denyAuthorization, finishAuthorization } from './authorization-response.ts'
import { clearCsrfCookie, csrfCookie, formOf, sameBrowser, withCookie } from './csrf.ts'
import { hmac, randomToken, s256 } from './crypto.ts'
import { sameSecret } from '../http/secrets.ts'
import { allowFormRedirect } from './form-action.ts'
import { errorPage } from './html.ts'
import { purposeKey } from './tokens.ts'
import type { AuthContext, Pending } from './types.ts'
import type { Identity } from './upstream/identity.ts'
import { devIdentity, devName, devSignInAllowed, devSignInPage } from './dev-signin.ts'
import { UpstreamError } from './upstream/fetch.ts'
import { upstreamFor } from './upstream/provider.ts'
import { AUTH_PATHS } from './urls.ts'
import { audit } from '../observe/audit.ts'

/** A 302 that sets or clears our cookie and is never cached. */
const redirect = (location: string, cookie: string): Response =>
  new Response(null, {
    status: 302,
    headers: { Location: location, 'Set-Cookie': cookie, 'Cache-Control': 'no-store' },
  })

const DEV_ONLY =
  'The name-only sign-in exists only for development on this computer (AUTH_PROVIDER=dev on localhost).'
const EXPIRED =
  'This sign-in request has expired or was already used. Go back to the app and connect again.'
const OTHER_BROWSER =
  'This sign-in was started in another browser (or its cookie is gone). Go back to the app and connect again in this browser.'

/** The state we send upstream: the Pending's id and our HMAC over it. */
const stateFor = async (ctx: AuthContext, pendingId: string): Promise<string> =>
  `${pendingId}.${await hmac(await purposeKey(ctx.env, ctx.config, 'upstream-state'), pendingId)}`

/** The Pending id a state names, if we made that state; null for anything else. */
const pendingIdOf = async (ctx: AuthContext, state: string): Promise<string | null> => {
  const dot = state.lastIndexOf('.')
  if (dot < 1) return null
  const id = state.slice(0, dot)
  return (await sameSecret(state, await stateFor(ctx, id))) ? id : null
}

/** Starts sign-in for a checked authorization request: the dev form, or a redirect upstream. */
export const beginSignIn = async (ctx: AuthContext, pending: Pending): Promise<Response> => {
  const csrf = randomToken()
  const upstream = upstreamFor(ctx.config)
  const store = authStore(ctx.env)
  if (upstream === null) {
    // BM-AUTH-14: the dev form is never offered by a deployed server.
    if (!devSignInAllowed(ctx)) return errorPage(403, 'Sign-in unavailable', DEV_ONLY)
    if ((await store.updatePending(pending.id, { csrf })) === null) {
      return errorPage(400, 'Sign-in expired', EXPIRED)
    }
    const location = `${AUTH_PATHS.signin}?request=${encodeURIComponent(pending.id)}`
    return redirect(location, csrfCookie(csrf, ctx.issuer))
  }
  const verifier = randomToken()
  const nonce = upstream.usesNonce ? randomToken(16) : undefined
  let location: string
  try {
    location = await upstream.authorizeUrl(ctx.config, ctx.outbound, {
      redirectUri: `${ctx.issuer}${AUTH_PATHS.callback}`,
      state: await stateFor(ctx, pending.id),
      codeChallenge: await s256(verifier),
      ...(nonce !== undefined ? { nonce } : {}),
    })
  } catch (error) {
    return upstreamFailure(ctx, error)
  }
  const updated = await store.updatePending(pending.id, {
    csrf,
    upstream: { verifier, ...(nonce !== undefined ? { nonce } : {}) },
  })
  if (updated === null) return errorPage(400, 'Sign-in expired', EXPIRED)
  return redirect(location, csrfCookie(csrf, ctx.issuer))
}

const upstreamFailure = (ctx: AuthContext, error: unknown): Response => {
  if (error instanceof UpstreamError) {
    signInFailed(ctx, `the sign-in provider failed: ${error.message}`)
    return errorPage(502, 'Sign-in failed', `${error.message}. Try again later.`)
  }
  throw error
}

/** BM-AUDIT-1: a sign-in that failed, and why. */
const signInFailed = (ctx: AuthContext, reason: string, pending?: Pending): void =>
  audit(ctx.env, ctx.request, {
    name: 'auth.signin',
    outcome: 'failure',
    provider: ctx.config.AUTH_PROVIDER,
    client: pending?.clientId,
    reason,
  })

/**
 * After sign-in: remembered consent covering every requested scope finishes at once; otherwise
 * the identity is kept in the Pending and the browser goes to the consent page.
 */
const afterIdentity = async (
  ctx: AuthContext,
  pending: Pending,
  identity: Identity,
): Promise<Response> => {
  const store = authStore(ctx.env)
  // Keeping the identity first also makes the sign-in step one-shot (a replay is refused).
  const updated = await store.updatePending(pending.id, { identity })
  if (updated === null) return errorPage(400, 'Sign-in expired', EXPIRED)
  // BM-AUDIT-1: who signed in, with which provider, for which client.
  audit(ctx.env, ctx.request, {
    name: 'auth.signin',
    outcome: 'success',
    provider: identity.provider,
    subject: identity.subject,
    client: pending.clientId,
    clientName: pending.clientName,
  })
  // BM-AUTH-11: a client the user already approved for this resource, for no more than they
  // approved, unless the client asked for the question again (`prompt=consent`).
  const remembered = await store.getConsent(pending.clientId, identity.subject, pending.resource)
  const covered = remembered !== null && pending.scopes.every((scope) => remembered.includes(scope))
  if (covered && pending.promptConsent !== true) {
    audit(ctx.env, ctx.request, {
      name: 'auth.consent',
      outcome: 'success',
      subject: identity.subject,
      client: pending.clientId,
      clientName: pending.clientName,
      scopes: pending.scopes,
      reason: 'remembered from an earlier approval',
    })
    const response = await finishAuthorization(ctx, updated, identity, pending.scopes)
    return withCookie(response, clearCsrfCookie(ctx.issuer))
  }
  return new Response(null, {
    status: 302,
    headers: {
      Location: `${AUTH_PATHS.consent}?request=${encodeURIComponent(pending.id)}`,
      'Cache-Control': 'no-store',
    },
  })
}

/** A live Pending that this browser started and that nobody has signed in to yet. */
const openPending = async (
  ctx: AuthContext,
  id: string,
  field?: string,
): Promise<{ ok: true; pending: Pending } | { ok: false; response: Response }> => {
  const pending = id === '' ? null : await authStore(ctx.env).getPending(id)
  if (pending === null) {
    return { ok: false, response: errorPage(400, 'Sign-in expired', EXPIRED) }
  }
  if (!(await sameBrowser(ctx.request, pending, field))) {
    return { ok: false, response: errorPage(403, 'Sign-in refused', OTHER_BROWSER) }
  }
  if (pending.identity !== undefined) {
    return { ok: false, response: errorPage(400, 'Sign-in expired', EXPIRED) }
  }
  return { ok: true, pending }
}

const SignInForm = v.object({
  request: v.string(),
  csrf: v.string(),
  name: v.string(),
})

/** GET /signin shows the dev form; POST /signin signs in as the name typed. */
export const signin = async (ctx: AuthContext): Promise<Response> => {
  // BM-AUTH-14: loopback only, dev only.
  if (!devSignInAllowed(ctx)) return errorPage(403, 'Sign-in unavailable', DEV_ONLY)
  if (ctx.request.method === 'GET') {
    const id = new URL(ctx.request.url).searchParams.get('request') ?? ''
    const open = await openPending(ctx, id)
    if (!open.ok) return open.response
    // With remembered consent, the form's answer redirects straight to the client.
    return allowFormRedirect(
      devSignInPage(id, open.pending.csrf ?? '', open.pending.clientName),
      open.pending.redirectUri,
    )
  }
  const form = v.safeParse(SignInForm, Object.fromEntries(await formOf(ctx.request)))
  if (!form.success) {
    return errorPage(400, 'Sign-in failed', 'The form must carry request, csrf and name.')
  }
  const open = await openPending(ctx, form.output.request, form.output.csrf)
  if (!open.ok) return open.response
  const name = devName(form.output.name)
  if (name === null) {
    return allowFormRedirect(
      devSignInPage(
        open.pending.id,
        form.output.csrf,
        open.pending.clientName,
        'Type a name of 1 to 64 characters.',
      ),
      open.pending.redirectUri,
    )
  }
  return afterIdentity(ctx, open.pending, devIdentity(name))
}

/** GET /callback?code&state from GitHub or the OIDC provider (RFC 6749 §4.1.2). */
export const callback = async (ctx: AuthContext): Promise<Response> => {
  const upstream = upstreamFor(ctx.config)
  if (upstream === null) return errorPage(404, 'Not found', 'This server signs people in itself.')
  const params = new URL(ctx.request.url).searchParams
  // BM-AUTH-15: a state we did not make (tampered, or for another server) stops here.
  const id = await pendingIdOf(ctx, params.get('state') ?? '')
  if (id === null) {
    signInFailed(ctx, 'the callback carried a state this server did not make')
    return errorPage(
      400,
      'Sign-in failed',
      'The sign-in provider sent back a state this server did not make. Go back to the app and connect again.',
    )
  }
  // RFC 9207 §2.4: an answer naming another issuer is a mix-up (another provider's code).
  const iss = params.get('iss')
  const expected = upstream.issuer(ctx.config)
  if (iss !== null && expected !== null && iss !== expected) {
    signInFailed(ctx, 'the callback named another issuer (RFC 9207 mix-up)')
    return errorPage(
      400,
      'Sign-in failed',
      'The answer came from a different sign-in provider than the one this server uses.',
    )
  }
  const open = await openPending(ctx, id)
  if (!open.ok) return open.response
  // RFC 6749 §4.1.2.1: the provider refused (the person said no, or something broke there).
  // The client hears access_denied at once (with state and iss) rather than waiting for a
  // sign-in that will not come; the page it lands on is the client's own.
  if (params.get('error') !== null) {
    signInFailed(
      ctx,
      'the sign-in provider refused or failed (error in the callback)',
      open.pending,
    )
    return denyAuthorization(ctx, open.pending, { seenConsent: false })
  }
  const { pending } = open
  const code = params.get('code')
  if (code === null || code === '' || pending.upstream === undefined) {
    signInFailed(ctx, 'the callback carried no code', pending)
    return errorPage(400, 'Sign-in failed', 'The sign-in provider sent back no code.')
  }
  let identity: Identity
  try {
    identity = await upstream.identity(ctx.config, ctx.outbound, {
      code,
      redirectUri: `${ctx.issuer}${AUTH_PATHS.callback}`,
      verifier: pending.upstream.verifier,
      ...(pending.upstream.nonce !== undefined ? { nonce: pending.upstream.nonce } : {}),
    })
  } catch (error) {
    return upstreamFailure(ctx, error)
  }
  return afterIdentity(ctx, pending, identity)
}
