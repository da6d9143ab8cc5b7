// The settings of authorization (AUTH and everything it uses), kept beside the code that reads
// them; src/config.ts parses them with the rest. The README lists them all.

import * as v from 'valibot'
import { flag, integer, items } from './kinds.ts'

export const AUTH_SETTINGS = {
  /** "true": every MCP request needs a token (OAuth access token or API key); the OAuth server runs. */
  AUTH: flag(false),
  /**
   * Our public base URL, e.g. https://mcp.example.com: the OAuth issuer, and with MCP_PATH the
   * resource tokens are bound to. Empty: the origin of each request (fine behind one hostname).
   */
  PUBLIC_URL: v.optional(
    v.union([
      v.literal(''),
      v.pipe(
        v.string(),
        v.trim(),
        v.regex(/^https?:\/\/[^/\s?#]+$/, 'must be an origin such as https://mcp.example.com'),
        v.transform((url) => url.toLowerCase()),
      ),
    ]),
    '',
  ),
  /**
   * Who signs users in: "dev" (a name typed on a form; only for loopback hosts), "github" or
   * "oidc" (any OpenID Connect provider by issuer URL).
   */
  AUTH_PROVIDER: v.optional(
    v.picklist(['dev', 'github', 'oidc'], 'must be "dev", "github" or "oidc"'),
    'dev',
  ),
  /**
   * Key for access-token signatures, CSRF and state (a secret: `wrangler secret put`). Empty: a
   * random key made once and kept in the AuthStore Durable Object.
   */
  AUTH_SECRET: v.optional(
    v.union([v.literal(''), v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))]),
    '',
  ),
  /** Scopes every token may hold besides the ones tools declare (space- or comma-separated). */
  AUTH_SCOPES: v.optional(
    v.pipe(
      v.string(),
      v.transform((value) => items(value.replace(/\s+/g, ','), ',')),
      v.check(
        (scopes) => scopes.every((scope) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)),
        'must be scope tokens (RFC 6749 §3.3) separated by spaces or commas',
      ),
    ),
    'mcp',
  ),
  /** "true": `tools/list` hides tools the caller's token lacks the scopes for. */
  AUTH_HIDE_TOOLS: flag(false),
  /** Lifetime of an access token, in seconds. */
  ACCESS_TOKEN_TTL_S: integer(3600, 60, 86_400),
  /** A refresh token unused this long expires; each use starts the period again (sliding). */
  REFRESH_TOKEN_TTL_S: integer(30 * 86_400, 3600, 365 * 86_400),
  /** Lifetime of an authorization code, in seconds. */
  AUTH_CODE_TTL_S: integer(300, 10, 600),
  /**
   * Non-loopback redirect URIs clients may use (comma-separated). Exact URIs; a final `*` matches
   * one path segment; `*` alone allows any https URI. Loopback (http://127.0.0.1:<any port>/...)
   * and private-use schemes (cursor://...) are always allowed for native clients (RFC 8252).
   */
  AUTH_REDIRECT_URIS: v.optional(
    v.pipe(
      v.string(),
      v.transform((value) => items(value, ',')),
    ),
    'https://chatgpt.com/connector_platform_oauth_redirect,https://chatgpt.com/connector/oauth/*,' +
      'https://platform.openai.com/apps-manage/oauth,https://claude.ai/api/mcp/auth_callback,' +
      'https://claude.com/api/mcp/auth_callback',
  ),
  /** Accept Client ID Metadata Documents (URL-shaped client_id, draft-ietf-oauth-client-id-metadata-document). */
  AUTH_CIMD: flag(true),
  /** Tests only: allow http://127.0.0.1 CIMD URLs and upstream providers (never in production). */
  AUTH_ALLOW_LOOPBACK_FETCH: flag(false),
  /** GitHub OAuth app (AUTH_PROVIDER=github); the secret via `.dev.vars` or `wrangler secret`. */
  GITHUB_CLIENT_ID: v.optional(v.string(), ''),
  GITHUB_CLIENT_SECRET: v.optional(v.string(), ''),
  /** GitHub's web and API base URLs (a stand-in in tests; GitHub Enterprise). */
  GITHUB_URL: v.optional(v.pipe(v.string(), v.url('must be a URL')), 'https://github.com'),
  GITHUB_API_URL: v.optional(v.pipe(v.string(), v.url('must be a URL')), 'https://api.github.com'),
  /** OpenID Connect provider (AUTH_PROVIDER=oidc): issuer URL, client id and secret, scopes. */
  OIDC_ISSUER: v.optional(v.string(), ''),
  OIDC_CLIENT_ID: v.optional(v.string(), ''),
  OIDC_CLIENT_SECRET: v.optional(v.string(), ''),
  OIDC_SCOPES: v.optional(v.string(), 'openid email profile'),
}
