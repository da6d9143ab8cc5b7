// Protocol revisions: the one place that knows how they differ.
//
// MCP is versioned by date. A client names the revision it speaks (in `initialize`, then in the
// `MCP-Protocol-Version` header); the server answers in that revision's shapes. Handlers never
// compare version strings: they ask `rules(revision)` what the revision allows.
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

/** Every revision we serve, newest first: `server/discover` and `-32022` list them all. */
export const SUPPORTED_REVISIONS: readonly Revision[] = [MODERN_REVISION, ...LEGACY_REVISIONS]

export const isLegacyRevision = (value: string): value is LegacyRevision =>
  (LEGACY_REVISIONS as readonly string[]).includes(value)

/** What one revision allows. Each flag names the revision that introduced it. */
export interface RevisionRules {
  revision: Revision
  /** "legacy" (initialize handshake, 2024-11-05 .. 2025-11-25) or "modern" (2026-07-28). */
  era: 'legacy' | 'modern'
  /** 2025-03-26 only: a POST body may be a JSON array of messages (R-JR-17). */
  batches: boolean
  /** 2025-03-26+: `instructions` in InitializeResult, tool `annotations`, audio content. */
  instructions: boolean
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
  /** A resource that does not exist: -32002 until 2025-11-25, -32602 in 2026-07-28 (R-SF-23). */
  resourceNotFound: typeof ErrorCode.ResourceNotFound | typeof ErrorCode.InvalidParams
}

const atLeast = (revision: Revision, since: Revision): boolean => revision >= since

const table = new Map<Revision, RevisionRules>(
  SUPPORTED_REVISIONS.map((revision) => [
    revision,
    {
      revision,
      era: revision === MODERN_REVISION ? 'modern' : 'legacy',
      batches: revision === '2025-03-26',
      instructions: atLeast(revision, '2025-03-26'),
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
      resourceNotFound:
        revision === MODERN_REVISION ? ErrorCode.InvalidParams : ErrorCode.ResourceNotFound,
    },
  ]),
)

/** The rules of a revision we serve. */
export const rules = (revision: Revision): RevisionRules => table.get(revision)!
