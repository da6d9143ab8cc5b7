// Which era, and which revision, a POST speaks: decided per request from the body and headers.
//
// One endpoint serves both eras (R-LC-29). The body is primary, headers are a cross-check
// (digest section 4), in this order:
//
//   1. a batch (JSON array) is legacy 2025-03-26 only; a member or header claiming 2026-07-28
//      spoils it;
//   2. a message whose `params._meta` carries "io.modelcontextprotocol/protocolVersion" claims
//      the 2026-07-28 era and is validated as such (see `modern` below);
//   3. `initialize` without that claim is the legacy handshake: the header is ignored on it and
//      the handler negotiates (R-LC-3, digest §3 item 14);
//   4. a 2026-07-28 `MCP-Protocol-Version` header without the `_meta` claim is a malformed modern
//      request: 400, -32602 naming the missing keys (R-LC-21);
//   5. otherwise the header names a legacy revision; absent means 2025-03-26 (R-HT-17); anything
//      else is 400 with -32022 listing every version we serve.
//
// A legacy request never sees modern fields, and the reverse: the verdict carries the revision,
// and its `rules` shape everything downstream. This is decided once per request, in the Worker;
// a session's shard gets the verdict with the request (src/pipeline/forward.ts).

import * as v from 'valibot'
import { LOG_LEVELS, type LoggingLevel } from '../settings/config.ts'
import {
  headerMismatch,
  invalidParams,
  invalidRequest,
  methodNotFound,
  unsupportedProtocolVersion,
  type JSONRPCErrorObject,
} from '../jsonrpc/errors.ts'
import { cut, describeIssues } from '../jsonrpc/issues.ts'
import {
  idOf,
  ObjectSchema,
  type JSONRPCMessage,
  type Parsed,
  type RequestId,
} from '../jsonrpc/message.ts'
import {
  isLegacyRevision,
  MODERN_REVISION,
  refusalStatus,
  REVISION_WITHOUT_HEADER,
  revisionNamed,
  rules,
  SUPPORTED_REVISIONS,
  type LegacyRevision,
  type ModernRevision,
} from './revisions.ts'
import { decodeHeaderValue } from '../http/header-value.ts'

/** The `_meta` keys of a 2026-07-28 request (R-LC-20). */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const

/** What a 2026-07-28 request declares about itself in `_meta`. */
export interface ModernRequestMeta {
  clientCapabilities: Record<string, unknown>
  clientInfo: Record<string, unknown> | null
  /** null: the request did not ask for log messages, so it gets none (R-SF-32). */
  logLevel: LoggingLevel | null
}

/** The era and revision of a request that passed; see `Era`. */
export type EraOf =
  | { era: 'legacy'; revision: LegacyRevision }
  | { era: 'modern'; revision: ModernRevision; meta: ModernRequestMeta }

/** The verdict: the era, or the refusal (its HTTP status mirrors the error, R-HT-35). */
export type Era =
  | ({ ok: true } & EraOf)
  | {
      ok: false
      status: number
      error: JSONRPCErrorObject
      id: RequestId | null
      /** The client's rule the request broke, where it is one (strict mode names it). */
      rule?: 'R-HT-34' | 'R-LC-21' | 'R-HT-36'
    }

type Message = Parsed<JSONRPCMessage>

const reject = (
  error: JSONRPCErrorObject,
  id: RequestId | null,
  rule?: 'R-HT-34' | 'R-LC-21' | 'R-HT-36',
): Era => ({
  ok: false,
  status: refusalStatus(error.code),
  error,
  id,
  ...(rule === undefined ? {} : { rule }),
})

const metaOf = (message: Message): Record<string, unknown> | null => {
  if (!message.ok || message.value.kind === 'response') return null
  const meta = message.value.message.params?._meta
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta)
    ? (meta as Record<string, unknown>)
    : null
}

const claimsModern = (message: Message): boolean => {
  const meta = metaOf(message)
  return meta !== null && META.protocolVersion in meta
}

/** The request headers era rules read (a `Headers` object will do; nothing else of HTTP). */
export interface HeaderView {
  get(name: string): string | null
}

/** Decides the era and revision of a POST holding `messages` (one, or a batch). */
export const chooseEra = (
  headers: HeaderView,
  messages: readonly Message[],
  batch: boolean,
): Era => {
  const header = headers.get('mcp-protocol-version')?.trim() ?? null
  if (batch) {
    // 1. R-JR-17: 2026-07-28 bodies are a single message, whether the members or the header
    //    claim that revision.
    if (messages.some(claimsModern) || eraOfHeader(header) === 'modern') {
      return reject(
        invalidRequest('A 2026-07-28 request must be a single message, not a batch'),
        null,
      )
    }
    return legacy(header, null)
  }
  const [message] = messages
  if (message === undefined) return reject(invalidRequest('Empty body'), null)
  // 2. The body's claim decides.
  if (claimsModern(message)) return modern(headers, header, message)
  // 3. The legacy handshake ignores the header.
  if (
    message.ok &&
    message.value.kind === 'request' &&
    message.value.message.method === 'initialize'
  ) {
    return { ok: true, era: 'legacy', revision: REVISION_WITHOUT_HEADER }
  }
  // 4. A modern header without the modern body.
  if (header !== null && eraOfHeader(header) === 'modern') {
    return reject(
      invalidParams(
        `Missing _meta keys for ${MODERN_REVISION}: ${META.protocolVersion}, ${META.clientCapabilities}`,
      ),
      idOf(message),
      'R-LC-21',
    )
  }
  return legacy(header, idOf(message))
}

