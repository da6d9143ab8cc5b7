// How we talk to an upstream identity provider (GitHub, an OpenID Connect provider): https
// only, JSON parsed with valibot, and errors that say which step failed without echoing
// anything the provider sent that could be secret. Plain http is allowed for loopback hosts
// only when AUTH_ALLOW_LOOPBACK_FETCH=true (tests with a local stand-in provider).

import * as v from 'valibot'
import type { Config } from '../../settings/config.ts'

/** A failed upstream step; `message` is safe to show a person. */
export class UpstreamError extends Error {}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Whether a host name is the local machine. */
export const isLoopbackHost = (hostname: string): boolean =>
  LOOPBACK_HOSTS.has(hostname.toLowerCase())

/** `value` as a URL we may fetch or send a browser to, or an UpstreamError naming `what`. */
export const upstreamUrl = (config: Config, value: string, what: string): URL => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UpstreamError(`The ${what} is not a URL`)
  }
  const loopbackHttp =
    url.protocol === 'http:' && config.AUTH_ALLOW_LOOPBACK_FETCH && isLoopbackHost(url.hostname)
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new UpstreamError(`The ${what} must be an https URL`)
  }
  return url
}

/**
 * Fetches `url` (checked by upstreamUrl) and parses its JSON body with `schema`. A non-2xx
 * status, a body that is not JSON or does not fit the schema is an UpstreamError about `what`.
 */
export const fetchJson = async <S extends v.GenericSchema>(
  config: Config,
  url: string,
  init: RequestInit,
  schema: S,
  what: string,
): Promise<v.InferOutput<S>> => {
  const target = upstreamUrl(config, url, `${what} URL`)
  let response: Response
  try {
    response = await fetch(target, { ...init, redirect: 'manual' })
  } catch {
    throw new UpstreamError(`Could not reach the ${what}`)
  }
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new UpstreamError(`The ${what} answered ${response.status} without JSON`)
  }
  const parsed = v.safeParse(schema, body)
  if (!parsed.success) {
    const error = v.safeParse(OAuthErrorSchema, body)
    throw new UpstreamError(
      error.success
        ? `The ${what} refused: ${error.output.error}`
        : `The ${what} answered ${response.status} with an unexpected body`,
    )
  }
  if (!response.ok) throw new UpstreamError(`The ${what} answered ${response.status}`)
  return parsed.output
}

/** RFC 6749 §5.2 error code: a short ASCII word, safe to show (never the description). */
const OAuthErrorSchema = v.object({
  error: v.pipe(v.string(), v.regex(/^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/)),
})
