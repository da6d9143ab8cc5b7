// What one exchange was, operation by operation: each JSON-RPC request or notification the
// client sent, matched by id to its response (in the JSON body, or in a `data:` of the SSE
// stream), with what the logs and metrics need to know of it. An exchange that carried no
// message (a GET stream, a DELETE, a request refused before its body was read) is one operation
// of its own, named by its HTTP method and path. Pure: the tests feed it exchanges by hand.
//
//   POST /mcp {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add",...}}
//   200       {"jsonrpc":"2.0","id":3,"result":{"content":[...]}}
//   -> [{ method: 'tools/call', id: '3', tool: 'add', errorType: null, durationMs: 4, ... }]
//
// Names follow the OpenTelemetry semantic conventions for MCP (gen-ai/mcp.md): `error.type` is
// the JSON-RPC error code as a string, `tool_error` for a tool result with `isError: true`, else
// the HTTP status of a refusal that carried no JSON-RPC error. Arguments and results are kept
// here only as text to measure and digest; nothing else of a body is.

import type { Exchange } from './exchange.ts'
import type { JSONRPCMessage, Parsed } from '../jsonrpc/message.ts'
import { traceparentOf } from './trace.ts'

/** What a client said it is, as logged. */
export interface ClientInfo {
  name: string
  version: string
}

export interface Operation {
  /** `request`, `notification`, a client's `response` to a server request, or `http` (no message). */
  kind: 'request' | 'notification' | 'response' | 'http'
  /** The JSON-RPC method (`mcp.method.name`); null when none was read. */
  method: string | null
  /** What operations are grouped by: the method, else `<HTTP method> <path>`. */
  name: string
  /** `jsonrpc.request.id`, as a string. */
  id: string | null
  /** `gen_ai.tool.name`, `gen_ai.prompt.name`, `mcp.resource.uri`. */
  tool: string | null
  prompt: string | null
  resource: string | null
  /** `mcp.protocol.version`: the negotiated revision (initialize: the one its result names). */
  revision: string | null
  session: string | null
  /** `streamable-http`, or `sse` for the 2024-11-05 HTTP+SSE transport. */
  transport: 'streamable-http' | 'sse'
  httpMethod: string
  path: string
  status: number | null
  durationMs: number
  client: ClientInfo | null
  /** Who called (AUTH=true): subject, OAuth client id, and how they proved it. */
  subject: string | null
  clientId: string | null
  via: 'oauth' | 'api-key' | null
  /** The client's address as Cloudflare saw it. */
  address: string | null
  /** Set when the operation failed (see the header). */
  errorType: string | null
  /** The JSON-RPC error code of the response, when it was one. */
  code: number | null
  /** A W3C traceparent from `params._meta` or the HTTP header, when well formed. */
  traceparent: string | null
  /** `tools/call` only: the arguments and the result as JSON text, to measure and digest. */
  arguments: string | null
  result: string | null
}

/** A JSON-RPC message of a response, loosely: only what is read here. */
interface Answer {
  id?: unknown
  method?: unknown
  result?: unknown
  error?: { code?: unknown }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The JSON-RPC messages (objects) of one JSON text, a batch spread; none if it does not parse. */
export const answersIn = (text: string | null | undefined): Answer[] => {
  if (text === null || text === undefined || text === '') return []
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return [] // not JSON (an empty priming event, a cut body): nothing to read
  }
  return (Array.isArray(value) ? value : [value]).filter(isObject) as Answer[]
}

/** An id as logged: `jsonrpc.request.id` is a string. */
const idText = (id: unknown): string | null =>
  typeof id === 'string' || typeof id === 'number' ? String(id) : null

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** The path of a request target (its query may name a session: logged apart, as the session). */
const pathOf = (target: string): string => {
  const query = target.indexOf('?')
  return query === -1 ? target : target.slice(0, query)
}

/** `mcp.session.id`: the header's, the /messages query's, or the one a /sse stream announced. */
const sessionOf = (exchange: Exchange): string | null => {
  if (exchange.session !== null) return exchange.session
  const query = exchange.request.target.indexOf('?')
  if (query !== -1) {
    const named = new URLSearchParams(exchange.request.target.slice(query)).get('sessionId')
    if (named !== null) return named
  }
  const endpoint = exchange.frames.find((frame) => frame.event === 'endpoint')?.data
  if (endpoint === undefined) return null
  const start = endpoint.indexOf('?')
  return start === -1 ? null : new URLSearchParams(endpoint.slice(start)).get('sessionId')
}

const headerOf = (exchange: Exchange, name: string): string | null =>
  exchange.request.headers.find(([key]) => key === name)?.[1] ?? null

/** What failed, from a response message: its error code, or `tool_error`. */
const failureOf = (
  method: string | null,
  answer: Answer,
): { errorType: string | null; code: number | null } => {
  if (isObject(answer.error)) {
    const code = typeof answer.error.code === 'number' ? answer.error.code : null
    return { errorType: code === null ? '_OTHER' : String(code), code }
  }
  if (method === 'tools/call' && isObject(answer.result) && answer.result.isError === true) {
    return { errorType: 'tool_error', code: null }
  }
  return { errorType: null, code: null }
}

/**
 * What failed for an operation without a response of its own: the JSON-RPC error the body
 * carried (a refusal names the request's id, or null), else an HTTP status of 400 or more; a
 * POST whose stream its client left before the answer came is `client_disconnected`.
 */