/** 5. R-HT-17: the legacy revision named by the header, 2025-03-26 without one. */
const legacy = (header: string | null, id: RequestId | null): Era => {
  if (header === null) return { ok: true, era: 'legacy', revision: REVISION_WITHOUT_HEADER }
  if (isLegacyRevision(header)) return { ok: true, era: 'legacy', revision: header }
  return reject(unsupportedProtocolVersion(header, SUPPORTED_REVISIONS), id)
}

/** The era a version header names, if it names a revision we serve. */
export const eraOfHeader = (header: string | null | undefined): 'legacy' | 'modern' | null => {
  const revision = revisionNamed(header?.trim())
  return revision === null ? null : rules(revision).era
}

/** R-LC-20: the required keys, and the optional ones when present. */
const ModernMetaSchema = v.looseObject({
  [META.protocolVersion]: v.string('must be a string'),
  [META.clientCapabilities]: ObjectSchema,
  [META.clientInfo]: v.optional(
    v.looseObject({ name: v.string('must be a string'), version: v.string('must be a string') }),
  ),
  [META.logLevel]: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)),
})

/** Methods whose `Mcp-Name` header mirrors a body field (R-HT-36). */
const NAMED: Record<string, 'name' | 'uri'> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
}

/**
 * 2026-07-28 validation, in the order of digest §4.4 (which the conformance suite follows):
 * header present (-32020) -> required `_meta` keys (-32602) -> header equals `_meta` version
 * (-32020) -> version served (-32022) -> `Mcp-Method` / `Mcp-Name` (-32020) -> method exists
 * (404, -32601). All 400s but the last.
 *
 * https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#server-validation
 */
const modern = (headers: HeaderView, header: string | null, message: Message): Era => {
  const id = idOf(message)
  // R-HT-34: every POST carries MCP-Protocol-Version.
  if (header === null)
    return reject(headerMismatch('Missing MCP-Protocol-Version header'), id, 'R-HT-34')
  // R-LC-21: a request without its required _meta keys is malformed.
  const parsed = v.safeParse(ModernMetaSchema, metaOf(message))
  if (!parsed.success) {
    return reject(invalidParams(`_meta: ${describeIssues(parsed.issues)}`), id, 'R-LC-21')
  }
  const meta = parsed.output
  const claimed = meta[META.protocolVersion]
  // R-HT-34: the header must equal the body's version.
  if (header !== claimed) {
    return reject(
      headerMismatch(
        `Header mismatch: MCP-Protocol-Version '${cut(header)}' does not match _meta '${cut(claimed)}'`,
      ),
      id,
      'R-HT-34',
    )
  }
  // R-LC-22: a version we do not serve (in this era).
  if (eraOfHeader(claimed) !== 'modern') {
    return reject(unsupportedProtocolVersion(claimed, SUPPORTED_REVISIONS), id)
  }
  if (!message.ok || message.value.kind === 'response') {
    return reject(invalidRequest('Clients must not send responses in 2026-07-28'), id)
  }
  const verdict: Era = {
    ok: true,
    era: 'modern',
    revision: MODERN_REVISION,
    meta: {
      clientCapabilities: meta[META.clientCapabilities],
      clientInfo: meta[META.clientInfo] ?? null,
      logLevel: meta[META.logLevel] ?? null,
    },
  }
  // R-HT-31: header rules for notification POSTs are not defined; they are simply accepted.
  if (message.value.kind === 'notification') return verdict
  const { method, params } = message.value.message
  // R-HT-36, R-HT-37: the standard headers mirror the body.
  const methodHeader = headers.get('mcp-method')
  if (methodHeader === null)
    return reject(headerMismatch('Missing Mcp-Method header'), id, 'R-HT-36')
  if (methodHeader !== method) {
    return reject(
      headerMismatch(
        `Header mismatch: Mcp-Method '${cut(methodHeader)}' does not match body '${cut(method)}'`,
      ),
      id,
      'R-HT-36',
    )
  }
  const field = NAMED[method]
  if (field !== undefined) {
    const raw = headers.get('mcp-name')
    if (raw === null) return reject(headerMismatch('Missing Mcp-Name header'), id, 'R-HT-36')
    const named = decodeHeaderValue(raw)
    if (named === null)
      return reject(headerMismatch('Mcp-Name header has invalid characters'), id, 'R-HT-36')
    const body = params?.[field]
    if (named !== body) {
      return reject(
        headerMismatch(
          `Header mismatch: Mcp-Name '${cut(named)}' does not match body ${field} ${typeof body === 'string' ? `'${cut(body)}'` : `(a ${body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body})`}`,
        ),
        id,
        'R-HT-36',
      )
    }
  }
  // R-HT-35, R-LC-27: an unknown (or legacy-only) method is 404 with -32601.
  if (!rules(MODERN_REVISION).methods.has(method)) return reject(methodNotFound(method), id)
  return verdict
}
