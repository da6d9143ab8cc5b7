// Playing the person at the browser, for scripts (the authorization conformance run, the
// bench): the dev sign-in form and the consent page of a server with AUTH=true and
// AUTH_PROVIDER=dev, over plain HTTP with a cookie jar. test/node/oauth-driver.ts is the
// tests' fuller version of the same.

import { createHash, randomBytes } from 'node:crypto'

/** A cookie-carrying fetch that follows nothing by itself (every hop is ours to see). */
const browser = () => {
  const jar = new Map()
  return async (url, init = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) },
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair.indexOf('=')
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim())
    }
    return response
  }
}

/** The first form on a page: its action and every named input's value. */
const formOf = (html, pageUrl) => {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (!form) throw new Error(`no form on ${pageUrl}`)
  const fields = {}
  for (const input of form[2].matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1]
    if (name) fields[name] = /value="([^"]*)"/.exec(input[0])?.[1] ?? ''
  }
  return { action: new URL(form[1].replace(/&amp;/g, '&'), pageUrl).href, fields }
}

/** Plays the person from `url` (our /authorize) until a redirect leaves for `stopAt`. */
export const consent = async (url, stopAt, name = 'conformance') => {
  const fetchAs = browser()
  let response = await fetchAs(url)
  let at = url
  for (let hop = 0; hop < 12; hop++) {
    const location = response.headers.get('location')
    if (location) {
      const next = new URL(location, at).href
      if (next.startsWith(stopAt)) return next
      at = next
      response = await fetchAs(next)
      continue
    }
    const html = await response.text()
    const { action, fields } = formOf(html, at)
    const path = new URL(at).pathname
    const values = path === '/signin' ? { ...fields, name } : { ...fields, decision: 'approve' }
    response = await fetchAs(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(values).toString(),
    })
    at = action
  }
  throw new Error(`the flow from ${url} did not reach ${stopAt}`)
}

/**
 * A token for `base` (a server with AUTH=true, AUTH_PROVIDER=dev), the way a client gets one:
 * DCR with a loopback redirect URI, /authorize with PKCE, sign-in and consent, /token.
 */
export const signIn = async (base, name = 'bench') => {
  const redirectUri = 'http://127.0.0.1:9/callback'
  const registered = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'bare-mcp script', redirect_uris: [redirectUri] }),
  })
  if (registered.status !== 201)
    throw new Error(`DCR: ${registered.status} ${await registered.text()}`)
  const { client_id: clientId } = await registered.json()
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const authorize = new URL(`${base}/authorize`)
  for (const [key, value] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'script',
  }))
    authorize.searchParams.set(key, value)
  const back = new URL(await consent(authorize.href, redirectUri, name))
  const code = back.searchParams.get('code')
  if (code === null) throw new Error(`no code: ${back.href}`)
  const token = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: clientId,
    }).toString(),
  })
  if (token.status !== 200) throw new Error(`token: ${token.status} ${await token.text()}`)
  return token.json()
}
