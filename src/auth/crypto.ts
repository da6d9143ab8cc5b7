// Small crypto helpers the auth modules share: random tokens, SHA-256 hashes (how codes, tokens
// and keys are stored) and HMAC; comparing secrets is src/http/secrets.ts. All Web Crypto.

const encoder = new TextEncoder()

/** base64url without padding (RFC 4648 §5). */
export const base64url = (bytes: Uint8Array): string => {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A random, URL-safe token carrying `bytes` bytes of entropy (default 32: 256 bits). */
export const randomToken = (bytes = 32): string =>
  base64url(crypto.getRandomValues(new Uint8Array(bytes)))

/** SHA-256 of `text` as base64url: how every code, token and key is stored. */
export const sha256 = async (text: string): Promise<string> =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))))

/** HMAC-SHA-256 of `message` under `key`, base64url. */
export const hmac = async (key: Uint8Array, message: string): Promise<string> => {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return base64url(
    new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(message))),
  )
}

/** RFC 7636 §4.6: the S256 code challenge of a verifier. */
export const s256 = async (verifier: string): Promise<string> =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(verifier))))
