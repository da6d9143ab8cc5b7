// Helpers for end-to-end tests that drive the Worker under `wrangler dev` with the official SDK.

import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js'

/** One HTTP exchange the SDK client made, as seen by the fetch it was given. */
export interface Exchange {
  /** The HTTP method (POST for messages; the SDK also tries GET for a standalone stream). */
  httpMethod: string
  /** The JSON-RPC method of the message sent, if the body held one. */
  rpcMethod: string | undefined
  /** The request headers, after any rewriting. */
  headers: Headers
  /** The request body as sent, after any rewriting. */
  body: string | undefined
  status: number
  contentType: string | null
}

export interface Recorder {
  /** Pass this as the transport's `fetch` option. */
  fetch: FetchLike
  /** Every exchange so far, in order. */
  exchanges: Exchange[]
  /** The JSON-RPC message the server answered `initialize` with, once it has. */
  initializeResponse(): Promise<unknown>
}

/**
 * A fetch for `StreamableHTTPClientTransport` that records every exchange and makes the client
 * offer `protocolVersion` in `initialize`. The SDK always offers its latest revision; rewriting
 * the offer is the only way to make it speak an older one. It accepts any revision it knows that
 * the server echoes, and then sends that revision in `mcp-protocol-version`.
 */
export const recorder = (protocolVersion: string): Recorder => {
  const exchanges: Exchange[] = []
  let initialize: Promise<unknown> | undefined
  const recordingFetch: FetchLike = async (url, init) => {
    let body = typeof init?.body === 'string' ? init.body : undefined
    let rpcMethod: string | undefined
    if (body !== undefined) {
      const message = JSON.parse(body) as { method?: unknown; params?: Record<string, unknown> }
      rpcMethod = typeof message.method === 'string' ? message.method : undefined
      if (rpcMethod === 'initialize' && message.params !== undefined) {
        message.params.protocolVersion = protocolVersion
        body = JSON.stringify(message)
      }
    }
    const headers = new Headers(init?.headers)
    const response = await fetch(url, { ...init, headers, ...(body === undefined ? {} : { body }) })
    exchanges.push({
      httpMethod: init?.method ?? 'GET',
      rpcMethod,
      headers,
      body,
      status: response.status,
      contentType: response.headers.get('content-type'),
    })
    if (rpcMethod === 'initialize') initialize = response.clone().text().then(firstMessage)
    return response
  }
  return {
    fetch: recordingFetch,
    exchanges,
    initializeResponse: () =>
      initialize ?? Promise.reject(new Error('no initialize request was sent')),
  }
}

/** The first JSON-RPC message in a response body, whether plain JSON or an SSE stream. */
export const firstMessage = (text: string): unknown => {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return JSON.parse(trimmed)
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
    if (data.length > 0) return JSON.parse(data.join('\n'))
  }
  throw new Error(`no JSON-RPC message in response body: ${JSON.stringify(text)}`)
}

/** The shape of `fetch` both SDK generations take as a transport option. */
export type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>

/** A JSON-RPC message as it travels, loosely typed for assertions. */
export interface Message {
  jsonrpc?: unknown
  id?: string | number | null
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: { code: number; message: string; data?: unknown }
}

/** One HTTP exchange, everything on the wire: request as sent, response as received. */
export interface WireExchange {
  httpMethod: string
  requestHeaders: Headers
  /** The request body as sent (undefined for GET and DELETE). */
  requestBody: string | undefined
  /** The JSON-RPC message the body held, parsed. */
  sent: Message | undefined
  status: number
  responseHeaders: Headers
  /**
   * The response body once it has ended (a long-lived stream ends when the client closes it);
   * null when it was aborted before its end.
   */
  responseText: Promise<string | null>
}

export interface Wiretap {
  /** Pass this as the transport's `fetch` option. */
  fetch: Fetch
  exchanges: WireExchange[]
}

/**
 * A fetch that records every exchange without changing any of it. The response body is read
 * from a clone in the background, so a stream the client is still consuming is never blocked.
 */
export const wiretap = (): Wiretap => {
  const exchanges: WireExchange[] = []
  const recordingFetch: Fetch = async (url, init) => {
    const requestBody = typeof init?.body === 'string' ? init.body : undefined
    const response = await fetch(url, init)
    exchanges.push({
      httpMethod: init?.method ?? 'GET',
      requestHeaders: new Headers(init?.headers),
      requestBody,
      sent: requestBody === undefined ? undefined : (JSON.parse(requestBody) as Message),
      status: response.status,
      responseHeaders: new Headers(response.headers),
      responseText: response
        .clone()
        .text()
        .catch(() => null),
    })
    return response
  }
  return { fetch: recordingFetch, exchanges }
}

/** Every JSON-RPC message in a response body, from plain JSON or an SSE stream. */
export const messagesIn = (contentType: string | null, text: string): Message[] => {
  if (text.trim() === '') return []
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'text/event-stream') {
    const parsed = JSON.parse(text) as Message | Message[]
    return Array.isArray(parsed) ? parsed : [parsed]
  }
  const messages: Message[] = []
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
    if (data.length > 0) messages.push(JSON.parse(data.join('\n')) as Message)
  }
  return messages
}

/** What a raw POST got back: status, headers, and the body as JSON-RPC messages. */
export interface Reply {
  status: number
  headers: Headers
  contentType: string | null
  text: string
  messages: Message[]
}

/** POSTs `body` (serialized when not a string) and reads the whole answer; bounded in time. */
export const post = async (
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs = 10_000,
): Promise<Reply> => {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await response.text()
  const contentType = response.headers.get('content-type')
  return {
    status: response.status,
    headers: response.headers,
    contentType,
    text,
    messages: messagesIn(contentType, text),
  }
}
