// Strict mode's rules: what a conforming client MUST NOT send (refused) and what it only SHOULD
// do (a warning), each by its rule id (SPEC_NOTES.md), the spec's own words, the page that says
// them, and how to fix it. Strict mode is for client authors (`STRICT=true`, or the
// `/mcp/strict` endpoint); the default server stays lenient.
//
// A refusal is a JSON-RPC error whose message names the rule and quotes it, with the same facts
// in `data`, so a person and a program both read it:
//
//   HTTP/1.1 400
//   {"jsonrpc":"2.0","id":2,"error":{"code":-32600,
//     "message":"R-LC-11 (strict): MCP-Protocol-Version is missing; this session negotiated
//                2025-11-25. The spec: \"If using HTTP, the client MUST include ...\"",
//     "data":{"strict":true,"rule":"R-LC-11","quote":"...","spec":"https://...","fix":"..."}}}
//
// A warning changes nothing: the request is served, and the response carries
// `Mcp-Strict-Warnings: R-LC-4` (the wire view's report lists each with its text).

import { ErrorCode, type JSONRPCErrorObject } from '../jsonrpc/errors.ts'

const SPEC = 'https://modelcontextprotocol.io/specification'

/** One rule strict mode checks. */
export interface StrictRule {
  /** error: refused (400); warning: served, and reported. */
  level: 'error' | 'warning'
  /** The spec's words (MUST, SHOULD, ...), verbatim. */
  quote: string
  /** The spec page and section that say it. */
  spec: string
  /** What a client author changes. */
  fix: string
  /** The JSON-RPC code of the refusal (the spec's own where it names one). */
  code: number
}

