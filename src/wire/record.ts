// What the wire view keeps of one exchange (src/observe/exchange.ts): the raw request and
// response as they crossed the wire (headers already redacted by the tap; a query parameter
// that looks like a credential redacted here), the SSE frames with their ids, event names and
// comments, and the rules the exchange exercised (rules.ts). Bodies and frames are cut so one
// chatty stream cannot fill the window.

import { BODY_LIMIT, type Exchange, type Frame } from '../observe/exchange.ts'
import { rulesOf, strictFindings, type Facts, type Message } from './rules.ts'

/** The most of a frame's data, and the most frames, one record keeps. */
export const FRAME_DATA_LIMIT = 8 * 1024
export const RECORD_FRAMES = 100

export interface WireFinding {
  rule: string
  level: 'error' | 'warning'
  detail: string
}

/** One exchange as the wire view shows it (plain data: sent to the page as JSON). */
export interface WireRecord {
  id: string
  endpoint: Exchange['endpoint']
  startedAt: number
  endedAt: number | null
  abandoned: boolean
  /** What the exchange was, in a few words: `tools/call echo`, `GET stream`, `/sse stream`. */
  summary: string
  request: { method: string; target: string; headers: readonly (readonly [string, string])[] }
  requestBody: string | null
  era: Exchange['era']
  /** The session it belongs to: its header, the one its initialize opened, or its /sse one. */
  session: string | null
  /** The client's name and version, when it said them (initialize or `_meta`). */
  client: string | null
  status: number | null
  responseHeaders: readonly (readonly [string, string])[] | null
  responseBody: string | null
  frames: Frame[]
  framesDropped: number
  rules: string[]
  findings: WireFinding[]
}

const CREDENTIAL_PARAMS = /^(access_token|token|api_key|apikey|key|secret|password|code)$/i

/** Path and query, every query parameter that may carry a credential replaced. */
export const redactTarget = (target: string): string => {
  const question = target.indexOf('?')
  if (question === -1) return target
  const params = new URLSearchParams(target.slice(question + 1))
  for (const name of [...params.keys()])
    if (CREDENTIAL_PARAMS.test(name)) params.set(name, '[redacted]')
  return `${target.slice(0, question)}?${params.toString()}`
}

