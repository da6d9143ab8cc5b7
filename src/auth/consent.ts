// The consent page: the signed-in person decides whether this client may act for them, with
// these scopes. Server-rendered, no script (our CSP forbids it), works with any browser.
//
//   GET  /consent?request=<id>                   -> the page (the Pending must hold an identity,
//                                                   and the browser the cookie that started it)
//   POST /consent request=<id>&csrf=<token>&decision=approve|deny
//        approve -> consent remembered (client, user, resource, scopes) -> finishAuthorization()
//                   -> 302 <redirect_uri>?code=...&state=...&iss=...
//        deny    -> denyAuthorization() -> 302 <redirect_uri>?error=access_denied&...
//
// R-AU-15 · https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#client-id-metadata-documents
// The authorization server MUST show where the user will be sent (the redirect URI's host), so
// a client cannot borrow a trusted name: the host is shown prominently, and a loopback or
// custom-scheme redirect is called what it is, an app on this device.
// R-AU-12 · https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization#security-considerations
// Consent is kept per client: a dynamically registered client never rides on another client's
// approval. BM-AUTH-11: and per resource (RFC 8707): approving the read-only tools
// (/mcp/readonly) approves nothing wider, so the page says in words which tools the resource
// serves (from TOOL_PROFILES), and what is remembered is the client, the user, the resource
// and the scopes. BM-AUTH-28: the base scope is always listed; every token carries it.
// BM-AUTH-10: the form carries the CSRF token, checked against the cookie and the Pending in
// constant time; a mismatch is 403.

import * as v from 'valibot'
import { denyAuthorization, finishAuthorization } from './authorization-response.ts'
import { authStore } from './binding.ts'
import { clearCsrfCookie, formOf, sameBrowser, withCookie } from './csrf.ts'
import { allowFormRedirect } from './form-action.ts'
import { errorPage, escapeHtml, page } from './html.ts'
import type { Config } from '../settings/config.ts'
import type { AuthContext, Pending } from './types.ts'
import type { Identity } from './upstream/identity.ts'
import { isLoopbackHost } from './upstream/outbound.ts'
import { AUTH_PATHS, canonicalResource } from './urls.ts'
import { audit } from '../observe/audit.ts'

const EXPIRED =
  'This authorization request has expired or was already answered. Go back to the app and connect again.'

/** What a person should know about the scopes we define; others are shown by name. */
const scopeText = (scope: string, config: Config): string | undefined =>
  scope === config.AUTH_BASE_SCOPE
    ? "use this server's tools, resources and prompts"
    : scope === 'offline_access'
      ? 'stay connected while you are away (a refresh token)'
      : undefined

/**
 * Which tools a resource (one of ours, urls.ts `ourResource`) serves, in words: the whole
 * server and the MCP endpoint serve every tool; a profile the tools TOOL_PROFILES names.
 */
export const resourceInWords = (resource: string, issuer: string, config: Config): string => {
  const mcp = canonicalResource(issuer, config)
  if (resource === issuer) return 'every tool (the whole server)'
  if (resource === mcp || resource === `${issuer}/sse`) return 'every tool'
  const name = resource.slice(mcp.length + 1)
  const selectors = config.TOOL_PROFILES.find((profile) => profile.name === name)?.selectors ?? []
  const named = selectors.filter((selector) => selector !== '@readonly')
  const parts = [
    ...(selectors.includes('@readonly') ? ['read-only tools'] : []),
    ...(named.length > 0 ? [`the tools ${named.join(', ')}`] : []),
  ]
  return parts.length > 0 ? parts.join(' and ') : `the tools of the ${name} profile`
}

/** Where the redirect goes, in words, with its host (R-AU-15). */
export const redirectTarget = (redirectUri: string): { host: string; kind: string } => {
  let url: URL
  try {
    url = new URL(redirectUri)
  } catch {
    return { host: redirectUri, kind: 'an address this server could not read' }
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (isLoopbackHost(url.hostname)) {
      return {
        host: url.host,
        kind: 'an app on this computer (a loopback address, not a website)',
      }
    }
    return { host: url.host, kind: 'a website' }
  }
  return {
    host: url.protocol,
    kind: `an app installed on this device (it opens ${url.protocol} links)`,
  }
}

const who = (identity: Identity): string => {
  const name = identity.name ?? identity.subject
  const email = identity.email !== undefined ? ` &lt;${escapeHtml(identity.email)}&gt;` : ''
  return `<strong>${escapeHtml(name)}</strong>${email} <span class="muted">(${escapeHtml(identity.subject)})</span>`
}

const scopeList = (scopes: readonly string[], config: Config): string =>
  scopes.length === 0
    ? '<p>No specific permissions: it will only know that you signed in.</p>'
    : `<ul>${scopes
        .map((scope) => {
          const text = scopeText(scope, config)
          return `<li><code>${escapeHtml(scope)}</code>${text === undefined ? '' : `: ${escapeHtml(text)}`}</li>`
        })
        .join('')}</ul>`

