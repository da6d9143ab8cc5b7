// OAuth error responses (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 7009 §2.2.1): a JSON body
// `{error, error_description}`, never cached. Descriptions say what was wrong with the request;
// they never echo a secret, a token or a code.

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const

/** A JSON answer of the authorization server (metadata, tokens, registrations), not cached. */
export const oauthJson = (body: unknown, status = 200, headers = new Headers()): Response => {
  headers.set('Content-Type', 'application/json')
  for (const [name, value] of Object.entries(NO_STORE)) headers.set(name, value)
  return new Response(JSON.stringify(body), { status, headers })
}

/** `{error, error_description}` with its status (400 unless said otherwise). */
export const oauthError = (
  error: string,
  description: string,
  status = 400,
  headers = new Headers(),
): Response => oauthJson({ error, error_description: description }, status, headers)

/**
 * What an OAuth error response said, for the audit trail: "error: description" (our own words,
 * never a secret: see above), or the status when the body is not an OAuth error.
 */
export const oauthRefusal = async (response: Response): Promise<string> => {
  try {
    const body = (await response.clone().json()) as { error?: unknown; error_description?: unknown }
    if (typeof body.error === 'string') {
      const description = typeof body.error_description === 'string' ? body.error_description : ''
      return description === '' ? body.error : `${body.error}: ${description}`
    }
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}`
}
