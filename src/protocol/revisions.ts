// Protocol revisions: the one place that knows how they differ.
//
// MCP is versioned by date. A client names the revision it speaks (in `initialize`, then in the
// `MCP-Protocol-Version` header; in 2026-07-28 in every request's `_meta`); the server answers in
// that revision's shapes. Nothing outside this module compares version strings: code asks the
// request's `rules` what its revision allows, and this table says it once, each flag beside the
// revision that introduced it.
//
//   rules('2025-03-26').batches            true   (R-JR-17: the only revision with batches)
//   rules('2025-11-25').primingEvents      true   (R-HT-9)
//   rules('2026-07-28').sessions           false  (R-HT-40: no Mcp-Session-Id at all)
//   rules('2026-07-28').status(-32601)     404    (R-HT-35: the status mirrors the error)
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation

import { ErrorCode } from '../jsonrpc/errors.ts'

/** The initialize-era revisions we serve, newest first. */
export const LEGACY_REVISIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const
export type LegacyRevision = (typeof LEGACY_REVISIONS)[number]

/** The stateless revision: no handshake, every request names its version in `_meta`. */
export const MODERN_REVISION = '2026-07-28'
export type ModernRevision = typeof MODERN_REVISION

export type Revision = LegacyRevision | ModernRevision

/** R-LC-3: the answer to an `initialize` asking for a revision we do not serve. */
export const LATEST_LEGACY_REVISION: LegacyRevision = '2025-11-25'

/**
 * R-HT-17 · https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#protocol-version-header
 * Without `MCP-Protocol-Version` (and no other way to know) a server SHOULD assume 2025-03-26.
 */
export const REVISION_WITHOUT_HEADER: LegacyRevision = '2025-03-26'

/** A 2024-11-05 `/sse` session speaks this revision until its `initialize` negotiates one. */
export const LEGACY_SSE_REVISION: LegacyRevision = '2024-11-05'

/** Every revision we serve, newest first: `server/discover` and `-32022` list them all. */
export const SUPPORTED_REVISIONS: readonly Revision[] = [MODERN_REVISION, ...LEGACY_REVISIONS]

/** The revision a version string names, if we serve it. */
export const revisionNamed = (value: string | null | undefined): Revision | null =>
  (SUPPORTED_REVISIONS as readonly (string | null | undefined)[]).includes(value)
    ? (value as Revision)
    : null

export const isLegacyRevision = (value: string): value is LegacyRevision =>
  (LEGACY_REVISIONS as readonly string[]).includes(value)

/**
 * R-LC-3 · https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation
 * If we serve the requested revision we MUST answer with it; otherwise we answer with another
 * we serve (SHOULD be our latest). An unknown version, 2026-07-28 included, is a counter-proposal,
 * never an error.
 */
export const negotiate = (requested: string): LegacyRevision =>
  isLegacyRevision(requested) ? requested : LATEST_LEGACY_REVISION

/** What one revision allows. Each flag names the revision that introduced it. */
export interface RevisionRules {
  revision: Revision
  /** "legacy" (initialize handshake, 2024-11-05 .. 2025-11-25) or "modern" (2026-07-28). */
  era: 'legacy' | 'modern'
  /**
   * The request methods that exist (R-LC-27: 2026-07-28 has no initialize, ping,
   * logging/setLevel, resources/subscribe or unsubscribe; it adds server/discover and
   * subscriptions/listen). Any other method is -32601.
   */
  methods: ReadonlySet<string>
  /** 2025-03-26 only: a POST body may be a JSON array of messages (R-JR-17). */
  batches: boolean
  /** Legacy: a successful `initialize` opens a session (R-HT-13); never in 2026-07-28 (R-HT-40). */
  sessions: boolean
  /** 2025-03-26+ sessions: SSE events carry ids, and streams resume with `Last-Event-ID`. */
  resumableStreams: boolean
  /** 2025-11-25+: a resumable stream opens with a priming event (id, `retry`, empty data, R-HT-9). */
  primingEvents: boolean
  /** 2026-07-28: a client that closes the response stream cancels the call (R-JR-21; not R-HT-8). */
  cancelOnDisconnect: boolean
  /** 2026-07-28: questions to the client are `input_required` rounds (MRTR, R-SF-44), not requests. */
  mrtr: boolean
  /** 2026-07-28: results carry `resultType` (R-JR-11) and the server's identity in `_meta` (R-LC-26). */
  resultType: boolean
  /** 2026-07-28: cacheable results carry `ttlMs` and `cacheScope` (R-SF-35). */
  cacheHints: boolean
  /** The HTTP status of a reply holding one JSON-RPC error with `code` (see `statusOf`). */
  status(code: number): number
  /** 2025-03-26+: tool `annotations`, audio content. */
  toolAnnotations: boolean
  audioContent: boolean
  /** 2025-03-26+: `message` in progress notifications. */
  progressMessage: boolean
  /** 2025-06-18+: `title`, `outputSchema` + `structuredContent`, `resource_link` content. */
  titles: boolean
  structuredContent: boolean
  resourceLinks: boolean
  /** 2025-06-18+: `lastModified` in annotations (audience and priority are in every revision). */
  lastModified: boolean
  /** 2025-06-18+: the `MCP-Protocol-Version` header is checked on every request (R-HT-17). */
  versionHeader: boolean
  /** 2025-11-25+: icons; bad tool arguments are tool errors, not protocol errors (R-SF-7). */
  icons: boolean
  argumentErrorsAsToolErrors: boolean
  /** 2025-11-25+: JSON Schema 2020-12 is the default dialect (R-JR-23). */
  jsonSchema: 'draft-07' | 'draft-2020-12'
  /**
   * 2025-11-25 only: URL elicitations carry an `elicitationId`, and -32042 and
   * `notifications/elicitation/complete` exist (R-SF-42); 2026-07-28 has none of them (R-SF-46).
   */
  urlElicitationIds: boolean
  /** 2026-07-28: `Mcp-Param-*` headers mirror tool arguments marked `x-mcp-header` (R-HT-38). */
  headerParams: boolean
  /** A resource that does not exist: -32002 until 2025-11-25, -32602 in 2026-07-28 (R-SF-23). */
  resourceNotFound: typeof ErrorCode.ResourceNotFound | typeof ErrorCode.InvalidParams
}

