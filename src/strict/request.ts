// Strict mode's checks of one request, from what the Worker already knows of it (headers,
// messages, the era decided in src/protocol/era.ts): a pure function, run as a pipeline stage
// after the era. The checks that need a session's history (ids reused, Last-Event-ID, what
// initialize declared) run in the session's shard (session.ts).

import { parseMediaType } from '../http/media-type.ts'
import type { JSONRPCMessage, Parsed } from '../jsonrpc/message.ts'
import type { EraOf, HeaderView } from '../protocol/era.ts'
import { rules } from '../protocol/revisions.ts'
import { metaFindings } from './meta.ts'
import type { Finding } from './rules.ts'

/** What strict mode reads of a POST. */
export interface RequestFacts {
  /** `mcp`: Streamable HTTP; `messages`: a 2024-11-05 POST (no Accept rule there). */
  endpoint: 'mcp' | 'messages'
  headers: HeaderView
  messages: readonly Parsed<JSONRPCMessage>[]
  batch: boolean
  /** The era the request speaks (null on /messages: the session's revision decides). */
  era: EraOf | null
  /** Whether the request names a session (then its shard checks the rest). */
  sessionful: boolean
}

/**
 * R-HT-4: the Accept header must name both types itself (`*\/*` or no header admits them, but
 * does not list them, which is what the rule asks).
 */
const listsBoth = (accept: string | null): boolean => {
  const types = new Set(
    (accept ?? '')
      .split(',')
      .map(parseMediaType)
      .filter((media) => media !== null && !/^0(\.0{0,3})?$/.test(media.params.get('q') ?? ''))
      .map((media) => media!.essence),
  )
  return types.has('application/json') && types.has('text/event-stream')
}

/** The findings of one POST, in the order a client author would fix them. */
export const requestFindings = (facts: RequestFacts): Finding[] => {
  const findings: Finding[] = []
  const { era, headers } = facts
  if (facts.endpoint === 'mcp' && !listsBoth(headers.get('accept'))) {
    findings.push({
      rule: 'R-HT-4',
      detail: `Accept is ${JSON.stringify(headers.get('accept') ?? '')}, which does not list both application/json and text/event-stream`,
    })
  }
  // R-JR-17: by the header's revision; inside a session the shard checks the negotiated one.
  if (facts.batch && era?.era === 'legacy' && !rules(era.revision).batches) {
    findings.push({
      rule: 'R-JR-17',
      detail: `a JSON-RPC batch of ${facts.messages.length} messages in protocol version ${era.revision}`,
    })
  }
  // R-JR-18: the key rules exist from 2025-06-18 on.
  if (era !== null && (era.era === 'modern' || rules(era.revision).versionHeader)) {
    for (const parsed of facts.messages) {
      if (!parsed.ok) continue
      const { value } = parsed
      const meta =
        value.kind === 'response'
          ? 'result' in value.message
            ? value.message.result._meta
            : undefined
          : value.message.params?._meta
      findings.push(...metaFindings(meta))
    }
  }
  // R-JR-5: without a session this server never sends a request, so no response can be due.
  if (!facts.sessionful && facts.endpoint === 'mcp') {
    for (const parsed of facts.messages) {
      if (parsed.ok && parsed.value.kind === 'response') {
        findings.push({
          rule: 'R-JR-5',
          detail: `a response to id ${JSON.stringify(parsed.value.message.id)}, but without a session this server sends no requests`,
        })
      }
    }
  }
  // R-LC-20 (a SHOULD): 2026-07-28 requests name their client.
  if (era?.era === 'modern' && era.meta.clientInfo === null) {
    const [first] = facts.messages
    if (first?.ok === true && first.value.kind === 'request') {
      findings.push({
        rule: 'R-LC-20',
        detail: `${first.value.message.method} has no io.modelcontextprotocol/clientInfo in _meta`,
      })
    }
  }
  return findings
}
