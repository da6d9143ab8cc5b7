// Revoked grants, as each isolate knows them (BM-AUTH-5). Access tokens are checked without a
// Durable Object round trip (tokens.ts), so revoking a grant (revoke.ts; a replayed code or a
// reused refresh token, token.ts) would leave its access tokens working until they expire. The
// AuthStore therefore lists each revoked grant until the last access token of it has expired
// (revoked_grants), and every isolate keeps a copy of that list, read again at most every
// AUTH_REVOCATION_REFRESH_MS: one Durable Object call per isolate per 30 s by default, not one
// per request.
//
//   token {"gid":"g1",...}  ->  isRevoked(env, "g1")  ->  401 "The access token was revoked"
//
// The isolate that revokes adds the grant to its copy at once; every other isolate learns of
// it within AUTH_REVOCATION_REFRESH_MS. An isolate reads the whole list before its first
// check. If the AuthStore cannot be read, the last copy serves and the read is tried again
// after RETRY_MS.
//
// No request ever awaits a read another request started (src/http/settled.ts says why). So
// the request that finds the copy due reads it; the others go on with the copy they have (at
// most one read older), and before the first read completes each request reads for itself.

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { authStore } from './binding.ts'

/** After a failed read, how long until the next try. */
const RETRY_MS = 5_000
/** The clock tolerance access tokens are verified with (tokens.ts), plus a margin. */
const TOLERANCE_MS = 60_000

interface Known {
  /** The AuthStore's sequence number of the last revocation read. */
  seq: number
  /** Grant id -> until when (epoch ms) a token of it could still be presented. */
  grants: Map<string, number>
  /** When the copy is next read from the AuthStore (epoch ms). */
  dueAt: number
  /** A request is reading the copy now. */
  reading: boolean
  /** The copy has been read once. */
  ready: boolean
}

const known = new WeakMap<object, Known>()

const copyOf = (env: Env): Known => {
  let copy = known.get(env)
  if (copy === undefined) {
    copy = { seq: 0, grants: new Map(), dueAt: 0, reading: false, ready: false }
    known.set(env, copy)
  }
  return copy
}

const read = async (env: Env, config: Config, copy: Known): Promise<void> => {
  try {
    const news = await authStore(env).revokedSince(copy.seq)
    for (const { grantId, until } of news.grants) copy.grants.set(grantId, until)
    // Reads may overlap (before the first one completes): each lists everything after its seq.
    copy.seq = Math.max(copy.seq, news.seq)
    copy.ready = true
    const now = Date.now()
    for (const [grantId, until] of copy.grants) if (until <= now) copy.grants.delete(grantId)
    copy.dueAt = now + config.AUTH_REVOCATION_REFRESH_MS
  } catch (error) {
    console.error('the revocation list could not be read; the last copy serves', error)
    copy.dueAt = Date.now() + RETRY_MS
  }
}

/** Until when a grant revoked now must stay listed: its last access token's expiry. */
export const tokensUntil = (config: Config): number =>
  Date.now() + config.ACCESS_TOKEN_TTL_S * 1000 + TOLERANCE_MS

/** Whether the grant an access token names was revoked (as of at most
 *  AUTH_REVOCATION_REFRESH_MS ago). */
export const isRevoked = async (env: Env, config: Config, grantId: string): Promise<boolean> => {
  const copy = copyOf(env)
  if (Date.now() >= copy.dueAt && (!copy.reading || !copy.ready)) {
    copy.reading = true
    try {
      await read(env, config, copy)
    } finally {
      copy.reading = false
    }
  }
  const until = copy.grants.get(grantId)
  return until !== undefined && until > Date.now()
}

/** Records, in this isolate's copy, a revocation this isolate just made in the AuthStore. */
export const revokedHere = (env: Env, grantId: string, until: number): void => {
  copyOf(env).grants.set(grantId, until)
}