const parseJson = (text: string | null): unknown => {
  if (text === null || text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const asMessages = (value: unknown): Message[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item): item is Message => typeof item === 'object' && item !== null,
  )

const headerOf = (headers: readonly (readonly [string, string])[] | null, name: string) =>
  headers?.find(([key]) => key === name)?.[1] ?? null

/** The facts the rule table reads, from an exchange (as far as it has got). */
export const factsOf = (exchange: Exchange): Facts => {
  const body = parseJson(exchange.requestBody)
  const received = [
    ...asMessages(parseJson(exchange.responseBody)),
    ...exchange.frames.flatMap((frame) =>
      frame.event === undefined || frame.event === 'message'
        ? asMessages(parseJson(frame.data ?? null))
        : [],
    ),
  ]
  return {
    endpoint: exchange.endpoint,
    httpMethod: exchange.request.method,
    status: exchange.status,
    era: exchange.era?.era ?? null,
    revision: exchange.era?.revision ?? null,
    sent: asMessages(body),
    batch: Array.isArray(body),
    headerNames: exchange.request.headers.map(([name]) => name),
    header: (name) => headerOf(exchange.request.headers, name),
    responseHeader: (name) => headerOf(exchange.responseHeaders, name),
    received,
    frames: exchange.frames,
  }
}

/** The session an exchange belongs to. */
const sessionOf = (exchange: Exchange): string | null => {
  if (exchange.session !== null) return exchange.session
  const query = exchange.request.target.split('?')[1]
  const fromQuery = query === undefined ? null : new URLSearchParams(query).get('sessionId')
  if (fromQuery !== null) return fromQuery
  const endpoint = exchange.frames.find((frame) => frame.event === 'endpoint')?.data
  return endpoint === undefined
    ? null
    : new URLSearchParams(endpoint.split('?')[1] ?? '').get('sessionId')
}

/** `name/version` from an initialize's clientInfo or a 2026-07-28 `_meta`, if it said. */
export const clientOf = (facts: Facts): string | null => {
  for (const message of facts.sent) {
    const params = message.params
    const meta = params?._meta as Record<string, unknown> | undefined
    const info =
      (message.method === 'initialize' ? params?.clientInfo : undefined) ??
      meta?.['io.modelcontextprotocol/clientInfo']
    if (typeof info === 'object' && info !== null) {
      const { name, version } = info as { name?: unknown; version?: unknown }
      if (typeof name === 'string') return typeof version === 'string' ? `${name}/${version}` : name
    }
  }
  return null
}

const summaryOf = (exchange: Exchange, facts: Facts): string => {
  const methods = facts.sent.map((message) => {
    if (typeof message.method !== 'string') return `response ${JSON.stringify(message.id ?? null)}`
    const params = message.params
    const named = params?.name ?? params?.uri
    return typeof named === 'string' ? `${message.method} ${named}` : message.method
  })
  if (methods.length > 0) return facts.batch ? `batch: ${methods.join(', ')}` : methods[0]!
  if (exchange.endpoint === 'sse') return '/sse stream'
  if (exchange.request.method === 'GET')
    return exchange.request.headers.some(([name]) => name === 'last-event-id')
      ? 'GET stream (resume)'
      : 'GET stream'
  if (exchange.request.method === 'DELETE') return 'DELETE session'
  return exchange.request.method
}

const cutFrame = (frame: Frame): Frame =>
  frame.data !== undefined && frame.data.length > FRAME_DATA_LIMIT
    ? {
        ...frame,
        data: `${frame.data.slice(0, FRAME_DATA_LIMIT)}… [${frame.data.length - FRAME_DATA_LIMIT} more characters]`,
      }
    : frame

const cutBody = (body: string | null): string | null =>
  body === null || body.length <= BODY_LIMIT / 4
    ? body
    : `${body.slice(0, BODY_LIMIT / 4)}… [${body.length - BODY_LIMIT / 4} more characters]`

/** The record of `exchange` as it stands now. */
export const recordOf = (
  exchange: Exchange,
  knownClient: (session: string | null) => string | null,
): WireRecord => {
  const facts = factsOf(exchange)
  const session = sessionOf(exchange)
  const frames = exchange.frames.slice(-RECORD_FRAMES).map(cutFrame)
  return {
    id: exchange.id,
    endpoint: exchange.endpoint,
    startedAt: exchange.startedAt,
    endedAt: exchange.endedAt,
    abandoned: exchange.abandoned,
    summary: summaryOf(exchange, facts),
    request: { ...exchange.request, target: redactTarget(exchange.request.target) },
    requestBody: cutBody(exchange.requestBody),
    era: negotiated(exchange, facts),
    session,
    client:
      clientOf(facts) ?? knownClient(session) ?? headerOf(exchange.request.headers, 'user-agent'),
    status: exchange.status,
    responseHeaders: exchange.responseHeaders,
    responseBody: cutBody(exchange.responseBody),
    frames,
    framesDropped: exchange.framesDropped + exchange.frames.length - frames.length,
    rules: rulesOf(facts),
    findings: strictFindings(facts).map((finding) => ({
      ...finding,
      detail: finding.detail === '' ? summaryOf(exchange, facts) : finding.detail,
    })),
  }
}

/** The era, with the revision an initialize negotiated (its header names none). */
const negotiated = (exchange: Exchange, facts: Facts): Exchange['era'] => {
  const agreed = facts.received.find(
    (message) => typeof message.result?.protocolVersion === 'string',
  )
  return exchange.era !== null &&
    facts.sent.some((message) => message.method === 'initialize') &&
    agreed
    ? { era: 'legacy', revision: String(agreed.result!.protocolVersion) }
    : exchange.era
}

/** About how many bytes a record holds (what the window's byte bound counts). */
export const sizeOf = (record: WireRecord): number =>
  1024 +
  (record.requestBody?.length ?? 0) +
  (record.responseBody?.length ?? 0) +
  record.frames.reduce((sum, frame) => sum + 64 + (frame.data?.length ?? 0), 0)
