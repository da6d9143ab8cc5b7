// Who is calling: the principal a request's token proves (AUTH=true). The resource-server side
// of auth (src/auth/resource-server.ts) finds it; handlers see it as `ctx.auth`; a session is
// bound to the principal that opened it. Without auth there is none (null everywhere).

/** Who is calling, proven by a token: what tool handlers see as `ctx.auth`. */
export interface Principal {
  /** The user ("github:123") or, for an API key, "key:<id>". */
  subject: string
  /** The OAuth client the token was issued to ("api-key" for API keys). */
  clientId: string
  scopes: readonly string[]
  via: 'oauth' | 'api-key'
  name?: string
  email?: string
}
