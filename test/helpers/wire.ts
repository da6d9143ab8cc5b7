// Helpers for wire tests: raw HTTP requests into the Worker running in workerd, and readers for
// what comes back. Bodies are strings so malformed JSON can be sent as-is.

import { env, exports } from 'cloudflare:workers'
import { expect, test } from 'vitest'
import type { Env } from '../../src/settings/env.ts'
import { createServer, type ServerExtras } from '../../src/server.ts'
import type { Tool } from '../../src/tools/define.ts'

export const MCP_URL = 'http://localhost/mcp'

/** The headers a well-behaved Streamable HTTP client sends. */
export const CLIENT_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

export interface RawRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string | Uint8Array | ReadableStream<Uint8Array>
}

/** Something that answers requests: the deployed Worker, or a server built for one test. */
export interface Target {
  fetch(request: Request): Promise<Response>
}

/** The Worker as deployed (src/index.ts with wrangler.toml's settings). */
export const WORKER: Target = { fetch: (request) => exports.default.fetch(request) }

/** A server with other tools (resources, prompts) and/or settings, for rules the demo lacks. */
export const serverWith = (
  tools: readonly Tool[],
  settings: Record<string, string> = {},
  extras: ServerExtras = {},
): Target => {
  const server = createServer(tools, extras)
  return { fetch: (request) => server.fetch(request, { ...env, ...settings }) }
}

/**
 * The deployed catalog (src/index.ts) with other settings, e.g. `{ AUTH: 'true' }`. The env is
 * built once, so settings are parsed once per target, as in a real isolate.
 */
export const workerWith = (settings: Record<string, string>): Target & { env: Env } => {
  const server = createServer()
  const merged: Env = { ...env, ...settings }
  return { env: merged, fetch: (request) => server.fetch(request, merged) }
}

/** Sends a raw request. `headers` replace the defaults entirely when given. */
export const send = (request: RawRequest, target: Target = WORKER): Promise<Response> =>
  target.fetch(
    new Request(`http://localhost${request.path ?? '/mcp'}`, {
      method: request.method ?? 'POST',
      headers: request.headers ?? CLIENT_HEADERS,
      ...(request.body === undefined ? {} : { body: request.body }),
    }),
  )

/**
 * A POST with the standard client headers (plus `headers`). A string or bytes are the body as
 * is (malformed JSON can be sent this way); any other value is sent as JSON.
 */
export const post = (body: unknown, headers: Record<string, string> = {}): RawRequest => ({
  headers: { ...CLIENT_HEADERS, ...headers },
  body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
})

/** POSTs one JSON-RPC message (given as a value) with the standard client headers. */
export const rpc = (
  message: unknown,
  headers: Record<string, string> = {},
  target: Target = WORKER,
): Promise<Response> => send(post(message, headers), target)

/** POSTs one JSON-RPC message in a session. */
export const inSession = (
  session: string,
  message: unknown,
  headers: Record<string, string> = {},
  target: Target = WORKER,
): Promise<Response> => rpc(message, { 'mcp-session-id': session, ...headers }, target)

/** Sends a request and reads its JSON reply: the status and the parsed body. */
export const reply = async <T = unknown>(
  request: RawRequest,
  target: Target = WORKER,
): Promise<{ status: number; body: T }> => {
  const res = await send(request, target)
  return { status: res.status, body: (await res.json()) as T }
}

export const INIT_PARAMS = {
  capabilities: {},
  clientInfo: { name: 'wire-test', version: '1.0.0' },
}

/** An `initialize` request value for `protocolVersion`. */
export const initializeRequest = (protocolVersion: unknown, id: string | number = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { ...INIT_PARAMS, protocolVersion },
})

/** A JSON-RPC request value. */
export const request = (id: string | number, method: string, params?: Record<string, unknown>) =>
  params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }

/** `tools/call` params: the tool's name and arguments, and `_meta` when given. */
export const toolCall = (name: string, args: unknown, meta?: Record<string, unknown>) =>
  meta === undefined ? { name, arguments: args } : { name, arguments: args, _meta: meta }

/** One parsed SSE event. */
export interface ParsedEvent {
  event?: string
  id?: string
  data: string
}

/** Splits an SSE body into events (comments dropped), checking every event ends with "\n\n". */
export const parseSse = (text: string): ParsedEvent[] => {
  if (text !== '' && !text.endsWith('\n\n'))
    throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(text)}`)
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const event: ParsedEvent = { data: '' }
      const data: string[] = []
      let comment = true
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue
        comment = false
        const colon = line.indexOf(':')
        const field = colon === -1 ? line : line.slice(0, colon)
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'data') data.push(value)
        else if (field === 'event') event.event = value
        else if (field === 'id') event.id = value
      }
      event.data = data.join('\n')
      return comment ? null : event
    })
    .filter((event): event is ParsedEvent => event !== null)
}

/** The JSON-RPC messages in a response, whichever of JSON or SSE it is. */
export const messages = async (res: Response): Promise<unknown[]> => {
  const type = res.headers.get('content-type') ?? ''
  const text = await res.text()
  if (type.startsWith('text/event-stream'))
    return parseSse(text).map((event) => JSON.parse(event.data))
  const value: unknown = JSON.parse(text)
  return Array.isArray(value) ? value : [value]
}

/** What a wire case expects back. `body` is exact text; `json` is compared structurally. */
export interface Expected {
  status: number
  body?: string
  json?: unknown
  headers?: Record<string, string | null>
}

/** One row of a table-driven wire test. */
export interface WireCase {
  rule: string
  name: string
  why?: string
  request: RawRequest
  expect: Expected
  target?: Target
}

/** Checks status, headers and body; a JSON body must never carry a stack trace. */
export const expectResponse = async (res: Response, expected: Expected): Promise<void> => {
  const text = await res.text()
  expect({ status: res.status, text }).toMatchObject({ status: expected.status })
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    expect(res.headers.get(name), `header ${name}`).toBe(value)
  }
  if (expected.body !== undefined) expect(text).toBe(expected.body)
  if (expected.json !== undefined) expect(JSON.parse(text)).toEqual(expected.json)
  expect(text).not.toMatch(/\n\s+at |Error: .*\.ts:\d+/)
}

/** Reads SSE events until `until` holds, the stream ends, or `ms` pass; the reader stays open. */
export const readEvents = async (
  body: ReadableStream<Uint8Array>,
  until: (events: ParsedEvent[]) => boolean,
  ms = 5_000,
) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const deadline = Date.now() + ms
  let text = ''
  let events: ParsedEvent[] = []
  while (!until(events) && Date.now() < deadline) {
    const next = await Promise.race([
      reader.read(),
      scheduler.wait(Math.max(0, deadline - Date.now())).then(() => null),
    ])
    if (next === null || next.done) break
    text += decoder.decode(next.value, { stream: true })
    events = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2))
  }
  return { events, reader }
}

/** Runs a table of wire cases, each as its own test named `<rule> <name>`. */
export const wireTable = (cases: WireCase[]): void => {
  test.each(cases)('$rule $name', async (c) => {
    await expectResponse(await send(c.request, c.target), c.expect)
  })
}
