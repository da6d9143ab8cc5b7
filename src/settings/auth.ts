// The settings of authorization (AUTH and everything it uses); src/settings/config.ts parses
// them with the rest. The README lists them all.

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
  /**
   * The base scope: every token carries it, and MCP access requires it (403 insufficient_scope
   * without). The consent page always shows it.
   */
  AUTH_BASE_SCOPE: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be one scope token (RFC 6749 §3.3)'),
    ),
    'mcp',
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
  /**
   * Private-use URI schemes without a dot (not the reverse domain names RFC 8252 §7.1 asks
   * for) that native MCP clients register anyway: Cursor's `cursor://`, VS Code's `vscode://`.
   */
  AUTH_APP_SCHEMES: v.optional(
    v.pipe(
      v.string(),
      v.transform((value) => items(value.toLowerCase(), ',')),
      v.check(
        (schemes) => schemes.every((scheme) => /^[a-z][a-z0-9+-]*$/.test(scheme)),
        'must be URI schemes without ":" (comma-separated)',
      ),
    ),
    'cursor,vscode,vscode-insiders',
  ),
  /**
   * How stale an isolate's copy of the revoked grants may be, in ms (src/auth/revocations.ts):
   * one AuthStore read per isolate this often, and a revoked access token is refused everywhere
   * within it.
   */
  AUTH_REVOCATION_REFRESH_MS: integer(30_000, 1_000, 300_000),
  /** Most redirect URIs one registration may hold. */
  AUTH_MAX_REDIRECT_URIS: integer(10, 1, 50),
  /** Longest redirect URI a registration may hold, in characters. */
  AUTH_MAX_REDIRECT_URI_CHARS: integer(512, 64, 2048),
  /**
   * A registered client (RFC 7591) that has not been issued tokens this long after registering
   * is deleted. One that has been never expires (CLIENTS.md D.13).
   */
  AUTH_CLIENT_UNUSED_TTL_S: integer(86_400, 600, 30 * 86_400),
  /** Accept Client ID Metadata Documents (URL-shaped client_id, draft-ietf-oauth-client-id-metadata-document). */
  AUTH_CIMD: flag(true),
  /** Largest Client ID Metadata Document read, in bytes. */
  AUTH_CIMD_MAX_BYTES: integer(5120, 1024, 65_536),
  /** Most metadata documents (and remembered failures) the AuthStore caches. */
  AUTH_CIMD_CACHE_MAX: integer(1000, 1, 100_000),
  /** Largest key set (a client's jwks_uri) read, in bytes. */
  AUTH_JWKS_MAX_BYTES: integer(51_200, 1024, 1_048_576),
  /** Most key sets (clients' and the OIDC provider's) cached per isolate. */
  AUTH_JWKS_CACHE_MAX: integer(100, 1, 10_000),
  /** Most bytes of key sets cached per isolate. */
  AUTH_JWKS_CACHE_BYTES: integer(1_048_576, 1024, 64 * 1_048_576),
  /** Largest answer read from the upstream sign-in provider (GitHub, OIDC), in bytes. */
  AUTH_UPSTREAM_MAX_BYTES: integer(65_536, 4096, 1_048_576),
  /** Time limit of every fetch the authorization server makes (documents, key sets, upstream). */
  AUTH_FETCH_TIMEOUT_MS: integer(5000, 500, 30_000),
  /** How long a failed document or key-set fetch is remembered before it is tried again. */
  AUTH_FETCH_FAILURE_TTL_S: integer(60, 1, 3600),
  /**
   * Tests only: let documents, key sets and upstream providers live on 127.0.0.1 (any port,
   * http). Honoured only while both the request and the issuer are loopback hosts, so a
   * deployed Worker never honours it, whatever its settings say.
   */
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
