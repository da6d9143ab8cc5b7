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
  /**
   * Writes one event: true once the stream has taken it (at once while it holds less than
   * MAX_STREAM_BUFFER_BYTES, else when its turn comes), false once the stream has ended or
   * cut its client off. `paced`: the writer awaits this before it sends again, or something else
   * bounds how many such writers there are; such events are not held to twice the mark (see
   * `openSseStream`).
   */
  send(event: SseEvent, options?: { paced?: boolean }): Promise<boolean>
  /** No more events: the stream ends once its client has read what it holds. */
  close(): Promise<void>
  /**
   * Writes a `: probe` comment now (unless the stream is at its mark, and so busy writing): a
   * client that went away is noticed when a write to it fails, and the stream then ends.
   */
  probe(): void
  /** Fires when the stream ends: the client went away (a write to it failed, or it cancelled
   *  the body), was cut off, or `close()` was called (what it holds still goes out). */
  closed: AbortSignal
}

const encoder = new TextEncoder()

/** How a stream paces itself: keep-alives, and how long and how far it waits for its client. */
export interface SsePacing {
  /** KEEPALIVE_MS: a `: keep-alive` comment this often while open. */
  KEEPALIVE_MS: number
  /** MAX_STREAM_BUFFER_BYTES: unread bytes held before writers wait (twice it: cut off). */
  MAX_STREAM_BUFFER_BYTES: number
  /** MAX_STREAM_STALL_MS: how long writers wait on a client that reads nothing. */
  MAX_STREAM_STALL_MS: number
}

/** A writer waiting for room, and what it writes. */
interface Waiter {
  bytes: Uint8Array
  paced: boolean
  taken(ok: boolean): void
}

/**
 * Opens a stream that sends a `: keep-alive` comment every KEEPALIVE_MS while open, and holds
 * what its client has not read yet in bounded memory (BM-LIMIT-8):
 *
 * - Below the mark (it holds less than MAX_STREAM_BUFFER_BYTES unread), an event is taken at
 *   once. At the mark, its writer waits its turn, first come first served, so events keep their
 *   order; each time the client reads, waiting events are taken, in order, until the mark is
 *   reached again. A client slower than its writers so loses nothing: they wait for it.
 * - Writers that wait for each event to be taken before the next (`paced`: the answer to a
 *   request, whose request counts in flight until then, and replays) are bounded by whoever
 *   sends them. Events nobody waits for (notifications) are bounded here: one that would make
 *   what the stream holds, plus such events waiting, exceed 2 × MAX_STREAM_BUFFER_BYTES cuts the
 *   client off.
 * - A client that reads nothing for MAX_STREAM_STALL_MS while writers wait is cut off.
 * - Cut off: the stream errors, what it holds is dropped, waiting writers get false and
 *   `closed` fires. Keep-alives and probes are skipped at the mark (the stream is busy then).
 *
 * workerd notices a client that went away only when it writes to it (the body is then
 * cancelled and `closed` fires): an idle stream learns it at its next keep-alive, or when
 * `probe()` writes.
 */
