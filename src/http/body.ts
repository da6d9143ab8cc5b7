// Reading a body with a size limit, so a huge or endless upload (or, for the documents the
// authorization server fetches, download) is refused after at most `limit` bytes instead of
// being buffered whole. A declared `Content-Length` within the limit is read in one piece (the
// runtime frames the body by it); a chunked body is counted as it streams.
//
// A request body refused for its size is still read to its end (and thrown away, up to
// DRAIN_BYTES or DRAIN_MS): a client, or a proxy in front of us, that is still sending when the
// answer comes may otherwise see a broken connection instead of our 413. A response (a
// download) that is too large is simply cancelled.

export type Body = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'not-utf8' }

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** A request or a response: anything with headers and a body. */
type Message = Pick<Request, 'headers' | 'body' | 'arrayBuffer'>

/** The most of a refused body we read and throw away, and for how long. */
const DRAIN_BYTES = 64 * 1_048_576
const DRAIN_MS = 5_000

type Read = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' }
const TOO_LARGE: Read = { ok: false, reason: 'too-large' }

/**
 * Reads and discards what is left of a refused request body, within DRAIN_BYTES and DRAIN_MS;
 * cancels a refused response body.
 */
const drain = async (
  message: Message,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<void> => {
  if (!(message instanceof Request)) return reader.cancel().catch(() => {})
  const until = Date.now() + DRAIN_MS
  let drained = 0
  try {
    while (drained < DRAIN_BYTES && Date.now() < until) {
      const { done, value } = await reader.read()
      if (done) return
      drained += value.byteLength
    }
    await reader.cancel()
  } catch {
    // the client went away: nothing left to read
  }
}

/** The body's declared Content-Length, if it has a well-formed one. */
const declaredLength = (message: Message): number | null => {
  const declared = message.headers.get('content-length')
  return declared !== null && /^\d+$/.test(declared.trim()) ? Number(declared) : null
}

/** Reads the body's bytes, at most `limit` of them. */
export const readBytes = (message: Message, limit: number): Promise<Read> => {
  if (message.body === null) return Promise.resolve({ ok: true, bytes: new Uint8Array() })
  const length = declaredLength(message)
  if (length !== null && length > limit) {
    return drain(message, message.body.getReader()).then(() => TOO_LARGE)
  }
  if (length !== null) {
    // Framed by its Content-Length: one read, no per-chunk work (and no async layer: this is
    // every POST's path).
    return message
      .arrayBuffer()
      .then((buffer) =>
        buffer.byteLength > limit ? TOO_LARGE : { ok: true, bytes: new Uint8Array(buffer) },
      )
  }
  return counted(message, message.body.getReader(), limit)
}

/** A body without a declared length, counted as it streams. */
const counted = async (
  message: Message,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<Read> => {
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await drain(message, reader)
      return TOO_LARGE
    }
    chunks.push(value)
  }
  return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : concat(chunks, size) }
}

/** R-JR-2: JSON-RPC messages MUST be UTF-8; invalid sequences are a parse error, not U+FFFD. */
const decode = (bytes: BufferSource): Body => {
  try {
    return { ok: true, text: decoder.decode(bytes) }
  } catch {
    return { ok: false, reason: 'not-utf8' }
  }
}

/** Reads the body as UTF-8 text of at most `limit` bytes. */
export const readBody = (message: Message, limit: number): Promise<Body> =>
  readBytes(message, limit).then((read) => (read.ok ? decode(read.bytes) : read))

/** The body as UTF-8 text of at most `limit` bytes; null when longer or not UTF-8. */
export const readText = async (message: Message, limit: number): Promise<string | null> => {
  const body = await readBody(message, limit)
  return body.ok ? body.text : null
}

const concat = (chunks: Uint8Array[], size: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
