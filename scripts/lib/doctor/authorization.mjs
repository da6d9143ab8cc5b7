// The authorization chain every client walks when the endpoint answers 401 (CLIENTS.md C4, C6;
// MCP authorization, RFC 9728, RFC 8414, RFC 7591, RFC 8707, OAuth 2.1 PKCE):
//
//   POST /mcp -> 401 WWW-Authenticate: Bearer resource_metadata="…"
//   GET  protected resource metadata -> {resource, authorization_servers}
//   GET  authorization server metadata -> S256, registration_endpoint and/or CIMD
//   POST registration_endpoint (mcp-remote: a loopback redirect; ChatGPT, claude.ai: theirs)
//   GET  authorization_endpoint?...&code_challenge_method=S256&resource=… -> a sign-in page
//
// The doctor registers two clients named "MCP doctor (test registration)" to do it, as a client
// would. A person has to sign in for the rest, so it stops at the sign-in page.

import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import { addSection } from './report.mjs'
import { canonical, isLoopback } from './context.mjs'
import { shape } from './probe.mjs'

/** mcp-remote's default callback (C6): a loopback redirect, any port. */
const LOOPBACK_REDIRECT = 'http://127.0.0.1:3334/oauth/callback'
/** The callbacks ChatGPT and claude.ai register (C4.5, C6). */
const HOSTED_REDIRECTS = [
  'https://chatgpt.com/connector_platform_oauth_redirect',
  'https://claude.ai/api/mcp/auth_callback',
]
const CLIENT_NAME = 'MCP doctor (test registration)'
const PROBE_HOST = 'doctor-probe.invalid'

/** Clients whose verdict a broken chain decides. */
export const NEEDS_AUTHORIZATION = ['ChatGPT', 'Deep research', 'Claude', 'Inspector']

/** `Bearer a="b", c="d"` -> {scheme: 'bearer', a: 'b', c: 'd'} (RFC 9110 §11.6.1, simply). */
export const parseChallenge = (header) => {
  if (header === null) return null
  const scheme = /^\s*([A-Za-z][\w-]*)/.exec(header)?.[1]
  if (scheme === undefined) return null
  const params = { scheme: scheme.toLowerCase() }
  for (const match of header.matchAll(
    /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g,
  )) {
    params[match[1].toLowerCase()] = match[2] ?? match[3]
  }
  return params
}

const json = (answer) => {
  try {
    return JSON.parse(answer.text)
  } catch {
    return null
  }
}

const base64url = (bytes) => Buffer.from(bytes).toString('base64url')

/**
 * Walks the chain after a 401 (or, with --token, after provoking one). Returns nothing; every
 * step is a line in its section.
 */
