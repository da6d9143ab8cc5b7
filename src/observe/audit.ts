// The audit trail: every authentication and authorization event as a log line of its own, and a
// data point (so `npm run stats` counts sign-ins, refusals and so on). The authorization server
// (src/auth/) and the rate limits call `audit` where each event happens:
//
//   audit(env, request, { name: 'auth.token.issued', outcome: 'success',
//                         subject: 'github:1', client: 'Qx3...f2', scopes: ['mcp'] })
//   {"time":"...","level":"info","kind":"audit","event.name":"auth.token.issued",
//    "event.outcome":"success","enduser.id":"github:1","oauth.client.id":"Qx3...f2",
//    "oauth.scopes":"mcp","client.address":"203.0.113.7","http.request.method":"POST",
//    "url.path":"/token"}
//
// Each line has the time, the subject and client when known, the client's address and the
// outcome; a failure says why in words of our own (`reason`), never with a token, a secret or a
// code in it. Failures are `warn`, successes `info` (SERVER_LOG_LEVEL); none is sampled.

import { config, type Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { keepPoint } from './local-stats.ts'
import { logs, writeLine } from './log.ts'
import { datasetOf, writePoint } from './points.ts'

export type AuditName =
  /** A person signed in (or failed to) with the dev form or the upstream provider. */
  | 'auth.signin'
  /** Consent given (on the page, or remembered) or refused. */
  | 'auth.consent'
  /** Dynamic Client Registration (RFC 7591), accepted or refused. */
  | 'auth.client.registered'
  /** A Client ID Metadata Document fetched and accepted, or refused. */
  | 'auth.client.document'
  /** Tokens issued for an authorization code, or a token request refused. */
  | 'auth.token.issued'
  /** Tokens issued for a refresh token. */
  | 'auth.token.refreshed'
  /** A spent authorization code or refresh token came back: its grant is revoked. */
  | 'auth.token.reuse_detected'
  /** A grant revoked (RFC 7009, or after a failed check of its code). */
  | 'auth.token.revoked'
  | 'auth.api_key.created'
  | 'auth.api_key.revoked'
  /** An API key looked up by an isolate (at most once per key and isolate every 30 s). */
  | 'auth.api_key.used'
  /** A request to an MCP endpoint refused: 401, 400 or 403, with the reason. */
  | 'auth.refused'
  /** A request to an admin API refused for its token. */
  | 'admin.refused'
  /** A request over a rate limit (429). */
  | 'rate_limit.refused'

export interface AuditEvent {
  name: AuditName
  outcome: 'success' | 'failure'
  /** Who: the user ("github:123", "dev:ada") or the API key ("key:<id>"). */
  subject?: string | null | undefined
  /** The OAuth client id ("api-key" for API keys). */
  client?: string | null | undefined
  /** The name the client gave itself (registration, metadata document, consent). */
  clientName?: string | null | undefined
  /** Why it failed, or what kind of success it was, in our own words. */
  reason?: string | undefined
  /** The sign-in provider: dev, github, oidc. */
  provider?: string | undefined
  scopes?: readonly string[] | undefined
  /** The HTTP status answered, when it says more than the outcome (401, 403, 429). */
  status?: number | undefined
  /** The rate limiter that refused. */
  limiter?: string | undefined
}

const MAX_CHARS = 200

const cut = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : value.slice(0, MAX_CHARS)

/** The settings, or the defaults' behaviour when they do not parse (never a throw from here). */
const settingsOf = (env: Env): Config | null => {
  try {
    return config(env)
  } catch {
    return null
  }
}

/** Records one audit event (`request`: the one it happened on, for its address and path). */
export const audit = (env: Env, request: Request | null, event: AuditEvent): void => {
  const settings = settingsOf(env)
  const level = event.outcome === 'success' ? 'info' : 'warn'
  if (settings === null || logs(settings.SERVER_LOG_LEVEL, level)) {
    writeLine(level, {
      kind: 'audit',
      'event.name': event.name,
      'event.outcome': event.outcome,
      'enduser.id': cut(event.subject),
      'oauth.client.id': cut(event.client),
      'oauth.client.name': cut(event.clientName),
      'oauth.scopes': event.scopes?.join(' '),
      'auth.provider': event.provider,
      reason: cut(event.reason),
      'rate_limit.name': event.limiter,
      'http.response.status_code': event.status,
      'client.address': request?.headers.get('cf-connecting-ip'),
      'user_agent.original': cut(request?.headers.get('user-agent')),
      'http.request.method': request?.method,
      'url.path': request === null ? null : new URL(request.url).pathname,
    })
  }
  if (settings === null || !settings.METRICS) return
  const point = {
    kind: 'audit' as const,
    name: event.name,
    target: event.limiter ?? '',
    ok: event.outcome === 'success',
    errorType: event.status === undefined ? '' : String(event.status),
    client: cut(event.client) ?? '',
    clientVersion: '',
    revision: '',
    transport: '',
    via: '',
    durationMs: 0,
    status: event.status ?? 0,
    argumentBytes: 0,
    resultBytes: 0,
    at: Date.now(),
  }
  const dataset = datasetOf(env)
  if (dataset !== null) writePoint(dataset, point)
  keepPoint(point, settings.LOCAL_STATS_MAX)
}
