// Session ids: which shard a session lives in, plus 192 random bits.
//
//   s3.q8Xk0y3b8yJ0N1c6m0pW5f9Yz0aR1t2u
//   ^^ shard 3 of SESSION_SHARDS
//
// R-HT-13 · https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management
// A session id SHOULD be globally unique and cryptographically secure, and MUST be visible ASCII
// (0x21-0x7E). Ours are base64url, so they are safe in headers and URLs alike.

const ID = /^s(\d{1,4})\.([A-Za-z0-9_-]{32})$/

/**
 * The shard of a caller's sessions: all of one caller's sessions live in one shard, so the
 * shard can count them (MAX_SESSIONS_PER_CALLER) without asking any other. FNV-1a of the
 * caller key; a caller that cannot be told (null) gets a random shard.
 */
export const shardFor = (caller: string | null, shards: number): number => {
  if (caller === null) return crypto.getRandomValues(new Uint32Array(1))[0]! % shards
  let hash = 0x811c9dc5
  for (let i = 0; i < caller.length; i++) hash = Math.imul(hash ^ caller.charCodeAt(i), 0x01000193)
  return (hash >>> 0) % shards
}

/** A new session id in `shard`. */
export const mintSessionId = (shard: number): string => {
  const random = crypto.getRandomValues(new Uint8Array(24))
  const text = btoa(String.fromCharCode(...random))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
  return `s${shard}.${text}`
}

/** The shard a session id names, or null when the id is not one of ours (then: 404). */
export const shardOf = (id: string, shards: number): number | null => {
  const match = ID.exec(id)
  if (match === null) return null
  const shard = Number(match[1])
  return shard < shards ? shard : null
}

/** The Durable Object name of a shard. */
export const shardName = (shard: number): string => `sessions-${shard}`
