// Settings that parse but will not work: the deep health check (src/ops/health.ts) reports them
// in words, each with its fix. A value that does not parse at all is config.ts's business (a
// ConfigError naming the setting); this module looks at what valid values mean together.
//
//   AUTH=true, PUBLIC_URL unset  ->  { name: 'PUBLIC_URL', status: 'warning',
//                                      message: 'AUTH is on but PUBLIC_URL is not set: ...',
//                                      fix: 'Set PUBLIC_URL to the origin clients use, ...' }
//
// Nothing here reads a secret's value beyond "set or not": a health answer never carries a
// secret, a piece of one, or its length.

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { MIN_TOKEN_CHARS } from '../http/admin-gate.ts'
import { isLoopbackHost } from '../auth/upstream/outbound.ts'

/** One line of a health report: a check, how it went, and for a problem, what to do. */
export interface Check {
  name: string
  status: 'ok' | 'warning' | 'error' | 'skipped'
  message: string
  fix?: string
  /** How long a Durable Object took to answer, for the checks that call one. */
  ms?: number
}

/** Settings bare-mcp reads from `env` directly, besides those config.ts parses. */
const DIRECT_SETTINGS = ['ADMIN_TOKEN', 'KB_ADMIN_TOKEN']

/** The Durable Object bindings (wrangler.toml); not settings, but not typos either. */
export const BINDINGS = ['KB', 'SESSION_SHARD', 'AUTH_STORE'] as const

const set = (env: Env, name: string): boolean =>
  typeof env[name] === 'string' && (env[name] as string).trim() !== ''

/** Levenshtein distance, capped: enough to tell a typo from an unrelated name. */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * Names in `env` that look like a misspelt setting (`PUBLIC_URl`, `AUTH_PROVDER`): the same but
 * for case, or one edit away (two for names of 8 characters or more). Other unknown names are
 * left alone: they are your own tools' settings.
 */
export const misspeltSettings = (
  env: Env,
  known: readonly string[],
): { name: string; meant: string }[] => {
  const names = new Set([...known, ...DIRECT_SETTINGS, ...BINDINGS])
  const found: { name: string; meant: string }[] = []
  for (const name of Object.keys(env)) {
    if (names.has(name) || typeof env[name] !== 'string') continue
    const meant = [...names].find(
      (candidate) =>
        candidate.toLowerCase() === name.toLowerCase() ||
        (name.length >= 4 && distance(name.toUpperCase(), candidate) <= (name.length >= 8 ? 2 : 1)),
    )
    if (meant !== undefined) found.push({ name, meant })
  }
  return found
}

/**
 * What is wrong with settings that parsed: `settings` as config.ts made them, `env` for what
 * is set at all, `host` the host name this request reached (a stand-in for PUBLIC_URL when it
 * is unset), `known` every setting name config.ts knows.
 */
export const settingProblems = (
  settings: Config,
  env: Env,
  host: string,
  known: readonly string[],
): Check[] => {
  const problems: Check[] = []
  const warn = (name: string, message: string, fix: string) =>
    problems.push({ name, status: 'warning', message, fix })
  const fail = (name: string, message: string, fix: string) =>
    problems.push({ name, status: 'error', message, fix })
  const publicHost = settings.PUBLIC_URL === '' ? host : new URL(settings.PUBLIC_URL).hostname
  const deployed = !isLoopbackHost(publicHost)

  for (const { name, meant } of misspeltSettings(env, known)) {
    warn(
      name,
      `${name} is not a setting bare-mcp reads, so it has no effect`,
      `Rename it to ${meant} (wrangler.toml [vars], .dev.vars or wrangler secret)`,
    )
  }

  if (settings.AUTH) {
    if (settings.PUBLIC_URL === '') {
      warn(
        'PUBLIC_URL',
        'AUTH is on but PUBLIC_URL is not set: the issuer and the resource tokens are bound to ' +
          'follow the Host of each request, so a token minted at one hostname (workers.dev) ' +
          'fails at another (your domain)',
        'Set PUBLIC_URL to the origin clients use, e.g. PUBLIC_URL = "https://mcp.example.com" ' +
          'in wrangler.toml [vars] of the environment',
      )
    } else if (settings.PUBLIC_URL.startsWith('http:') && deployed) {
      fail(
        'PUBLIC_URL',
        'PUBLIC_URL is plain http on a public host: ChatGPT, claude.ai and the Responses API ' +
          'connect over https only',
        'Use the https origin, e.g. https://bare-mcp.<your-subdomain>.workers.dev',
      )
    }
    if (settings.AUTH_PROVIDER === 'dev' && deployed) {
      fail(
        'AUTH_PROVIDER',
        'AUTH_PROVIDER is "dev" on a public host: the name-only sign-in form exists on ' +
          'loopback hosts only, so nobody can sign in here',
        'Set AUTH_PROVIDER = "github" (or "oidc") with its client id and secret',
      )
    }
    if (settings.AUTH_PROVIDER === 'github') {
      for (const name of ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET']) {
        if (!set(env, name)) {
          fail(
            name,
            `AUTH_PROVIDER is "github" but ${name} is not set: sign-in fails at GitHub`,
            `Create a GitHub OAuth app with the callback <PUBLIC_URL>/callback, then ` +
              `wrangler secret put ${name}`,
          )
        }
      }
    }
    if (settings.AUTH_PROVIDER === 'oidc') {
      for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET']) {
        if (!set(env, name)) {
          fail(
            name,
            `AUTH_PROVIDER is "oidc" but ${name} is not set: sign-in cannot start`,
            name === 'OIDC_ISSUER'
              ? 'Set OIDC_ISSUER to the provider\'s issuer URL, e.g. "https://accounts.google.com"'
              : `Register <PUBLIC_URL>/callback with the provider, then wrangler secret put ${name}`,
          )
        }
      }
      if (set(env, 'OIDC_ISSUER') && !settings.OIDC_ISSUER.startsWith('https://')) {
        fail(
          'OIDC_ISSUER',
          'OIDC_ISSUER must be an https URL: the provider is only ever reached over https',
          'Use the issuer exactly as the provider publishes it, e.g. https://accounts.google.com',
        )
      }
    }
    if (settings.AUTH_ALLOW_LOOPBACK_FETCH && deployed) {
      warn(
        'AUTH_ALLOW_LOOPBACK_FETCH',
        'AUTH_ALLOW_LOOPBACK_FETCH is on outside loopback: it exists for tests only',
        'Remove it (the default is false)',
      )
    }
  }

  if (settings.MRTR_SECRET === '' && deployed) {
    warn(
      'MRTR_SECRET',
      'MRTR_SECRET is not set: each isolate signs input_required rounds with its own key, so ' +
        'a 2026-07-28 retry that reaches another isolate is refused',
      'wrangler secret put MRTR_SECRET (32 or more random characters)',
    )
  }
  if (new URL(settings.KB_BASE_URL).hostname.endsWith('.invalid')) {
    warn(
      'KB_BASE_URL',
      'KB_BASE_URL is the placeholder: documents without their own url are cited at an ' +
        'address that never resolves',
      'Set KB_BASE_URL to where people can read your documents, or give each document a url',
    )
  }
  for (const name of DIRECT_SETTINGS) {
    const value = env[name]
    if (typeof value === 'string' && value.trim() !== '' && value.length < MIN_TOKEN_CHARS) {
      warn(
        name,
        `${name} is set but too short to be used, so its admin API stays off`,
        `wrangler secret put ${name} with at least ${MIN_TOKEN_CHARS} random characters`,
      )
    }
  }
  return problems
}