export const checkAuthorization = async (ctx) => {
  let challenge = ctx.challenge
  if (challenge === null) {
    // With --token the first request passed; see whether the endpoint wants a token at all.
    const bare = await ctx.post(
      { jsonrpc: '2.0', id: 'doctor-auth', method: 'ping' },
      { auth: false },
    )
    if (!bare.ok || bare.status !== 401) return
    challenge = bare
    ctx.authRequired = true
  }
  const s = addSection(ctx.report, 'Authorization (401, metadata, registration, sign-in)')
  s.section.blocks = NEEDS_AUTHORIZATION
  s.section.signIn = true
  const endpoint = new URL(ctx.endpoint)
  const local = isLoopback(endpoint.hostname)

  // 1. The challenge.
  const header = challenge.headers.get('www-authenticate')
  const params = parseChallenge(header)
  if (params === null || params.scheme !== 'bearer') {
    s.fail(
      `401 without a Bearer WWW-Authenticate header${header ? ` (${header})` : ''}: ChatGPT will not start OAuth without it`,
      {
        fix: 'Answer 401 with WWW-Authenticate: Bearer resource_metadata="<protected resource metadata URL>", scope="…"',
      },
    )
    return
  }
  if (params.resource_metadata === undefined) {
    s.warn('The 401 challenge has no resource_metadata: clients must guess the metadata URL', {
      fix: 'Add resource_metadata="<origin>/.well-known/oauth-protected-resource<path>" to the challenge',
    })
  } else {
    s.ok(`401 WWW-Authenticate: Bearer, resource_metadata and scope "${params.scope ?? ''}"`)
  }

  // 2. Protected resource metadata (RFC 9728).
  const prmUrls = [
    params.resource_metadata,
    `${endpoint.origin}/.well-known/oauth-protected-resource${endpoint.pathname.replace(/\/+$/, '')}`,
    `${endpoint.origin}/.well-known/oauth-protected-resource`,
  ].filter((url) => url !== undefined)
  let prm = null
  let prmUrl = null
  for (const url of prmUrls) {
    const answer = await ctx.request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
    })
    prm = answer.ok && answer.status === 200 ? json(answer) : null
    if (prm !== null) {
      prmUrl = url
      s.ok(`Protected resource metadata at ${new URL(url).pathname}`, { ms: answer.ms })
      break
    }
  }
  if (prm === null) {
    s.fail(
      `No protected resource metadata (tried ${prmUrls.map((url) => new URL(url).pathname).join(', ')})`,
      {
        fix: 'Serve RFC 9728 metadata {resource, authorization_servers} at the URL the challenge names',
      },
    )
    return
  }
  if (typeof prm.resource !== 'string') {
    s.fail('The protected resource metadata has no "resource"', {
      fix: 'Add "resource": the MCP endpoint URL',
    })
    return
  }
  if (canonical(prm.resource) !== canonical(ctx.endpoint)) {
    s.fail(
      `The metadata says the resource is ${prm.resource}, but clients connect to ${ctx.endpoint}: tokens bound to one fail at the other`,
      {
        fix: `Set PUBLIC_URL to ${endpoint.origin} (the origin clients use), or give clients ${prm.resource}`,
      },
    )
  } else {
    s.ok(
      `resource ${prm.resource} is this endpoint (clients send it as RFC 8707 resource; tokens are bound to it)`,
    )
  }
  await probePublicUrl(ctx, s, prmUrl)
  const issuer = prm.authorization_servers?.[0]
  if (typeof issuer !== 'string') {
    s.fail('The protected resource metadata names no authorization_servers', {
      fix: 'Add "authorization_servers": ["<issuer>"]',
    })
    return
  }

  // 3. Authorization server metadata (RFC 8414; OIDC discovery as a fallback).
  const issuerUrl = new URL(issuer)
  const path = issuerUrl.pathname.replace(/\/+$/, '')
  const asUrls = [
    `${issuerUrl.origin}/.well-known/oauth-authorization-server${path}`,
    `${issuerUrl.origin}/.well-known/openid-configuration${path}`,
    ...(path ? [`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`] : []),
  ]
  let meta = null
  for (const url of asUrls) {
    const answer = await ctx.request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
    })
    meta = answer.ok && answer.status === 200 ? json(answer) : null
    if (meta !== null) {
      s.ok(`Authorization server metadata at ${url}`, { ms: answer.ms })
      break
    }
  }
  if (meta === null) {
    s.fail(`No authorization server metadata for ${issuer}`, {
      fix: 'Serve RFC 8414 metadata at /.well-known/oauth-authorization-server (or OIDC discovery)',
    })
    return
  }
  if (meta.issuer !== issuer) {
    s.fail(`The metadata's issuer is ${meta.issuer}, not ${issuer} as the resource metadata says`, {
      fix: 'Make them equal (bare-mcp: PUBLIC_URL)',
    })
  }
  const methods = meta.code_challenge_methods_supported ?? []
  if (!methods.includes('S256')) {
    s.fail('code_challenge_methods_supported lacks S256: ChatGPT refuses such a server outright', {
      fix: 'Support PKCE with S256 and say so in the metadata',
    })
  } else {
    s.ok('PKCE S256 advertised')
  }
  for (const name of ['authorization_endpoint', 'token_endpoint']) {
    const url = meta[name]
    if (typeof url !== 'string') {
      s.fail(`The metadata has no ${name}`, { fix: `Add ${name}` })
    } else if (
      new URL(url).protocol !== 'https:' &&
      !(local && isLoopback(new URL(url).hostname))
    ) {
      s.fail(`${name} is not https (${url})`, { fix: 'Serve the authorization server over https' })
    }
  }
  const dcr = typeof meta.registration_endpoint === 'string'
  const cimd = meta.client_id_metadata_document_supported === true
  if (!dcr && !cimd) {
    s.fail(
      'Neither a registration_endpoint (DCR) nor client_id_metadata_document_supported: clients cannot get a client id',
      {
        fix: 'Offer Dynamic Client Registration (mcp-remote, claude.ai) and/or Client ID Metadata Documents (ChatGPT prefers them)',
      },
    )
    return
  }
  s.ok(
    `Clients identify themselves by ${[dcr && 'registration (DCR)', cimd && 'Client ID Metadata Document'].filter(Boolean).join(' and ')}`,
  )
  if (!(meta.token_endpoint_auth_methods_supported ?? ['client_secret_basic']).includes('none')) {
    s.warn(
      'token_endpoint_auth_methods_supported lacks "none": public clients such as mcp-remote have no secret',
      {
        fix: 'Accept public clients (none) with PKCE',
      },
    )
  }
  if (!dcr) {
    s.info('No DCR: mcp-remote and claude.ai need it unless they are given a client id')
    return
  }

  // 4. Registration, as mcp-remote (loopback) and as ChatGPT and claude.ai (their callbacks).
  const registered = await register(
    ctx,
    s,
    meta.registration_endpoint,
    [LOOPBACK_REDIRECT],
    'mcp-remote (a loopback redirect)',
  )
  await register(
    ctx,
    s,
    meta.registration_endpoint,
    HOSTED_REDIRECTS,
    'ChatGPT and claude.ai (their callbacks)',
  )
  if (registered === null || typeof meta.authorization_endpoint !== 'string') return

  // 5. The authorization request with PKCE S256 and resource, as every client sends it.
  const verifier = base64url(randomBytes(32))
  const query = {
    response_type: 'code',
    client_id: registered,
    redirect_uri: LOOPBACK_REDIRECT,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state: base64url(randomBytes(12)),
    resource: prm.resource,
    ...(params.scope ? { scope: params.scope } : {}),
  }
  const authorize = await ctx.request(
    `${meta.authorization_endpoint}?${new URLSearchParams(query)}`,
    {
      method: 'GET',
      headers: { accept: 'text/html' },
    },
  )
  const refusal = authorizationRefusal(authorize, LOOPBACK_REDIRECT)
  if (refusal !== null) {
    s.fail(`The authorization request (PKCE S256, resource): ${refusal}`, {
      fix: 'Accept code + S256 + resource from a registered client, and show the sign-in page',
      ms: authorize.ms,
    })
  } else {
    s.ok(
      `The authorization request (PKCE S256, resource) leads to sign-in: ${shape(authorize)}${authorize.headers?.get('location') ? ` to ${new URL(authorize.headers.get('location'), meta.authorization_endpoint).pathname}` : ''}`,
      {
        ms: authorize.ms,
      },
    )
  }
  const { code_challenge: _, code_challenge_method: __, ...plain } = query
  const noPkce = await ctx.request(`${meta.authorization_endpoint}?${new URLSearchParams(plain)}`, {
    method: 'GET',
    headers: { accept: 'text/html' },
  })
  if (authorizationRefusal(noPkce, LOOPBACK_REDIRECT) === null) {
    s.warn(
      'The same request without code_challenge is accepted too: OAuth 2.1 and MCP require PKCE',
      {
        fix: 'Refuse authorization requests without code_challenge (invalid_request)',
      },
    )
  } else {
    s.ok('Without code_challenge it is refused (PKCE required)')
  }
  s.info(
    'The rest (sign-in, consent, the code for a token) needs a person; run with --token to check as a signed-in client',
  )
}

