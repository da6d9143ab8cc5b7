// Sizes and digests instead of contents: a tool's arguments and results are never written to the
// log, only how many bytes they were and the first 16 hex digits of their SHA-256. Equal inputs
// give equal digests, so repeated or identical calls can be told apart without reading them; a
// short or guessable value can still be guessed back from its digest (it identifies, it does
// not hide).

/** The UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

/** The first 16 hex digits (64 bits) of the SHA-256 of `bytes`. */
export const digestPrefix = async (bytes: Uint8Array): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  let hex = ''
  for (const byte of digest.subarray(0, 8)) hex += byte.toString(16).padStart(2, '0')
  return hex
}
