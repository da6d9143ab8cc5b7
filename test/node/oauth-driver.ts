// Drives the authorization server's browser flow over plain HTTP, the way a person's browser and
// an MCP client do, for the end-to-end tests (auth-upstream, the authorization-server tests).
//
//   const client = await registerClient(base)                       // POST /register (RFC 7591)
//   const flow = await authorizeFlow(base, client, { name: 'ada' })  // /authorize -> sign-in ->
//                                                                    // consent -> redirect_uri
//   flow.code, flow.iss, flow.state                                  // what the client received
//   const tokens = await exchangeCode(base, client, flow)            // POST /token
//
// The "browser" is a cookie jar plus fetch with redirects followed by hand (so every hop is
// visible and the jar sees every Set-Cookie). It stops at the client's redirect URI, which need
// not be listening: the client only reads the query there.
//
// HTTP contract (src/auth/signin.ts, consent.ts):
//   GET  /authorize ...                -> 302 /signin?request=<id> (dev) or the upstream
//                                         authorize URL; sets cookie bare_mcp_csrf
//   GET  /signin?request=<id>          -> form: hidden request, csrf; text input name
//   POST /signin  request, csrf, name  -> 302 /consent?request=<id>, or the redirect URI when
//                                         consent is remembered
//   GET  /callback?code&state          -> the same, after an upstream sign-in
//   GET  /consent?request=<id>         -> form: hidden request, csrf; buttons decision=approve|deny
//   POST /consent request, csrf, decision -> 302 redirect_uri?code&state&iss (or error=access_denied)

import { createHash, randomBytes } from 'node:crypto'

/** A cookie jar keyed by host name (browsers do not separate cookies by port). */
export interface Browser {
  jar: Map<string, Map<string, string>>
  /** One request with this browser's cookies; stores what Set-Cookie says. Never follows. */
  fetch(url: string, init?: RequestInit): Promise<Response>
}

/** A fresh browser with no cookies. */
export const newBrowser = (): Browser => {
  const jar = new Map<string, Map<string, string>>()
  const cookiesOf = (host: string) => {
    let cookies = jar.get(host)
    if (cookies === undefined) jar.set(host, (cookies = new Map()))
    return cookies
  }
  return {
    jar,
    async fetch(url, init = {}) {
      const { hostname } = new URL(url)
      const cookies = cookiesOf(hostname)
      const headers = new Headers(init.headers)
      if (cookies.size > 0) {
        headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '))
      }
      const response = await fetch(url, { ...init, headers, redirect: 'manual' })
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';')
        const eq = pair.indexOf('=')
        if (eq < 1) continue
        const name = pair.slice(0, eq).trim()
        const value = pair.slice(eq + 1).trim()
        const expired = attributes.some((attribute) => {
          const [key = '', val = ''] = attribute.trim().split('=')
          return (
            (key.toLowerCase() === 'max-age' && Number(val) <= 0) ||
            (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now())
          )
        })
        if (expired || value === '') cookies.delete(name)
        else cookies.set(name, value)
      }
      return response
    },
  }
}

/** The value of one cookie the browser holds for `url`'s host. */
export const cookieOf = (browser: Browser, url: string, name: string): string | undefined =>
  browser.jar.get(new URL(url).hostname)?.get(name)

/** RFC 7636: a random verifier and its S256 challenge. */
export const pkce = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  return { verifier, challenge }
}

/** A registered client (public unless registered otherwise). */
export interface RegisteredClient {
  clientId: string
  clientSecret?: string
  clientName: string
  redirectUri: string
  /** The registration response, as sent. */
  registration: Record<string, unknown>
}

/** A loopback redirect URI on a port nobody listens on (RFC 8252 §7.3): enough for the flow. */
export const loopbackRedirect = (port = 9, path = '/oauth/callback'): string =>
  `http://127.0.0.1:${port}${path}`

/**
 * RFC 7591: registers a client at `${base}/register` (public, `none`, native, loopback redirect
 * unless `metadata` says otherwise). Throws with the server's answer when it is not 201.
 */