const refusalOf = (
  exchange: Exchange,
  answers: () => readonly Answer[],
  kind: Operation['kind'],
): { errorType: string | null; code: number | null } => {
  const status = exchange.status ?? 0
  if (status >= 400) {
    const error = answers().find((answer) => isObject(answer.error) && answer.id === null)
    return error === undefined ? { errorType: String(status), code: null } : failureOf(null, error)
  }
  if (kind === 'request' && exchange.abandoned) {
    return { errorType: 'client_disconnected', code: null }
  }
  return { errorType: null, code: null }
}

/** The operations of one exchange; `body` is the whole JSON response body, when there was one. */
export const operationsOf = (exchange: Exchange, body: string | null = null): Operation[] => {
  // Every response message, with when it was sent (a frame's time; the end for a JSON body),
  // read only when needed: a GET stream's frames are never parsed.
  let sent: { answer: Answer; at: number | null }[] | null = null
  const sentAll = () =>
    (sent ??= [
      ...answersIn(body ?? exchange.responseBody).map((answer) => ({ answer, at: null })),
      ...exchange.frames.flatMap((frame) =>
        answersIn(frame.data).map((answer) => ({ answer, at: frame.at as number | null })),
      ),
    ])
  const answers = () => sentAll().map(({ answer }) => answer)

  const endedAt = exchange.endedAt ?? Date.now()
  const path = pathOf(exchange.request.target)
  const principal = exchange.principal
  const common = {
    session: sessionOf(exchange),
    transport: exchange.endpoint === 'mcp' ? ('streamable-http' as const) : ('sse' as const),
    httpMethod: exchange.request.method,
    path,
    status: exchange.status,
    client: exchange.client,
    subject: principal?.subject ?? null,
    clientId: principal?.clientId ?? null,
    via: principal?.via ?? null,
    address: headerOf(exchange, 'cf-connecting-ip'),
  }
  const revision = exchange.era?.revision ?? headerOf(exchange, 'mcp-protocol-version')
  const headerTrace = traceparentOf(headerOf(exchange, 'traceparent'))
  const messages: readonly Parsed<JSONRPCMessage>[] = exchange.messages ?? []

  if (messages.length === 0) {
    // 2026-07-28 names the method in a header, so even a request refused before its body was
    // read says what it was.
    const named = exchange.era?.era !== 'legacy' ? headerOf(exchange, 'mcp-method') : null
    const failed = refusalOf(exchange, answers, 'http')
    return [
      {
        ...common,
        kind: 'http',
        method: named,
        name: named ?? `${exchange.request.method} ${path}`,
        id: null,
        tool: null,
        prompt: null,
        resource: null,
        revision,
        durationMs: endedAt - exchange.startedAt,
        ...failed,
        traceparent: headerTrace,
        arguments: null,
        result: null,
      },
    ]
  }

  const byId = new Map<string, { answer: Answer; at: number | null }>()
  for (const { answer, at } of sentAll()) {
    const id = idText(answer.id)
    if (id !== null && answer.method === undefined && !byId.has(id)) byId.set(id, { answer, at })
  }
  return messages.map((parsed): Operation => {
    if (!parsed.ok) {
      // A message that did not parse: its error, and its id if that could be read.
      const id = idText(parsed.id)
      return {
        ...common,
        kind: 'request',
        method: null,
        name: `${exchange.request.method} ${path}`,
        id,
        tool: null,
        prompt: null,
        resource: null,
        revision,
        durationMs: endedAt - exchange.startedAt,
        errorType: String(parsed.error.code),
        code: parsed.error.code,
        traceparent: headerTrace,
        arguments: null,
        result: null,
      }
    }
    const { kind, message } = parsed.value
    if (kind === 'response') {
      return {
        ...common,
        kind,
        method: null,
        name: 'response',
        id: idText(message.id),
        tool: null,
        prompt: null,
        resource: null,
        revision,
        durationMs: endedAt - exchange.startedAt,
        ...refusalOf(exchange, answers, kind),
        traceparent: headerTrace,
        arguments: null,
        result: null,
      }
    }
    const params = message.params
    const method = message.method
    const id = kind === 'request' ? idText(message.id) : null
    const matched = id === null ? undefined : byId.get(id)
    const outcome =
      matched === undefined ? refusalOf(exchange, answers, kind) : failureOf(method, matched.answer)
    const result =
      matched !== undefined && isObject(matched.answer.result) ? matched.answer.result : null
    const meta = isObject(params?._meta) ? params._meta : null
    const tool = method === 'tools/call' ? text(params?.name) : null
    return {
      ...common,
      kind,
      method,
      name: method,
      id,
      tool,
      prompt: method === 'prompts/get' ? text(params?.name) : null,
      resource: method.startsWith('resources/') ? text(params?.uri) : null,
      // initialize negotiates: its result names the revision the session will speak.
      revision: (method === 'initialize' ? text(result?.protocolVersion) : null) ?? revision,
      durationMs: (matched?.at ?? endedAt) - exchange.startedAt,
      ...outcome,
      traceparent: traceparentOf(meta?.traceparent) ?? headerTrace,
      arguments:
        tool !== null && params?.arguments !== undefined ? JSON.stringify(params.arguments) : null,
      result: tool !== null && result !== null ? JSON.stringify(result) : null,
    }
  })
}
