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

/** How a stream paces itself: keep-alives, and how much it holds for a client not reading. */
export interface SsePacing {
  /** KEEPALIVE_MS: a `: keep-alive` comment this often while open. */
  KEEPALIVE_MS: number
  /** MAX_STREAM_BUFFER_BYTES: unread bytes past which the client is cut off. */
  MAX_STREAM_BUFFER_BYTES: number
}

/**
 * Opens a stream that sends a `: keep-alive` comment every KEEPALIVE_MS while open. A client
 * that goes away cancels the body, which fires `closed` at once (not at the next write). A
 * client that stays but does not read is cut off once MAX_STREAM_BUFFER_BYTES wait for it: the
 * stream errors (its queue is dropped) and `closed` fires, so a slow reader costs a bounded
 * amount of memory, never everything sent to it.
 */
export const openSseStream = (pacing: SsePacing): SseStream => {
  const gone = new AbortController()
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let open = true
  const stop = () => {
    if (!open) return
    open = false
    clearInterval(timer)
    gone.abort()
  }
  const readable = new ReadableStream<Uint8Array>(
    { start: (c) => void (controller = c), cancel: stop },
    new ByteLengthQueuingStrategy({ highWaterMark: pacing.MAX_STREAM_BUFFER_BYTES }),
  )
  const write = async (text: string): Promise<boolean> => {
    if (!open) return false
    try {
      controller.enqueue(encoder.encode(text))
    } catch {
      stop()
      return false
    }
    if ((controller.desiredSize ?? 0) < 0) {
      // The client has not read MAX_STREAM_BUFFER_BYTES: drop it and what waits for it.
      controller.error(new Error('the client stopped reading'))
      stop()
      return false
    }
    return true
  }
  const timer = setInterval(() => void write(comment('keep-alive')), pacing.KEEPALIVE_MS)
  return {
    readable,
    closed: gone.signal,
    send: (event) => write(frame(event)),
    close: async () => {
      if (!open) return
      stop()
      controller.close()
    },
  }
}
