// How we talk to an upstream identity provider (GitHub, an OpenID Connect provider): https
// only, no redirects followed, AUTH_FETCH_TIMEOUT_MS for each answer (body included) and at most
// AUTH_UPSTREAM_MAX_BYTES of it (BM-AUTH-29), JSON parsed with valibot, and errors that say which
// step failed without echoing anything the provider sent that could be secret. Plain http to a
// loopback host only under the test-only rule of ../outbound.ts (a local stand-in provider).

import * as v from 'valibot'
import type { Config } from '../../settings/config.ts'
import { fetchText, isLoopbackHost, type Outbound } from './outbound.ts'

/** A failed upstream step; `message` is safe to show a person. */
export class UpstreamError extends Error {}

/** `value` as a URL we may fetch or send a browser to, or an UpstreamError naming `what`. */
export const upstreamUrl = (outbound: Outbound, value: string, what: string): URL => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UpstreamError(`The ${what} is not a URL`)
  }
  const loopbackHttp = url.protocol === 'http:' && outbound.loopback && isLoopbackHost(url.hostname)
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new UpstreamError(`The ${what} must be an https URL`)
  }
  return url
}

/**
 * Fetches `url` (checked by upstreamUrl) and parses its JSON body with `schema`. No answer in
 * time, a body too large, a non-2xx status, a body that is not JSON or does not fit the schema
 * is an UpstreamError about `what`.
 */
export const fetchJson = async <S extends v.GenericSchema>(
  config: Config,
  outbound: Outbound,
  url: string,
  init: RequestInit,
  schema: S,
  what: string,
): Promise<v.InferOutput<S>> => {
  const target = upstreamUrl(outbound, url, `${what} URL`)
  const fetched = await fetchText(target, init, {
    timeoutMs: outbound.timeoutMs,
    maxBytes: config.AUTH_UPSTREAM_MAX_BYTES,
  })
  if (!fetched.ok) {
    console.warn(`upstream ${what}: ${fetched.reason}`)
    throw new UpstreamError(`Could not get an answer from the ${what}`)
  }
  let body: unknown
  try {
    body = JSON.parse(fetched.text)
  } catch {
    throw new UpstreamError(`The ${what} answered ${fetched.status} without JSON`)
  }
  const parsed = v.safeParse(schema, body)
  if (!parsed.success) {
    const error = v.safeParse(OAuthErrorSchema, body)
    throw new UpstreamError(
      error.success
        ? `The ${what} refused: ${error.output.error}`
        : `The ${what} answered ${fetched.status} with an unexpected body`,
    )
  }
  if (fetched.status < 200 || fetched.status > 299) {
    throw new UpstreamError(`The ${what} answered ${fetched.status}`)
  }
  return parsed.output
}

/** RFC 6749 §5.2 error code: a short ASCII word, safe to show (never the description). */
const OAuthErrorSchema = v.object({
  error: v.pipe(v.string(), v.regex(/^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/)),
})
