// Signing in with GitHub (AUTH_PROVIDER=github): we are an OAuth App's client, with PKCE.
// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
//
//   browser -> GET {GITHUB_URL}/login/oauth/authorize?client_id&redirect_uri&scope&state
//                  &code_challenge&code_challenge_method=S256
//   GitHub  -> GET {issuer}/callback?code&state
//   we      -> POST {GITHUB_URL}/login/oauth/access_token  (Accept: application/json)
//              client_id, client_secret, code, redirect_uri, code_verifier
//              <- {"access_token":"gho_...","token_type":"bearer","scope":"read:user,user:email"}
//   we      -> GET {GITHUB_API_URL}/user  (Authorization: Bearer, User-Agent required)
//              <- {"id":1,"login":"octocat","name":"The Octocat","email":null}
//
// R-AU-10: the GitHub token proves who signed in, once; it is then dropped. It is never stored,
// never put in our tokens, never handed to tools.

import * as v from 'valibot'
import type { Config } from '../../settings/config.ts'
import type { Outbound } from './outbound.ts'
import { fetchJson, upstreamUrl, UpstreamError } from './fetch.ts'
import type { Identity, SignInStart, UpstreamCallback } from './identity.ts'

/** GitHub's scopes: the profile and the email addresses. */
const SCOPE = 'read:user user:email'

const TokenSchema = v.object({
  access_token: v.pipe(v.string(), v.minLength(1)),
  token_type: v.optional(v.string()),
})

const UserSchema = v.object({
  id: v.pipe(v.number(), v.integer()),
  login: v.pipe(v.string(), v.minLength(1)),
  email: v.optional(v.nullable(v.string())),
})

const base = (value: string): string => value.replace(/\/+$/, '')

const configured = (config: Config): void => {
  if (config.GITHUB_CLIENT_ID === '' || config.GITHUB_CLIENT_SECRET === '') {
    throw new UpstreamError('GitHub sign-in needs GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET')
  }
}

/** The GitHub authorize URL to send the browser to. */
export const githubAuthorizeUrl = async (
  config: Config,
  outbound: Outbound,
  start: SignInStart,
): Promise<string> => {
  configured(config)
  const url = upstreamUrl(
    outbound,
    `${base(config.GITHUB_URL)}/login/oauth/authorize`,
    'GitHub authorize URL',
  )
  url.searchParams.set('client_id', config.GITHUB_CLIENT_ID)
  url.searchParams.set('redirect_uri', start.redirectUri)
  url.searchParams.set('scope', SCOPE)
  url.searchParams.set('state', start.state)
  url.searchParams.set('code_challenge', start.codeChallenge)
  url.searchParams.set('code_challenge_method', 'S256')
  url.searchParams.set('allow_signup', 'false')
  return url.href
}

/** Exchanges GitHub's code for a token, reads the user, forgets the token. */
export const githubIdentity = async (
  config: Config,
  outbound: Outbound,
  callback: UpstreamCallback,
): Promise<Identity> => {
  configured(config)
  const token = await fetchJson(
    config,
    outbound,
    `${base(config.GITHUB_URL)}/login/oauth/access_token`,
    {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': 'bare-mcp',
      },
      body: new URLSearchParams({
        client_id: config.GITHUB_CLIENT_ID,
        client_secret: config.GITHUB_CLIENT_SECRET,
        code: callback.code,
        redirect_uri: callback.redirectUri,
        code_verifier: callback.verifier,
      }),
    },
    TokenSchema,
    'GitHub token endpoint',
  )
  const user = await fetchJson(
    config,
    outbound,
    `${base(config.GITHUB_API_URL)}/user`,
    {
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${token.access_token}`,
        'User-Agent': 'bare-mcp',
        'X-GitHub-Api-Version': '2022-11-28',
      },
    },
    UserSchema,
    'GitHub user API',
  )
  return {
    subject: `github:${user.id}`,
    provider: 'github',
    name: user.login,
    ...(typeof user.email === 'string' && user.email !== '' ? { email: user.email } : {}),
  }
}