export const STRICT_RULES = {
  'R-LC-11': {
    level: 'error',
    quote:
      'If using HTTP, the client MUST include the MCP-Protocol-Version: <protocol-version> HTTP header on all subsequent requests to the MCP server.',
    spec: `${SPEC}/2025-11-25/basic/transports#protocol-version-header`,
    fix: 'After initialize, send MCP-Protocol-Version with the version the InitializeResult named on every request of the session: POST, GET and DELETE.',
    code: ErrorCode.InvalidRequest,
  },
  'R-HT-4': {
    level: 'error',
    quote:
      'The client MUST include an Accept header, listing both application/json and text/event-stream as supported content types.',
    spec: `${SPEC}/2025-11-25/basic/transports#sending-messages-to-the-server`,
    fix: 'Send Accept: application/json, text/event-stream on every POST, and handle both kinds of answer.',
    code: ErrorCode.InvalidRequest,
  },
  'R-JR-17': {
    level: 'error',
    quote:
      'The body of the POST request MUST be a single JSON-RPC request, notification, or response.',
    spec: `${SPEC}/2025-11-25/basic/transports#sending-messages-to-the-server`,
    fix: 'POST each message on its own; JSON-RPC batches exist only in 2025-03-26.',
    code: ErrorCode.InvalidRequest,
  },
  'R-JR-4': {
    level: 'error',
    quote:
      'The request ID MUST NOT have been previously used by the requestor within the same session.',
    spec: `${SPEC}/2025-11-25/basic#requests`,
    fix: 'Give every request of a session a new id (a counter will do).',
    code: ErrorCode.InvalidRequest,
  },
  'R-JR-5': {
    level: 'error',
    quote: 'Result responses MUST include the same ID as the request they correspond to.',
    spec: `${SPEC}/2025-11-25/basic#responses`,
    fix: 'POST a response only to a request this server sent you (on an SSE stream of your session), with that request’s id.',
    code: ErrorCode.InvalidRequest,
  },
  'R-HT-34': {
    level: 'error',
    quote:
      'Every POST request to the MCP endpoint MUST include an MCP-Protocol-Version header. The header value MUST match the io.modelcontextprotocol/protocolVersion field carried in the request body’s _meta.',
    spec: `${SPEC}/2026-07-28/basic/transports/streamable-http#protocol-version-header`,
    fix: 'Send MCP-Protocol-Version: 2026-07-28 with every 2026-07-28 request, equal to the version in _meta.',
    code: ErrorCode.HeaderMismatch,
  },
  'R-LC-21': {
    level: 'error',
    quote:
      'Client requests carry the following io.modelcontextprotocol/* fields in _meta; fields marked as required MUST be included on every request.',
    spec: `${SPEC}/2026-07-28/basic#meta`,
    fix: 'Put io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities in params._meta of every 2026-07-28 request.',
    code: ErrorCode.InvalidParams,
  },
  'R-HT-36': {
    level: 'error',
    quote:
      'Mcp-Method (from method) on all requests; Mcp-Name (from params.name or params.uri) on tools/call, resources/read and prompts/get requests. These headers are REQUIRED for compliance.',
    spec: `${SPEC}/2026-07-28/basic/transports/streamable-http#standard-request-headers`,
    fix: 'Send Mcp-Method equal to the body’s method, and on tools/call, prompts/get and resources/read an Mcp-Name equal to params.name (params.uri), Base64-wrapped as =?base64?…?= when it is not plain ASCII.',
    code: ErrorCode.HeaderMismatch,
  },
  'R-JR-18': {
    level: 'error',
    quote:
      'Any prefix where the second label is modelcontextprotocol or mcp is reserved for MCP use. … Labels MUST start with a letter and end with a letter or digit; … [a name,] unless empty, MUST begin and end with an alphanumeric character.',
    spec: `${SPEC}/2025-11-25/basic#meta`,
    fix: 'Name your own _meta keys under your own reverse-DNS prefix (com.example/key); use the reserved io.modelcontextprotocol/ keys only as the spec defines them.',
    code: ErrorCode.InvalidParams,
  },
  'R-HT-12': {
    level: 'error',
    quote:
      'If the client wishes to resume after a disconnection (…), it SHOULD issue an HTTP GET to the MCP endpoint, and include the Last-Event-ID header to indicate the last event ID it received. … The server MUST NOT replay messages that would have been delivered on a different stream.',
    spec: `${SPEC}/2025-11-25/basic/transports#resumability-and-redelivery`,
    fix: 'Resume with the id of the last event you received on that stream of this session; never an id from another session, or one you made up.',
    code: ErrorCode.InvalidRequest,
  },
  'R-LC-8': {
    level: 'error',
    quote:
      'Both parties MUST: Respect the negotiated protocol version; Only use capabilities that were successfully negotiated.',
    spec: `${SPEC}/2025-11-25/basic/lifecycle#operation`,
    fix: 'Declare a capability in initialize before using it: roots: { listChanged: true } before sending notifications/roots/list_changed.',
    code: ErrorCode.InvalidRequest,
  },
  'R-LC-20': {
    level: 'warning',
    quote:
      'Clients SHOULD include io.modelcontextprotocol/clientInfo on every request unless specifically configured not to do so.',
    spec: `${SPEC}/2026-07-28/basic#meta`,
    fix: 'Add io.modelcontextprotocol/clientInfo: { name, version } to params._meta of every request.',
    code: ErrorCode.InvalidParams,
  },
  'R-LC-4': {
    level: 'warning',
    quote:
      'After successful initialization, the client MUST send an initialized notification to indicate it is ready to begin normal operations.',
    spec: `${SPEC}/2025-11-25/basic/lifecycle#initialization`,
    fix: 'POST notifications/initialized as soon as the InitializeResult arrives, and wait for its 202 before other requests (pings may go earlier).',
    code: ErrorCode.InvalidRequest,
  },
} as const satisfies Record<string, StrictRule>

export type StrictRuleId = keyof typeof STRICT_RULES

/** What one request did against one rule: the rule, and what exactly happened. */
export interface Finding {
  rule: StrictRuleId
  detail: string
}

/** The response header that lists the warnings of a served request: rule ids, comma-separated. */
export const WARNING_HEADER = 'Mcp-Strict-Warnings'

/** Whether a finding refuses the request (else it is a warning). */
export const refuses = (finding: Finding): boolean => STRICT_RULES[finding.rule].level === 'error'

/** The JSON-RPC error that refuses a request for `finding`, naming and quoting its rule. */
export const strictError = (finding: Finding): JSONRPCErrorObject => {
  const rule: StrictRule = STRICT_RULES[finding.rule]
  return {
    code: rule.code,
    message: `${finding.rule} (strict): ${finding.detail}. The spec: "${rule.quote}"`,
    data: {
      strict: true,
      rule: finding.rule,
      detail: finding.detail,
      quote: rule.quote,
      spec: rule.spec,
      fix: rule.fix,
    },
  }
}

/** The warnings header's value for these findings (null: none). */
export const warningsHeader = (findings: readonly Finding[]): string | null => {
  const ids = [...new Set(findings.filter((finding) => !refuses(finding)).map((f) => f.rule))]
  return ids.length === 0 ? null : ids.join(', ')
}

/** The strict rule ids a warnings header names (unknown ids dropped). */
export const warningsIn = (value: string | null): StrictRuleId[] =>
  (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id): id is StrictRuleId => id in STRICT_RULES)
