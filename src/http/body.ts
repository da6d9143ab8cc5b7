// Reading a body with a size limit, so a huge or endless upload (or, for the documents the
// authorization server fetches, download) is refused after at most `limit` bytes instead of
// being buffered whole. `Content-Length` is trusted only to refuse early; a chunked body is
// counted as it streams.

export type Body = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'not-utf8' }

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** A request or a response: anything with headers and a body. */
type Message = Pick<Request, 'headers' | 'body'>

/** Reads the body's bytes, at most `limit` of them. */
export const readBytes = async (
  request: Message,
  limit: number,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' }> => {
  const declared = request.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    await request.body?.cancel().catch(() => {})
    return { ok: false, reason: 'too-large' }
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array() }
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      return { ok: false, reason: 'too-large' }
    }
    chunks.push(value)
  }
  return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : concat(chunks, size) }
}

/** Reads the body as UTF-8 text of at most `limit` bytes. */
export const readBody = async (request: Message, limit: number): Promise<Body> => {
  const read = await readBytes(request, limit)
  if (!read.ok) return read
  try {
    // R-JR-2: JSON-RPC messages MUST be UTF-8; invalid sequences are a parse error, not U+FFFD.
    return { ok: true, text: decoder.decode(read.bytes) }
  } catch {
    return { ok: false, reason: 'not-utf8' }
  }
}

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
