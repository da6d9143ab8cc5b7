// Which revision a POST speaks, decided per request from the body and the headers.
//
// Digest section 4 gives the order of checks for a server that serves every revision:
//   1. a body whose `params._meta` carries "io.modelcontextprotocol/protocolVersion" claims the
//      2026-07-28 (stateless) era; we do not serve it yet, so it gets -32022 naming what we do
//      serve, which tells a dual-era client (ChatGPT) to fall back to `initialize`;
//   2. `initialize` without that claim is the legacy handshake: the header is ignored on it and
//      the handler negotiates (R-LC-3, digest §3 item 5c);
//   3. otherwise `MCP-Protocol-Version` names the revision; absent means 2025-03-26 (R-HT-17);
//      present but not one we serve is 400 (R-HT-17) with the supported list.

import { unsupportedProtocolVersion, type JSONRPCErrorObject } from '../jsonrpc/errors.ts'
import type { JSONRPCMessage, Parsed, RequestId } from '../jsonrpc/message.ts'
import {
  isLegacyRevision,
  REVISION_WITHOUT_HEADER,
  SUPPORTED_REVISIONS,
  type LegacyRevision,
} from '../protocol/revisions.ts'

/** The `_meta` key by which a 2026-07-28 request names its revision (R-LC-20). */
export const MODERN_VERSION_KEY = 'io.modelcontextprotocol/protocolVersion'

export type Era =
  | { ok: true; revision: LegacyRevision }
  | { ok: false; status: number; error: JSONRPCErrorObject; id: RequestId | null }

/** The modern-era claim in a message's `params._meta`, if any. */
const modernClaim = (
  parsed: Parsed<JSONRPCMessage>,
): { claim: string; id: RequestId | null } | null => {
  if (!parsed.ok || parsed.value.kind === 'response') return null
  const meta = parsed.value.message.params?._meta
  if (typeof meta !== 'object' || meta === null || !(MODERN_VERSION_KEY in meta)) return null
  const claim = (meta as Record<string, unknown>)[MODERN_VERSION_KEY]
  const id = parsed.value.kind === 'request' ? parsed.value.message.id : null
  return { claim: typeof claim === 'string' ? claim : JSON.stringify(claim), id }
}

const isInitialize = (parsed: Parsed<JSONRPCMessage>): boolean =>
  parsed.ok && parsed.value.kind === 'request' && parsed.value.message.method === 'initialize'

/** Decides the revision of a POST holding `messages` (one, or a batch). */
export const chooseRevision = (
  header: string | null,
  messages: readonly Parsed<JSONRPCMessage>[],
): Era => {
  for (const message of messages) {
    const modern = modernClaim(message)
    if (modern !== null) {
      return {
        ok: false,
        status: 400,
        error: unsupportedProtocolVersion(modern.claim, SUPPORTED_REVISIONS),
        id: modern.id,
      }
    }
  }
  const [first] = messages
  if (messages.length === 1 && first !== undefined && isInitialize(first)) {
    return { ok: true, revision: REVISION_WITHOUT_HEADER }
  }
  if (header === null) return { ok: true, revision: REVISION_WITHOUT_HEADER }
  const requested = header.trim()
  if (isLegacyRevision(requested)) return { ok: true, revision: requested }
  const id = first?.ok === true && first.value.kind === 'request' ? first.value.message.id : null
  return {
    ok: false,
    status: 400,
    error: unsupportedProtocolVersion(requested, SUPPORTED_REVISIONS),
    id: messages.length === 1 ? id : null,
  }
}
