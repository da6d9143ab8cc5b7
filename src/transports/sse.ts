// Server-Sent Events framing, as used by both HTTP transports.
//
// An event is a block of `field: value` lines ended by a blank line; a line starting with `:` is
// a comment, which clients ignore and proxies see as traffic (our keep-alive):
//
//   event: message
//   data: {"jsonrpc":"2.0","id":1,"result":{}}
//
//   : keep-alive
//
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

export interface SseEvent {
  data: string
  event?: string
  id?: string
  retry?: number
}

/** `event` and `id` are single-line fields: a CR or LF in them would forge another field. */
const field = (value: string): string => value.replace(/[\r\n]/g, '')

/** Frames one event. Multi-line data becomes one `data:` line per line, as SSE requires. */
export const frame = ({ data, event, id, retry }: SseEvent): string => {
  let text = ''
  if (id !== undefined) text += `id: ${field(id)}\n`
  if (event !== undefined) text += `event: ${field(event)}\n`
  if (retry !== undefined) text += `retry: ${Math.max(0, Math.floor(retry))}\n`
  for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`
  return `${text}\n`
}

/** A comment line: ignored by clients, keeps idle connections open through proxies. */
export const comment = (text: string): string => `: ${field(text)}\n\n`

/**
 * Headers of every SSE response. `no-cache` and `X-Accel-Buffering: no` keep proxies from
 * buffering or caching the stream (R-HT-33 asks for the latter in 2026-07-28; we send it always).
 */
export const sseHeaders = (headers = new Headers()): Headers => {
  headers.set('Content-Type', 'text/event-stream')
  headers.set('Cache-Control', 'no-cache')
  headers.set('X-Accel-Buffering', 'no')
  return headers
}

/** One open SSE response body, written event by event. */
export interface SseStream {
  readable: ReadableStream<Uint8Array>
  /** Writes one event; false once the client has gone. */
  send(event: SseEvent): Promise<boolean>
  close(): Promise<void>
  /** Fires when the stream ends: the client went away (a write fails, or it cancelled the
   *  body), or the stream was closed. */
  closed: AbortSignal
}

const encoder = new TextEncoder()

/**
 * Opens a stream that sends a `: keep-alive` comment every `keepaliveMs` while open. A client
 * that goes away cancels the body, which fires `closed` at once (not at the next write).
 */
export const openSseStream = (keepaliveMs: number): SseStream => {
  const gone = new AbortController()
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let open = true
  const stop = () => {
    if (!open) return
    open = false
    clearInterval(timer)
  }
  const readable = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => {
      stop()
      gone.abort()
    },
  })
  const write = async (text: string): Promise<boolean> => {
    if (!open) return false
    try {
      controller.enqueue(encoder.encode(text))
      return true
    } catch {
      stop()
      gone.abort()
      return false
    }
  }
  const timer = setInterval(() => void write(comment('keep-alive')), keepaliveMs)
  return {
    readable,
    closed: gone.signal,
    send: (event) => write(frame(event)),
    close: async () => {
      if (!open) return
      stop()
      controller.close()
      gone.abort()
    },
  }
}
