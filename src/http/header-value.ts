// Header values that mirror body fields in 2026-07-28 (`Mcp-Name`, `Mcp-Param-*`).
//
// A value that is plain visible ASCII travels as-is; anything else (non-ASCII, control
// characters, edge whitespace) travels as `=?base64?<base64 of UTF-8>?=`, markers lowercase.
//
//   Mcp-Name: get_weather
//   Mcp-Name: =?base64?SGVsbG8sIOS4lueVjA==?=        ("Hello, 世界")
//
// https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#value-encoding

// Strict RFC 4648 Base64: whole 4-character groups, padding only at the end. `atob` alone would
// also take unpadded text ("SGVsbG8"), which SEP-2243 says to reject.
const SENTINEL = /^=\?base64\?((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)\?=$/
const SAFE = /^[\x20-\x7e\t]*$/
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The value a header carries, decoded; null when it has invalid characters or bad Base64. */
export const decodeHeaderValue = (raw: string): string | null => {
  const wrapped = raw.startsWith('=?base64?') && raw.endsWith('?=')
  if (!wrapped) return SAFE.test(raw) ? raw : null
  const encoded = SENTINEL.exec(raw)
  if (encoded === null) return null
  try {
    const binary = atob(encoded[1] ?? '')
    return utf8.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))
  } catch {
    return null
  }
}
