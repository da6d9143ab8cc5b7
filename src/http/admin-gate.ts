// The gate in front of an admin API (the knowledge base's, the API keys'): a bearer token that
// must equal a secret setting, compared in constant time. Without the secret the API is off
// (503), never open; a token shorter than MIN_TOKEN_CHARS counts as no secret.

import { sameSecret } from './secrets.ts'
import { failure } from './responses.ts'

/** A token shorter than this is refused as a misconfiguration, not used. */
export const MIN_TOKEN_CHARS = 16

/**
 * null when `request` carries `Authorization: Bearer <expected>`; else the refusal. `setting`
 * names the secret in messages, `what` the API, `realm` the challenge's realm.
 */
export const adminGate = async (
  request: Request,
  expected: unknown,
  gate: { setting: string; what: string; realm: string },
): Promise<Response | null> => {
  const { setting, what } = gate
  const realm = `Bearer realm="${gate.realm}"`
  if (typeof expected !== 'string' || expected.trim() === '') {
    return failure(
      503,
      'admin_disabled',
      `The ${what} is off: set the ${setting} secret (at least ${MIN_TOKEN_CHARS} characters) ` +
        `to enable it, e.g. wrangler secret put ${setting}`,
    )
  }
  if (expected.length < MIN_TOKEN_CHARS) {
    return failure(
      503,
      'admin_disabled',
      `The ${what} is off: ${setting} must be at least ${MIN_TOKEN_CHARS} characters`,
    )
  }
  const token = /^Bearer +(\S+) *$/i.exec(request.headers.get('authorization') ?? '')?.[1]
  if (token === undefined) {
    return failure(
      401,
      'unauthorized',
      `Send Authorization: Bearer <${setting}>`,
      new Headers({ 'WWW-Authenticate': realm }),
    )
  }
  if (!(await sameSecret(token, expected))) {
    return failure(
      401,
      'unauthorized',
      `The bearer token is not ${setting}`,
      new Headers({ 'WWW-Authenticate': `${realm}, error="invalid_token"` }),
    )
  }
  return null
}
