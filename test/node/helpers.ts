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