export const registerClient = async (
  base: string,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> => {
  const body = {
    client_name: 'Driver Test Client',
    redirect_uris: [loopbackRedirect()],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    application_type: 'native',
    ...metadata,
  }
  const response = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (response.status !== 201) {
    throw new Error(`POST /register answered ${response.status}: ${text.slice(0, 500)}`)
  }
  const registration = JSON.parse(text) as Record<string, unknown>
  const redirectUris = registration.redirect_uris
  return {
    clientId: String(registration.client_id),
    ...(typeof registration.client_secret === 'string'
      ? { clientSecret: registration.client_secret }
      : {}),
    clientName: String(registration.client_name ?? body.client_name),
    redirectUri: Array.isArray(redirectUris) ? String(redirectUris[0]) : body.redirect_uris[0]!,
    registration,
  }
}

/** The parameters of one authorization request. */
export interface AuthorizeParams {
  clientId: string
  redirectUri: string
  challenge: string
  state?: string
  scope?: string
  /** RFC 8707; default `${base}/mcp`. Pass null to leave it out. */
  resource?: string | null
  /** Extra or overriding query parameters. */
  extra?: Record<string, string>
}

/** The /authorize URL for `params`. */
export const authorizeUrl = (base: string, params: AuthorizeParams): string => {
  const url = new URL(`${base}/authorize`)
  const query: Record<string, string> = {
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    code_challenge: params.challenge,
    code_challenge_method: 'S256',
    ...(params.state !== undefined ? { state: params.state } : {}),
    ...(params.scope !== undefined ? { scope: params.scope } : {}),
    ...(params.resource === null ? {} : { resource: params.resource ?? `${base}/mcp` }),
    ...params.extra,
  }
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
  return url.href
}

/** One hop of a flow, for assertions and failure messages. */
export interface Hop {
  method: string
  url: string
  status: number
  location: string | null
}

/** An HTML form found on a page: where it posts and its fields (hidden and visible inputs). */
export interface HtmlForm {
  method: string
  action: string
  fields: Record<string, string>
  /** Submit buttons: name -> values offered. */
  buttons: Record<string, string[]>
}

const unescapeHtml = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

const attributesOf = (tag: string): Record<string, string> => {
  const attributes: Record<string, string> = {}
  for (const match of tag.matchAll(
    /([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g,
  )) {
    const name = match[1]!.toLowerCase()
    attributes[name] = unescapeHtml(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return attributes
}

/** The forms on an HTML page, in order; `action` resolved against `pageUrl`. */
export const formsOf = (html: string, pageUrl: string): HtmlForm[] =>
  [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((match) => {
    const form = attributesOf(match[1] ?? '')
    const inner = match[2] ?? ''
    const fields: Record<string, string> = {}
    const buttons: Record<string, string[]> = {}
    for (const input of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const attributes = attributesOf(input[1] ?? '')
      if (attributes.name === undefined) continue
      if (attributes.type === 'submit') {
        ;(buttons[attributes.name] ??= []).push(attributes.value ?? '')
      } else {
        fields[attributes.name] = attributes.value ?? ''
      }
    }
    for (const button of inner.matchAll(/<button\b([^>]*)>/gi)) {
      const attributes = attributesOf(button[1] ?? '')
      if (attributes.name !== undefined) {
        ;(buttons[attributes.name] ??= []).push(attributes.value ?? '')
      }
    }
    return {
      method: (form.method ?? 'get').toUpperCase(),
      action: new URL(form.action ?? pageUrl, pageUrl).href,
      fields,
      buttons,
    }
  })

/** Submits `form` with `values` added to (or replacing) its fields. */
export const submitForm = (
  browser: Browser,
  form: HtmlForm,
  values: Record<string, string> = {},
): Promise<Response> => {
  const body = new URLSearchParams({ ...form.fields, ...values })
  if (form.method === 'GET') {
    const url = new URL(form.action)
    for (const [name, value] of body) url.searchParams.set(name, value)
    return browser.fetch(url.href)
  }
  return browser.fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  })
}

/** What a page handler sees: the page's URL, status and HTML. */
export interface Page {
  url: string
  status: number
  html: string
}

/**
 * Decides what to do on an HTML page the flow reached: a Response (the next hop, e.g. a
 * submitted form), or null to stop there.
 */
export type PageHandler = (page: Page, browser: Browser) => Promise<Response | null>

/** How a flow ended. */
export interface FlowResult {
  hops: Hop[]
  /** The redirect URI the flow reached, with its query (undefined if it stopped on a page). */
  redirect?: URL
  code?: string
  state?: string
  iss?: string
  error?: string
  errorDescription?: string
  /** The page the flow stopped on when a handler returned null or it was not HTML. */
  page?: Page
}

/**
 * Follows `first` (a response already fetched at `url`) through redirects and pages until a
 * Location starts with `stopAt` (the client's redirect URI), or a page handler stops.
 */
export const follow = async (
  browser: Browser,
  url: string,
  first: Response,
  stopAt: string,
  onPage: PageHandler,
  maxHops = 20,
): Promise<FlowResult> => {
  const hops: Hop[] = []
  let response = first
  let at = url
  let method = 'GET'
  for (let i = 0; i < maxHops; i += 1) {
    const location = response.headers.get('location')
    hops.push({ method, url: at, status: response.status, location })
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel()
      const next = new URL(location, at).href
      if (next.startsWith(stopAt)) {
        const redirect = new URL(next)
        const param = (name: string) => redirect.searchParams.get(name) ?? undefined
        const result: FlowResult = { hops, redirect }
        for (const [key, name] of [
          ['code', 'code'],
          ['state', 'state'],
          ['iss', 'iss'],
          ['error', 'error'],
          ['errorDescription', 'error_description'],
        ] as const) {
          const value = param(name)
          if (value !== undefined) result[key] = value
        }
        return result
      }
      at = next
      method = 'GET'
      response = await browser.fetch(next)
      continue
    }
    const page: Page = { url: at, status: response.status, html: await response.text() }
    const nextResponse = (response.headers.get('content-type') ?? '').includes('text/html')
      ? await onPage(page, browser)
      : null
    if (nextResponse === null) return { hops, page }
    // A submitted form: the handler fetched it; we only know it was a POST (or GET) somewhere.
    method = 'FORM'
    at = nextResponse.url !== '' ? nextResponse.url : at
    response = nextResponse
  }
  throw new Error(`too many hops:\n${hops.map((h) => JSON.stringify(h)).join('\n')}`)
}

/** Options of `authorizeFlow`. */
export interface FlowOptions {
  /** Name typed on the dev sign-in form (AUTH_PROVIDER=dev). Default "ada". */
  name?: string
  /** What to press on our consent page. Default "approve"; "stop" stops on the page. */
  decision?: 'approve' | 'deny' | 'stop'
  scope?: string
  state?: string
  resource?: string | null
  extra?: Record<string, string>
  /** Reuse a browser (its cookies); default a fresh one. */
  browser?: Browser
  /** PKCE pair; default a fresh one. */
  pkce?: { verifier: string; challenge: string }
  /** Handles pages that are not ours (an upstream's sign-in), before ours are tried. */
  onPage?: PageHandler
}

/** The result of a whole flow, with what the token request needs. */
export interface AuthorizeFlow extends FlowResult {
  browser: Browser
  verifier: string
  redirectUri: string
}

/** Our own pages: fills the dev sign-in form and presses a consent button. */
export const ourPages =
  (base: string, options: Pick<FlowOptions, 'name' | 'decision'>): PageHandler =>
  async (page, browser) => {
    const path = new URL(page.url).pathname
    if (!page.url.startsWith(base) || page.status !== 200) return null
    const form = formsOf(page.html, page.url)[0]
    if (form === undefined) return null
    if (path === '/signin') return submitForm(browser, form, { name: options.name ?? 'ada' })
    if (path === '/consent') {
      const decision = options.decision ?? 'approve'
      if (decision === 'stop') return null
      return submitForm(browser, form, { decision })
    }
    return null
  }

/**
 * Runs the authorization code flow for `client` from GET /authorize to the client's redirect
 * URI: signs in (dev form, or `onPage` for an upstream) and answers the consent page.
 */
export const authorizeFlow = async (
  base: string,
  client: Pick<RegisteredClient, 'clientId' | 'redirectUri'>,
  options: FlowOptions = {},
): Promise<AuthorizeFlow> => {
  const browser = options.browser ?? newBrowser()
  const pair = options.pkce ?? pkce()
  const url = authorizeUrl(base, {
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    challenge: pair.challenge,
    state: options.state ?? randomBytes(8).toString('hex'),
    ...(options.scope !== undefined ? { scope: options.scope } : {}),
    ...(options.resource !== undefined ? { resource: options.resource } : {}),
    ...(options.extra !== undefined ? { extra: options.extra } : {}),
  })
  const ours = ourPages(base, options)
  const onPage: PageHandler = async (page, b) =>
    (await options.onPage?.(page, b)) ?? (await ours(page, b))
  const result = await follow(browser, url, await browser.fetch(url), client.redirectUri, onPage)
  return { ...result, browser, verifier: pair.verifier, redirectUri: client.redirectUri }
}

/** POST /token with grant_type=authorization_code; the status and parsed JSON body. */
export const exchangeCode = async (
  base: string,
  client: Pick<RegisteredClient, 'clientId' | 'clientSecret'>,
  flow: { code?: string; verifier: string; redirectUri: string },
  resource: string | null = `${base}/mcp`,
): Promise<{ status: number; body: Record<string, unknown> }> => {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: flow.code ?? '',
    redirect_uri: flow.redirectUri,
    code_verifier: flow.verifier,
    client_id: client.clientId,
    ...(resource === null ? {} : { resource }),
  })
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  }
  if (client.clientSecret !== undefined) {
    headers.authorization = `Basic ${Buffer.from(
      `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
    ).toString('base64')}`
  }
  const response = await fetch(`${base}/token`, { method: 'POST', headers, body: form })
  const text = await response.text()
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    body = { raw: text }
  }
  return { status: response.status, body }
}

/** Failure text for a flow: its hops and, if it stopped on a page, the page's text. */
export const describeFlow = (flow: FlowResult): string =>
  [
    ...flow.hops.map((hop) => `${hop.method} ${hop.url} -> ${hop.status} ${hop.location ?? ''}`),
    ...(flow.page === undefined
      ? []
      : [`page ${flow.page.status} ${flow.page.url}:`, flow.page.html.replace(/<[^>]+>/g, ' ')]),
  ].join('\n')
