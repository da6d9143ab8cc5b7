// Settings: every knob bare-mcp has, read from the Worker's `env` (wrangler `[vars]`, `.dev.vars`
// or `wrangler secret`), parsed once with valibot. Each has a default that makes `npm start` work
// with no setup; a bad value names the setting at fault. The README lists them all.

import * as v from 'valibot'
import { AUTH_SETTINGS } from './auth.ts'
import { OBSERVABILITY_SETTINGS } from './observability.ts'
import { describeSettingIssues } from './errors.ts'
import { flag, integer, items } from './kinds.ts'
import { WIRE_SETTINGS } from './wire.ts'

/** "https://a.example, https://b.example" -> ["https://a.example", "https://b.example"] */
const originList = v.optional(
  v.pipe(
    v.string(),
    v.transform((value) => items(value, ',')),
    v.check(
      (origins) => origins.every((origin) => origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin)),
      'must be a comma-separated list of origins such as https://app.example.com (or *)',
    ),
  ),
  '',
)

export const LOG_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const
export type LoggingLevel = (typeof LOG_LEVELS)[number]

const SettingsSchema = v.object({
  /** Path of the Streamable HTTP endpoint. */
  MCP_PATH: v.optional(
    v.pipe(v.string(), v.regex(/^\/[A-Za-z0-9._~\/-]*$/, 'must be a path such as /mcp')),
    '/mcp',
  ),
  /** Which catalog of tools, resources and prompts to serve: the demo, or the conformance suite's. */
  FIXTURES: v.optional(
    v.picklist(['demo', 'conformance'], 'must be "demo" or "conformance"'),
    'demo',
  ),
  /**
   * Extra endpoints under MCP_PATH that list and call only some tools:
   * "name=selector;..." where a selector is tool names and/or `@readonly` (readOnlyHint tools),
   * comma-separated. "research=search,fetch" serves /mcp/research with just those two.
   */
  TOOL_PROFILES: v.optional(
    v.pipe(
      v.string(),
      v.transform((value) =>
        items(value, ';').map((entry) => {
          const [name = '', selector = ''] = entry.split('=', 2)
          return {
            name: name.trim(),
            selectors: items(selector, ','),
          }
        }),
      ),
      v.check(
        (profiles) =>
          profiles.every(
            (profile) => /^[a-z0-9_-]{1,32}$/.test(profile.name) && profile.selectors.length > 0,
          ),
        'must be "name=selector,...;..." with lowercase names (a-z 0-9 _ -)',
      ),
    ),
    'readonly=@readonly;research=search,fetch',
  ),
  /** Browser origins allowed to call the server (CORS and the Origin check), or "*". */
  ALLOWED_ORIGINS: originList,
  /** Allow http(s)://localhost, 127.0.0.1 and [::1] origins on any port (the MCP Inspector). */
  ALLOW_LOCALHOST_ORIGINS: flag(true),
  /** Largest accepted POST body in bytes; larger bodies get 413. */
  MAX_BODY_BYTES: integer(1_048_576, 1024, 100 * 1_048_576),
  /** Most messages in one 2025-03-26 batch; a longer batch is 400 with one -32600. */
  MAX_BATCH: integer(32, 1, 1000),
  /** Deepest nesting of arrays and objects in a request body; deeper is 400 with -32600. */
  MAX_JSON_DEPTH: integer(64, 8, 1000),
  /**
   * Largest `clientInfo` plus `capabilities` a session stores from `initialize`, in bytes of
   * JSON, and their deepest nesting; larger or deeper is 400 with -32602.
   */
  MAX_CLIENT_INFO_BYTES: integer(16_384, 1024, 1_048_576),
  MAX_CLIENT_INFO_DEPTH: integer(16, 4, 64),
  /** Requests of one session running at once; more are refused with 429 until one ends. */
  MAX_INFLIGHT_PER_SESSION: integer(32, 1, 10_000),
  /**
   * Sessions one caller (its token's subject, else its IP) may hold at once. Past it, a
   * Streamable HTTP `initialize` is answered without a session, and `/sse` is 429.
   */
  MAX_SESSIONS_PER_CALLER: integer(1000, 1, 1_000_000),
  /** Sessions one shard holds at once, whoever opened them; past it as above (`/sse`: 503). */
  MAX_SESSIONS_PER_SHARD: integer(10_000, 100, 10_000_000),
  /**
   * Long-lived streams one caller may hold open at once: session GET and /sse streams (per
   * session shard) and 2026-07-28 `subscriptions/listen` streams (per Worker isolate).
   */
  MAX_STREAMS_PER_CALLER: integer(256, 1, 100_000),
  /**
   * Bytes an SSE stream holds for its client before writers wait their turn (backpressure);
   * with what waits, it never holds more than twice this: past that the client is cut off.
   */
  MAX_STREAM_BUFFER_BYTES: integer(1_048_576, 65_536, 64 * 1_048_576),
  /**
   * How long an SSE stream waits for a client that reads nothing while writers wait for room;
   * then the client is cut off (it stopped reading, or went away without a word).
   */
  MAX_STREAM_STALL_MS: integer(10_000, 1_000, 300_000),
  /** Items per page of a list result (`tools/list`). */
  PAGE_SIZE: integer(50, 1, 1000),
  /** "auto": JSON unless the call streams; "sse": SSE whenever the client accepts it. */
  RESPONSE_MODE: v.optional(v.picklist(['auto', 'sse'], 'must be "auto" or "sse"'), 'auto'),
  /**
   * User-Agent prefixes that get SSE whenever they accept it (comma-separated). OpenAI's clients
   * were seen ignoring JSON answers (openai-agents-python#1608), so SSE is the safe choice there.
   */
  SSE_USER_AGENTS: v.optional(
    v.pipe(
      v.string(),
      v.transform((value) => items(value.toLowerCase(), ',')),
    ),
    'openai-mcp',
  ),
  /** A call still running after this many ms switches to SSE so keep-alives can flow. */
  SSE_AFTER_MS: integer(10_000, 0, 600_000),
  /** Interval of `: keep-alive` comments on SSE streams (under Cloudflare's idle cut). */
  KEEPALIVE_MS: integer(15_000, 1_000, 25_000),
  /** A tool call still running after this many ms is cancelled and reported as a tool error. */
  TOOL_TIMEOUT_MS: integer(120_000, 1_000, 900_000),
  /**
   * Lowest level of `notifications/message` sent to clients (what the server's own log gets is
   * SERVER_LOG_LEVEL, src/settings/observability.ts).
   */
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
  /** 2026-07-28 `ttlMs` of `server/discover` results: how long clients may cache them. */
  DISCOVER_TTL_MS: integer(3_600_000, 0, 86_400_000),
  /** 2026-07-28 `ttlMs` of list results (`tools/list`). */
  LIST_TTL_MS: integer(300_000, 0, 86_400_000),
  /** 2026-07-28 `ttlMs` of `resources/read` results. */
  READ_TTL_MS: integer(60_000, 0, 86_400_000),
  /**
   * Key for the HMAC that protects MRTR `requestState` (a secret: `wrangler secret put`).
   * Empty: a random key per isolate, which works for `npm start` but not across isolates.
   */
  MRTR_SECRET: v.optional(
    v.union([v.literal(''), v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))]),
    '',
  ),
  /** How long an MRTR `requestState` stays valid. */
  REQUEST_STATE_TTL_MS: integer(600_000, 10_000, 86_400_000),
  /** Legacy sessions: `initialize` mints `Mcp-Session-Id`, and `/sse` works. "false": stateless only. */
  SESSIONS: flag(true),
  /** Session shards (Durable Objects); a session id names its shard. */
  SESSION_SHARDS: integer(8, 1, 1024),
  /** A session idle this long expires, with its events. */
  SESSION_TTL_MS: integer(1_800_000, 60_000, 30 * 86_400_000),
  /** Events kept per session for resumption (`Last-Event-ID`). */
  EVENT_LOG_MAX: integer(200, 1, 100_000),
  /** How long events are kept for resumption. */
  EVENT_LOG_TTL_MS: integer(600_000, 1_000, 86_400_000),
  /** The `retry:` hint (ms) sent before the server closes a stream it expects to be resumed. */
  SSE_RETRY_MS: integer(1_000, 0, 600_000),
  /** How long a server-to-client request (sampling, elicitation, roots) waits for its answer. */
  CLIENT_REQUEST_TIMEOUT_MS: integer(60_000, 1_000, 900_000),
  /**
   * How often a changing resource list (the knowledge base's documents) is checked while a
   * stream could carry `notifications/resources/list_changed`: a session's GET or /sse stream,
   * or a `subscriptions/listen` stream that asked for it.
   */
  LIST_CHANGED_POLL_MS: integer(5_000, 500, 3_600_000),
  /** Text for `instructions` in the initialize result (empty: none). */
  SERVER_INSTRUCTIONS: v.optional(v.string(), ''),
  /**
   * Knowledge base (src/kb/): documents without their own `url` are cited as
   * `${KB_BASE_URL}/docs/<id>`. The default never resolves (RFC 6761 `.invalid`): set it to
   * where your documents can be read, or give each document a `url`.
   */
  KB_BASE_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/, 'must be an absolute http(s) URL'),
      v.transform((url) => url.replace(/\/+$/, '')),
    ),
    'https://kb.example.invalid',
  ),
  /** Name of the knowledge base's Durable Object; a new name starts a new, empty one. */
  KB_NAME: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 . _ -')),
    'kb',
  ),
  /** Most results one `search` returns. */
  KB_SEARCH_LIMIT: integer(10, 1, 50),
  /** Largest admin upload body in bytes (a batch of documents or one Markdown file). */
  KB_MAX_UPLOAD_BYTES: integer(8 * 1_048_576, 1024, 32 * 1_048_576),
  /** "false": every rate limit (src/http/rate-limit.ts) is off, for load tests. */
  RATE_LIMITS: flag(true),

  // The server's own log and metrics (src/settings/observability.ts).
  ...OBSERVABILITY_SETTINGS,

  // Authorization (src/settings/auth.ts). Off by default: `npm start` needs no sign-in.
  ...AUTH_SETTINGS,

  // The wire view and strict mode (src/settings/wire.ts).
  ...WIRE_SETTINGS,
})

export type Config = v.InferOutput<typeof SettingsSchema>

/** Raised for a bad setting; the message names it and never echoes secrets. */
export class ConfigError extends Error {}

const cache = new WeakMap<object, Config>()

/** Parses the settings from `env` (cached per env object: parsing happens once per isolate). */
export const config = (env: unknown): Config => {
  if (typeof env !== 'object' || env === null) throw new ConfigError('Bad setting: no environment')
  const cached = cache.get(env)
  if (cached !== undefined) return cached
  const result = v.safeParse(SettingsSchema, env)
  if (!result.success) {
    throw new ConfigError(`Bad setting: ${describeSettingIssues(result.issues)}`)
  }
  cache.set(env, result.output)
  return result.output
}