/** Registers one client; its id, or null (a failure is reported). */
const register = async (ctx, s, url, redirectUris, who) => {
  const answer = await ctx.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: {
      client_name: CLIENT_NAME,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
  })
  const body = answer.ok ? json(answer) : null
  if (
    answer.ok &&
    (answer.status === 201 || answer.status === 200) &&
    typeof body?.client_id === 'string'
  ) {
    s.ok(`Registration as ${who}: ${answer.status}`, { ms: answer.ms })
    return body.client_id
  }
  s.fail(
    `Registration as ${who}: ${answer.ok ? shape(answer) : answer.problem}${body?.error ? `, ${body.error}: ${body.error_description ?? ''}` : ''}`,
    {
      fix:
        body?.error === 'invalid_redirect_uri'
          ? `Allow ${redirectUris.join(' and ')} (bare-mcp: AUTH_REDIRECT_URIS; loopback is always allowed)`
          : 'Accept RFC 7591 registrations of public clients (token_endpoint_auth_method none)',
      ms: answer.ms,
    },
  )
  return null
}

/** Why an authorization request was refused, or null when it went on to sign-in. */
const authorizationRefusal = (answer, redirectUri) => {
  if (!answer.ok) return answer.problem
  const location = answer.headers.get('location')
  if (answer.status >= 300 && answer.status < 400 && location !== null) {
    const to = new URL(location, 'http://x.invalid')
    if (location.startsWith(redirectUri) && to.searchParams.has('error')) {
      return `sent back with error=${to.searchParams.get('error')} (${to.searchParams.get('error_description') ?? ''})`
    }
    return null
  }
  if (answer.status === 200) return null
  const body = json(answer)
  return `${shape(answer)}${body?.error ? `, ${body.error}: ${body.error_description ?? ''}` : ''}`
}

/**
 * Whether the issuer follows the request's Host (PUBLIC_URL unset in bare-mcp): the metadata is
 * fetched again with another Host header. Behind Cloudflare such a request is refused, and the
 * probe says nothing.
 */
const probePublicUrl = async (ctx, s, prmUrl) => {
  const url = new URL(prmUrl)
  const answer = await new Promise((resolve) => {
    const transport = url.protocol === 'https:' ? https : http
    const request = transport.request(
      url,
      {
        method: 'GET',
        headers: { host: PROBE_HOST, accept: 'application/json' },
        servername: url.hostname,
        timeout: Math.min(ctx.timeoutMs, 5_000),
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode, text }))
        response.on('error', () => resolve(null))
      },
    )
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolve(null))
    request.end()
  })
  if (answer?.status !== 200 || !answer.text.includes(PROBE_HOST)) return
  s.warn('The issuer and resource follow the Host header of each request (PUBLIC_URL is not set)', {
    detail: `Asked with Host: ${PROBE_HOST}, the metadata named http://${PROBE_HOST} as the resource's origin. A token minted through one hostname (workers.dev) then fails at another (your domain).`,
    fix: `Set PUBLIC_URL to ${new URL(ctx.endpoint).origin} (wrangler.toml [vars] of the environment)`,
  })
}
