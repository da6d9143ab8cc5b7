// The tap: where the pipeline lets observers see an exchange (exchange.ts). It costs nothing
// when nobody observes. When someone does, the response passes through it unchanged: a JSON
// body is read once and sent on as it was; an SSE body flows through a pass-through stream that
// reads each frame as it goes (never holding the stream back, never buffering it), and the
// exchange ends when the stream does, or when its client goes away.

import {
  keepBody,
  redactHeaders,
  FRAME_LIMIT,
  type EndpointKind,
  type Exchange,
  type Frame,
  type Observer,
} from './exchange.ts'

/** An exchange being observed, with the observers that watch it. */
export interface Tapped {
  readonly exchange: Exchange
  /** Records the request body and its messages once the pipeline has read them. */
  body(text: string): void
  /** Passes the response through the observers; resolves to what the client gets. */
  finish(response: Response): Promise<Response>
}

let counter = 0

/** An observer's failure is logged and never reaches the exchange it watches. */
const safely = <T>(work: () => T, fallback: T): T => {
  try {
    return work()
  } catch (error) {
    console.error('an observer failed; the exchange goes on', error)
    return fallback
  }
}

/**
 * Starts observing `request` to `endpoint`; null when nobody observes (no cost at all).
 * `waitUntil` keeps the work observers return from `end` running after the response.
 */
export const tap = (
  request: Request,
  url: URL,
  endpoint: EndpointKind,
  watching: readonly Observer[],
  waitUntil: (work: Promise<unknown>) => void = (work) => void work.catch(() => {}),
): Tapped | null => {
  if (watching.length === 0) return null
  const observers = watching.filter((observer) =>
    safely(() => observer.accepts?.(request, url) ?? true, false),
  )
  if (observers.length === 0) return null
  const exchange: Exchange = {
    id: `${Date.now().toString(36)}-${(++counter).toString(36)}`,
    endpoint,
    startedAt: Date.now(),
    request: {
      method: request.method,
      target: url.pathname + url.search,
      headers: redactHeaders(request.headers),
    },
    requestBody: null,
    messages: null,
    era: null,
    principal: null,
    caller: null,
    session: request.headers.get('mcp-session-id'),
    client: null,
    status: null,
    responseHeaders: null,
    responseBody: null,
    frames: [],
    framesDropped: 0,
    endedAt: null,
    abandoned: false,
  }
  for (const observer of observers) safely(() => observer.begin?.(exchange), undefined)
  const end = () => {
    if (exchange.endedAt !== null) return
    exchange.endedAt = Date.now()
    for (const observer of observers) {
      const work = safely(() => observer.end(exchange), undefined)
      if (work !== undefined) waitUntil(work)
    }
  }
  const frame = (next: Frame) => {
    exchange.frames.push(next)
    if (exchange.frames.length > FRAME_LIMIT) {
      exchange.frames.shift()
      exchange.framesDropped += 1
    }
    for (const observer of observers) safely(() => observer.frame?.(exchange, next), undefined)
  }
  return {
    exchange,
    body: (text) => void (exchange.requestBody = keepBody(text)),
    finish: async (response) => {
      exchange.status = response.status
      exchange.responseHeaders = redactHeaders(response.headers)
      exchange.session ??= response.headers.get('mcp-session-id')
      const type = response.headers.get('content-type') ?? ''
      if (response.body === null) {
        end()
        return response
      }
      if (!type.startsWith('text/event-stream')) {
        const text = await response.text()
        for (const observer of observers)
          safely(() => observer.response?.(exchange, text), undefined)
        exchange.responseBody = keepBody(text)
        end()
        return new Response(text, response)
      }
      const frames = framer(frame)
      const decoder = new TextDecoder()
      const passing = new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          frames.push(decoder.decode(chunk, { stream: true }))
          controller.enqueue(chunk)
        },
        flush: () => end(),
      })
      const body = response.body.pipeThrough(passing)
      // A client that goes away cancels the body: the exchange ends there.
      const reader = body.getReader()
      const relayed = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const { done, value } = await reader.read()
          if (done) controller.close()
          else controller.enqueue(value)
        },
        cancel: async (reason) => {
          exchange.abandoned = true
          end()
          await reader.cancel(reason).catch(() => {})
        },
      })
      return new Response(relayed, response)
    },
  }
}

/**
 * An incremental reader of SSE text (the WHATWG event stream format), calling `emit` for each
 * event (a block ended by a blank line) and each comment line.
 */
const framer = (emit: (frame: Frame) => void) => {
  let buffer = ''
  let current: Frame | null = null
  return {
    push(text: string) {
      buffer += text
      for (
        let newline = buffer.search(/\r\n|\r|\n/);
        newline !== -1;
        newline = buffer.search(/\r\n|\r|\n/)
      ) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        if (line === '') {
          if (current !== null) emit(current)
          current = null
          continue
        }
        if (line.startsWith(':')) {
          emit({ at: Date.now(), comment: line.slice(1).trimStart() })
          continue
        }
        const colon = line.indexOf(':')
        const field = colon === -1 ? line : line.slice(0, colon)
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
        current ??= { at: Date.now() }
        if (field === 'data')
          current.data = current.data === undefined ? value : `${current.data}\n${value}`
        else if (field === 'id') current.id = value
        else if (field === 'event') current.event = value
        else if (field === 'retry' && /^\d+$/.test(value)) current.retry = Number(value)
      }
    },
  }
}