const COMMON_METHODS = [
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
]
const LEGACY_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
  ...COMMON_METHODS,
])
const MODERN_METHODS: ReadonlySet<string> = new Set([
  'server/discover',
  'subscriptions/listen',
  ...COMMON_METHODS,
])

/**
 * 2026-07-28: the status mirrors the error, so intermediaries and dual-era clients can tell
 * (R-HT-34, R-HT-35, R-LC-21, R-LC-25). Legacy (2025-03-26 .. 2025-11-25): a request that reached
 * dispatch is answered 200 whatever its outcome; only transport-level refusals are 4xx, and those
 * use this same table (`refusalStatus`).
 */
const MODERN_STATUS = new Map<number, number>([
  [ErrorCode.ParseError, 400],
  [ErrorCode.InvalidRequest, 400],
  [ErrorCode.MethodNotFound, 404],
  [ErrorCode.InvalidParams, 400],
  [ErrorCode.InternalError, 500],
  [ErrorCode.HeaderMismatch, 400],
  [ErrorCode.MissingRequiredClientCapability, 400],
  [ErrorCode.UnsupportedProtocolVersion, 400],
])

/** The status of a transport-level refusal (before any revision applies) carrying `code`. */
export const refusalStatus = (code: number): number => MODERN_STATUS.get(code) ?? 400

const atLeast = (revision: Revision, since: Revision): boolean => revision >= since

const table = new Map<Revision, RevisionRules>(
  SUPPORTED_REVISIONS.map((revision) => {
    const modern = revision === MODERN_REVISION
    return [
      revision,
      {
        revision,
        era: modern ? 'modern' : 'legacy',
        methods: modern ? MODERN_METHODS : LEGACY_METHODS,
        batches: revision === '2025-03-26',
        sessions: !modern,
        resumableStreams: !modern && atLeast(revision, '2025-03-26'),
        primingEvents: !modern && atLeast(revision, '2025-11-25'),
        cancelOnDisconnect: modern,
        mrtr: modern,
        resultType: modern,
        cacheHints: modern,
        status: modern ? refusalStatus : () => 200,
        toolAnnotations: atLeast(revision, '2025-03-26'),
        audioContent: atLeast(revision, '2025-03-26'),
        progressMessage: atLeast(revision, '2025-03-26'),
        titles: atLeast(revision, '2025-06-18'),
        structuredContent: atLeast(revision, '2025-06-18'),
        resourceLinks: atLeast(revision, '2025-06-18'),
        lastModified: atLeast(revision, '2025-06-18'),
        versionHeader: atLeast(revision, '2025-06-18'),
        icons: atLeast(revision, '2025-11-25'),
        argumentErrorsAsToolErrors: atLeast(revision, '2025-11-25'),
        jsonSchema: atLeast(revision, '2025-11-25') ? 'draft-2020-12' : 'draft-07',
        urlElicitationIds: revision === '2025-11-25',
        headerParams: modern,
        resourceNotFound: modern ? ErrorCode.InvalidParams : ErrorCode.ResourceNotFound,
      } satisfies RevisionRules,
    ]
  }),
)

/** The rules of a revision we serve. */
export const rules = (revision: Revision): RevisionRules => table.get(revision)!