export const openSseStream = (pacing: SsePacing): SseStream => {
  const mark = pacing.MAX_STREAM_BUFFER_BYTES
  const most = 2 * mark
  const gone = new AbortController()
  let controller!: ReadableStreamDefaultController<Uint8Array>
  /** 'open' takes events; 'closing' only delivers what it holds; 'ended' holds nothing. */
  let state: 'open' | 'closing' | 'ended' = 'open'
  /** Events taken and not yet read, oldest first, and their bytes. */
  const queue: Uint8Array[] = []
  let queued = 0
  const waiting: Waiter[] = []
  /** Bytes of the waiting events no writer waits for (not `paced`). */
  let loose = 0
  /** The client asked for bytes while the stream held none: the next event goes to it. */
  let wanted = false
  /** Since when writers have waited without the client reading. */
  let stalledSince = 0
  let stall: ReturnType<typeof setTimeout> | null = null

  const end = () => {
    if (state === 'ended') return
    state = 'ended'
    clearInterval(keepAlive)
    if (stall !== null) clearTimeout(stall)
    queue.length = 0
    queued = 0
    for (const waiter of waiting.splice(0)) waiter.taken(false)
    loose = 0
    gone.abort()
  }
  /** Cuts the client off: what the stream holds is dropped, its reader sees an error. */
  const cut = (why: string) => {
    if (state === 'ended') return
    controller.error(new Error(why))
    end()
  }
  /** What waits is taken, in order, while the stream is below its mark. */
  const admit = () => {
    while (waiting.length > 0 && queued < mark) {
      const waiter = waiting.shift()!
      if (!waiter.paced) loose -= waiter.bytes.byteLength
      queue.push(waiter.bytes)
      queued += waiter.bytes.byteLength
      waiter.taken(true)
    }
    if (waiting.length === 0 && stall !== null) {
      clearTimeout(stall)
      stall = null
    }
  }
  const watchStall = () => {
    if (stall !== null) return
    stalledSince = Date.now()
    const check = () => {
      stall = null
      if (waiting.length === 0) return
      const idle = Date.now() - stalledSince
      if (idle >= pacing.MAX_STREAM_STALL_MS)
        cut(`the client read nothing for ${pacing.MAX_STREAM_STALL_MS} ms (MAX_STREAM_STALL_MS)`)
      else stall = setTimeout(check, pacing.MAX_STREAM_STALL_MS - idle)
    }
    stall = setTimeout(check, pacing.MAX_STREAM_STALL_MS)
  }
  /** The client reads: the oldest event goes out, and waiting writers move up. */
  const pull = (c: ReadableStreamDefaultController<Uint8Array>) => {
    if (state === 'ended') return
    stalledSince = Date.now()
    if (queue.length === 0) admit()
    const next = queue.shift()
    if (next === undefined) {
      // Nothing held, nothing waiting: a closed stream ends; an open one sends the next event
      // straight to the client.
      if (state === 'closing') {
        c.close()
        end()
      } else {
        wanted = true
      }
      return
    }
    queued -= next.byteLength
    c.enqueue(next)
    admit()
  }
  const readable = new ReadableStream<Uint8Array>(
    { start: (c) => void (controller = c), pull, cancel: end },
    // The stream holds nothing itself: every byte waits in `queue` until its client asks.
    { highWaterMark: 0 },
  )
  const write = (text: string, paced: boolean): Promise<boolean> | boolean => {
    if (state !== 'open') return false
    const bytes = encoder.encode(text)
    if (!paced && queued + loose + bytes.byteLength > most) {
      cut(`the client fell more than ${most} bytes behind (2 × MAX_STREAM_BUFFER_BYTES)`)
      return false
    }
    if (wanted) {
      wanted = false
      controller.enqueue(bytes)
      return true
    }
    if (waiting.length === 0 && queued < mark) {
      queue.push(bytes)
      queued += bytes.byteLength
      return true
    }
    return new Promise<boolean>((taken) => {
      waiting.push({ bytes, paced, taken })
      if (!paced) loose += bytes.byteLength
      watchStall()
    })
  }
  /** A comment, unless the stream is at its mark (then it is writing to its client already). */
  const nudge = (text: string) => {
    if (waiting.length === 0 && queued < mark) void write(comment(text), false)
  }
  const keepAlive = setInterval(() => nudge('keep-alive'), pacing.KEEPALIVE_MS)
  return {
    readable,
    closed: gone.signal,
    send: async (event, options) => write(frame(event), options?.paced === true),
    probe: () => nudge('probe'),
    close: async () => {
      if (state !== 'open') return
      clearInterval(keepAlive)
      if (queue.length === 0 && waiting.length === 0) {
        controller.close()
        end()
        return
      }
      // What it holds still goes out, as the client reads it; then the stream ends (`pull`).
      state = 'closing'
      gone.abort()
    },
  }
}