/** The consent page for a signed-in Pending. */
const consentPage = (ctx: AuthContext, pending: Pending, identity: Identity): Response => {
  const target = redirectTarget(pending.redirectUri)
  const server = new URL(ctx.issuer).host
  const cimd = /^https:\/\//.test(pending.clientId)
    ? `<p class="muted">Described by <code>${escapeHtml(pending.clientId)}</code>.</p>`
    : '<p class="muted">The app chose this name itself; this server has not verified it.</p>'
  const response = page(
    `Allow ${pending.clientName}?`,
    `<h1>Allow <q>${escapeHtml(pending.clientName)}</q> to use ${escapeHtml(server)}?</h1>
${cimd}
<h2>Where you will be sent</h2>
<p>After you answer, your browser goes to <strong class="redirect-host">${escapeHtml(target.host)}</strong>, ${escapeHtml(target.kind)}.</p>
<p class="muted">Full address: <code>${escapeHtml(pending.redirectUri)}</code></p>
<h2>What it may do</h2>
<p>Use <strong class="resource">${escapeHtml(resourceInWords(pending.resource, ctx.issuer, ctx.config))}</strong> at <code>${escapeHtml(pending.resource)}</code>, with these permissions:</p>
${scopeList(pending.scopes, ctx.config)}
<h2>Who you are</h2>
<p>Signed in as ${who(identity)}.</p>
<form method="post" action="${AUTH_PATHS.consent}">
<input type="hidden" name="request" value="${escapeHtml(pending.id)}">
<input type="hidden" name="csrf" value="${escapeHtml(pending.csrf ?? '')}">
<div class="actions">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>
<p class="muted">Only approve apps you trust. You can approve again later; a denial tells the app no.</p>`,
  )
  // Approve and Deny both answer with a redirect to the client.
  return allowFormRedirect(response, pending.redirectUri)
}

/** The signed-in Pending `id` names, if this browser started it. */
const signedInPending = async (
  ctx: AuthContext,
  id: string,
  field?: string,
): Promise<
  { ok: true; pending: Pending; identity: Identity } | { ok: false; response: Response }
> => {
  const pending = id === '' ? null : await authStore(ctx.env).getPending(id)
  if (pending === null || pending.identity === undefined) {
    return { ok: false, response: errorPage(400, 'Request expired', EXPIRED) }
  }
  if (!(await sameBrowser(ctx.request, pending, field))) {
    return {
      ok: false,
      response: errorPage(
        403,
        'Request refused',
        'This page was not opened from the sign-in in this browser, so it cannot be answered here. Go back to the app and connect again.',
      ),
    }
  }
  return { ok: true, pending, identity: pending.identity }
}

const ConsentForm = v.object({
  request: v.string(),
  csrf: v.string(),
  decision: v.picklist(['approve', 'deny']),
})

/** GET /consent shows the page; POST /consent records the person's answer. */
export const consent = async (ctx: AuthContext): Promise<Response> => {
  if (ctx.request.method === 'GET') {
    const id = new URL(ctx.request.url).searchParams.get('request') ?? ''
    const found = await signedInPending(ctx, id)
    return found.ok ? consentPage(ctx, found.pending, found.identity) : found.response
  }
  const form = v.safeParse(ConsentForm, Object.fromEntries(await formOf(ctx.request)))
  if (!form.success) {
    return errorPage(
      400,
      'Bad request',
      'The form must carry request, csrf and decision (approve or deny).',
    )
  }
  const found = await signedInPending(ctx, form.output.request, form.output.csrf)
  if (!found.ok) return found.response
  const { pending, identity } = found
  const approved = form.output.decision === 'approve'
  // BM-AUDIT-1: consent given or refused.
  audit(ctx.env, ctx.request, {
    name: 'auth.consent',
    outcome: approved ? 'success' : 'failure',
    subject: identity.subject,
    client: pending.clientId,
    clientName: pending.clientName,
    scopes: pending.scopes,
    reason: approved ? 'approved on the consent page' : 'denied on the consent page',
  })
  let response: Response
  if (approved) {
    // Remember what was approved, adding to earlier approvals for this client and resource.
    const store = authStore(ctx.env)
    const earlier =
      (await store.getConsent(pending.clientId, identity.subject, pending.resource)) ?? []
    await store.putConsent(pending.clientId, identity.subject, pending.resource, [
      ...new Set([...earlier, ...pending.scopes]),
    ])
    response = await finishAuthorization(ctx, pending, identity, pending.scopes)
  } else {
    // The person saw where the answer goes: it goes there (BM-AUTH-27).
    response = await denyAuthorization(ctx, pending, { seenConsent: true })
  }
  return withCookie(response, clearCsrfCookie(ctx.issuer))
}
