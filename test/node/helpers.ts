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
    if (data.length > 0 && data.join('') !== '') return JSON.parse(data.join('\n'))
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
  /** The URL requested (legacy SSE clients POST to the endpoint the server named). */
  url: string
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
  /** The response body received so far: what a stream carried even if it was later aborted. */
  receivedText(): string
}

export interface Wiretap {
  /** Pass this as the transport's `fetch` option. */
  fetch: Fetch
  exchanges: WireExchange[]
}

/**
 * A fetch that records every exchange without changing any of it. The response body is read
 * from a clone in the background, so a stream the client is still consuming is never blocked.
 *
 * With `offer`, the one change is that of `recorder`: the `protocolVersion` an `initialize`
 * offers is rewritten to `offer`, so the SDK v1 client speaks an older revision.
 */
export const wiretap = (options: { offer?: string } = {}): Wiretap => {
  const exchanges: WireExchange[] = []
  const recordingFetch: Fetch = async (url, init) => {
    let requestBody = typeof init?.body === 'string' ? init.body : undefined
    if (options.offer !== undefined && requestBody !== undefined) {
      const message = JSON.parse(requestBody) as Message
      if (message.method === 'initialize' && message.params !== undefined) {
        message.params.protocolVersion = options.offer
        requestBody = JSON.stringify(message)
        init = { ...init, body: requestBody }
      }
    }
    const response = await fetch(url, init)
    let received = ''
    const body = response.clone().body
    const responseText = (async (): Promise<string | null> => {
      if (body === null) return ''
      const reader = body.pipeThrough(new TextDecoderStream()).getReader()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return received
          received += value
        }
      } catch {
        return null
      }
    })()
    exchanges.push({
      httpMethod: init?.method ?? 'GET',
      url: String(url),
      requestHeaders: new Headers(init?.headers),
      requestBody,
      sent: requestBody === undefined ? undefined : (JSON.parse(requestBody) as Message),
      status: response.status,
      responseHeaders: new Headers(response.headers),
      responseText,
      receivedText: () => received,
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
    // A priming event (2025-11-25 sessions) has an id and empty data: no message.
    if (data.length > 0 && data.join('') !== '')
      messages.push(JSON.parse(data.join('\n')) as Message)
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

/** One server-sent event as a client sees it (WHATWG parsing: `event` defaults to "message"). */
export interface SseEvent {
  event: string
  data: string
  id: string | undefined
  retry: number | undefined
}

/** Reads an SSE body as it arrives; see `sseReader`. */
export interface SseReader {
  /** Every event so far, in order. */
  readonly events: SseEvent[]
  /** Comment lines so far (`: keep-alive`). */
  readonly comments: number
  /** Whether the body has ended (or failed). */
  readonly ended: boolean
  /**
   * Resolves once `ready()` holds, checked now and after each event, comment and the end of the
   * body; rejects after `timeoutMs`, naming `what` and listing the events seen.
   */
  until(ready: () => boolean, what: string, timeoutMs?: number): Promise<void>
  /** The first event (already seen or still to come) that `match` accepts. */
  find(match: (event: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>
  /** The JSON-RPC messages of the `message` events so far. */
  messages(): Message[]
  /** Cancels the body (the client goes away). */
  close(): Promise<void>
}

/**
 * A small SSE reader over a response body: it parses events as they arrive (LF, CRLF or CR line
 * ends, multi-line data, comments) and lets a test wait for the event it needs, with a bound.
 */
export const sseReader = (body: ReadableStream<Uint8Array>): SseReader => {
  const events: SseEvent[] = []
  let comments = 0
  let ended = false
  const waiters = new Set<() => void>()
  const notify = () => {
    for (const waiter of [...waiters]) waiter()
  }
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let fields: { event?: string; data: string[]; id?: string; retry?: number } = { data: [] }
  const line = (text: string) => {
    if (text === '') {
      if (fields.data.length > 0 || fields.id !== undefined || fields.retry !== undefined) {
        events.push({
          event: fields.event ?? 'message',
          data: fields.data.join('\n'),
          id: fields.id,
          retry: fields.retry,
        })
      }
      fields = { data: [] }
      return
    }
    if (text.startsWith(':')) {
      comments += 1
      return
    }
    const colon = text.indexOf(':')
    const name = colon === -1 ? text : text.slice(0, colon)
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '')
    if (name === 'data') fields.data.push(value)
    else if (name === 'event') fields.event = value
    else if (name === 'id') fields.id = value
    else if (name === 'retry' && /^\d+$/.test(value)) fields.retry = Number(value)
  }
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true })
        // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
        const lines = buffer.split(/\r\n|\r(?!$)|\n/)
        buffer = lines.pop() ?? ''
        for (const text of lines) line(text)
        notify()
      }
    } catch {
      // aborted or reset: the reader just ends
    } finally {
      ended = true
      notify()
    }
  })()
  const until = (ready: () => boolean, what: string, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        let ok = false
        try {
          ok = ready()
        } catch (error) {
          waiters.delete(check)
          clearTimeout(timer)
          reject(error as Error)
          return
        }
        if (ok) {
          waiters.delete(check)
          clearTimeout(timer)
          resolve()
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        const seen = events.map((event) => `${event.event}: ${event.data}`).join('\n  ')
        reject(
          new Error(
            `SSE: no ${what} within ${timeoutMs} ms (${ended ? 'stream ended' : 'stream open'}); ` +
              `${events.length} events seen:\n  ${seen}`,
          ),
        )
      }, timeoutMs)
      waiters.add(check)
      check()
    })
  return {
    events,
    get comments() {
      return comments
    },
    get ended() {
      return ended
    },
    until,
    async find(match, what, timeoutMs) {
      let found: SseEvent | undefined
      await until(() => (found = events.find(match)) !== undefined, what, timeoutMs)
      return found!
    },
    messages: () =>
      events
        .filter((event) => event.event === 'message' && event.data !== '')
        .map((event) => JSON.parse(event.data) as Message),
    async close() {
      await reader.cancel().catch(() => undefined)
    },
  }
}
