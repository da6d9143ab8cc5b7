// The authorization server's state: one SQLite-backed Durable Object ("auth", binding
// AUTH_STORE). Every code, token and key is stored as its SHA-256 hash, never as itself; rows
// carry an expiry (epoch ms) and an alarm deletes them once it passes.
//
//   secrets   (name, value)                 keys this server made for itself (AUTH_SECRET unset)
//   api_keys  (id, hash, label, scopes, created_at, revoked_at)
//   pending   (id, data JSON, expires_at)   authorization requests awaiting sign-in and consent
//   consents  (client_id, subject, resource, scopes)   what a user approved for a client and
//                                                      resource, remembered (BM-AUTH-11)
//   clients   (client_id, data JSON, secret_hash, expires_at)  registered clients (RFC 7591);
//                                                      unused ones expire, those that were ever
//                                                      issued tokens never (BM-AUTH-25, D.13)
//   grants    (id, client_id, subject, identity, scopes, resource, expires_at)
//                                                      one user's authorization of one client
//   codes     (hash, grant_id, ..., used_at, expires_at)  authorization codes, single use
//   refresh_tokens (hash, grant_id, client_id, used_at, expires_at)  rotated on every use
//   revoked_grants (seq, grant_id, expires_at)         grants revoked while access tokens of
//                                                      theirs may live (BM-AUTH-5)
//   cimd_cache (url, data JSON, expires_at)            Client ID Metadata Documents, validated,
//                                                      and failures (data null); bounded
//   assertion_jtis (client_id, jti, expires_at)        private_key_jwt `jti`s seen (replay)
//
// An alarm sweeps expired rows from every table that has an expiry, hourly while any are left.
//
// https://developers.cloudflare.com/durable-objects/api/sql-storage/

import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../settings/env.ts'
import type { Client, Pending } from './types.ts'
import type { Identity } from './upstream/identity.ts'

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS api_keys (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL,
     scopes TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   )`,
  `CREATE TABLE IF NOT EXISTS pending (
     id TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS consents (
     client_id TEXT NOT NULL,
     subject TEXT NOT NULL,
     resource TEXT NOT NULL,
     scopes TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (client_id, subject, resource)
   )`,
  `CREATE TABLE IF NOT EXISTS clients (
     client_id TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     secret_hash TEXT,
     created_at INTEGER NOT NULL,
     expires_at INTEGER
   )`,
  `CREATE TABLE IF NOT EXISTS revoked_grants (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     grant_id TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS grants (
     id TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     subject TEXT NOT NULL,
     identity TEXT NOT NULL,
     scopes TEXT NOT NULL,
     resource TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS codes (
     hash TEXT PRIMARY KEY,
     grant_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     redirect_uri TEXT NOT NULL,
     redirect_uri_given INTEGER NOT NULL,
     code_challenge TEXT NOT NULL,
     resource TEXT NOT NULL,
     used_at INTEGER,
     expires_at INTEGER NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS codes_grant ON codes (grant_id)`,
  `CREATE TABLE IF NOT EXISTS refresh_tokens (
     hash TEXT PRIMARY KEY,
     grant_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     issued_at INTEGER NOT NULL,
     used_at INTEGER,
     expires_at INTEGER NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens (grant_id)`,
  `CREATE TABLE IF NOT EXISTS cimd_cache (
     url TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS assertion_jtis (
     client_id TEXT NOT NULL,
     jti TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (client_id, jti)
   )`,
]

/** Tables whose rows carry `expires_at` and are swept by the alarm. */
const EXPIRING = [
  'pending',
  'codes',
  'refresh_tokens',
  'grants',
  'cimd_cache',
  'assertion_jtis',
  'clients',
  'revoked_grants',
] as const

/**
 * Tables as an earlier version made them, brought up to date: a probe that fails on the old
 * shape, and what fixes it. Consents remembered without their resource are dropped (they would
 * approve any resource, BM-AUTH-11); clients registered before expiry existed never expire.
 */
const MIGRATIONS: readonly { probe: string; fix: readonly string[] }[] = [
  {
    probe: 'SELECT resource FROM consents LIMIT 0',
    fix: ['DROP TABLE consents', SCHEMA.find((statement) => statement.includes('consents ('))!],
  },
  {
    probe: 'SELECT expires_at FROM clients LIMIT 0',
    fix: ['ALTER TABLE clients ADD expires_at INTEGER'],
  },
]

/** Creates the tables, and brings those an earlier version made up to date. */
export const setUpTables = (sql: SqlStorage): void => {
  for (const statement of SCHEMA) sql.exec(statement)
  for (const { probe, fix } of MIGRATIONS) {
    try {
      sql.exec(probe)
    } catch {
      for (const statement of fix) sql.exec(statement)
    }
  }
}

/** How often the alarm sweeps while rows with an expiry remain. */
const SWEEP_MS = 3_600_000

/** A registered (DCR) client as stored: the client (each redirect URI once), its secret's hash. */
export interface StoredClient {
  client: Client
  /** SHA-256 of the client secret (confidential clients only). */
  secretHash: string | null
}

/** A cached metadata document: the client it describes, or a fetch that failed. */
export type CachedDocument = { client: Client } | { failed: true }

/** Grants revoked after sequence number `since`, and the number to ask from next time. */
export interface Revocations {
  seq: number
  /** Each grant, and until when (epoch ms) tokens of it could still be presented. */
  grants: { grantId: string; until: number }[]
}

/** One user's authorization of one client: what its codes and refresh tokens carry. */
export interface Grant {
  id: string
  clientId: string
  subject: string
  identity: Identity
  scopes: string[]
  resource: string
}

/** An authorization code's binding (RFC 6749 §4.1.2), stored under the code's hash. */
export interface CodeBinding {
  grantId: string
  clientId: string
  redirectUri: string
  /** Whether redirect_uri was sent at /authorize (then /token must repeat it). */
  redirectUriGiven: boolean
  codeChallenge: string
  resource: string
}

/** What redeeming a code found. */
export type Redeemed =
  | { status: 'ok'; code: CodeBinding; grant: Grant }
  /** Already used: its grant has just been revoked (RFC 6749 §4.1.2). */
  | { status: 'replayed'; grantId: string }
  | { status: 'unknown' }

/** What rotating a refresh token did. */
export type Rotated =
  | { status: 'ok'; grant: Grant }
  /** A used token came back: the whole grant was revoked (RFC 9700 §4.14.2). */
  | { status: 'reused'; grantId: string }
  | { status: 'unknown' }
  | { status: 'wrong_client' }
  | { status: 'scope' }
  | { status: 'resource' }

/** An API key as listed: never the key itself. */
export interface ApiKeyRow {
  id: string
  label: string
  scopes: string[]
  createdAt: number
  revokedAt: number | null
}

const toGrant = (row: Record<string, SqlStorageValue>): Grant => ({
  id: String(row.id),
  clientId: String(row.client_id),
  subject: String(row.subject),
  identity: JSON.parse(String(row.identity)) as Identity,
  scopes: String(row.scopes).split(' ').filter(Boolean),
  resource: String(row.resource),
})

const toApiKey = (row: Record<string, SqlStorageValue>): ApiKeyRow => ({
  id: String(row.id),
  label: String(row.label),
  scopes: String(row.scopes).split(' ').filter(Boolean),
  createdAt: Number(row.created_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
})

export class AuthStore extends DurableObject<Env> {
  private readonly sql: SqlStorage
  /** When the sweep alarm is set for (null: none). */
  private alarmAt: number | null = null

  constructor(state: DurableObjectState, env: Env) {
    super(state, env)
    this.sql = state.storage.sql
    setUpTables(this.sql)
    void state.blockConcurrencyWhile(async () => {
      this.alarmAt = await state.storage.getAlarm()
    })
  }

  /** Makes sure an alarm will sweep the rows just written once they expire. */
  private scheduleSweep(): void {
    if (this.alarmAt !== null) return
    this.alarmAt = Date.now() + SWEEP_MS
    void this.ctx.storage.setAlarm(this.alarmAt)
  }

  /** Deletes expired rows of every table with an expiry; again in an hour while rows remain. */
  override async alarm(): Promise<void> {
    this.alarmAt = null
    const now = Date.now()
    let left = 0
    for (const table of EXPIRING) {
      this.sql.exec(`DELETE FROM ${table} WHERE expires_at <= ?`, now)
      // Rows without an expiry (clients that were issued tokens) wait for nothing.
      left += Number(
        this.sql.exec(`SELECT COUNT(*) AS n FROM ${table} WHERE expires_at IS NOT NULL`).one().n,
      )
    }
    if (left > 0) this.scheduleSweep()
  }

  /** A named random secret (32 bytes, base64url), made on first request and kept. */
  secret(name: string): string {
    const row = this.sql.exec('SELECT value FROM secrets WHERE name = ?', name).toArray()[0]
    if (row !== undefined) return String(row.value)
    const bytes = crypto.getRandomValues(new Uint8Array(32))
    const value = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    this.sql.exec('INSERT INTO secrets (name, value) VALUES (?, ?)', name, value)
    return value
  }

  // --- API keys (src/auth/api-keys.ts) ---

  putApiKey(key: {
    id: string
    hash: string
    label: string
    scopes: readonly string[]
  }): ApiKeyRow {
    const now = Date.now()
    this.sql.exec(
      'INSERT INTO api_keys (id, hash, label, scopes, created_at) VALUES (?, ?, ?, ?, ?)',
      key.id,
      key.hash,
      key.label,
      key.scopes.join(' '),
      now,
    )
    return {
      id: key.id,
      label: key.label,
      scopes: [...key.scopes],
      createdAt: now,
      revokedAt: null,
    }
  }

  /** The live (unrevoked) key with this hash, if any. */
  findApiKey(hash: string): ApiKeyRow | null {
    const row = this.sql
      .exec('SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL', hash)
      .toArray()[0]
    return row === undefined ? null : toApiKey(row)
  }

  listApiKeys(): ApiKeyRow[] {
    return this.sql.exec('SELECT * FROM api_keys ORDER BY created_at, id').toArray().map(toApiKey)
  }

  /** Revokes a key; false when there is no live key with that id. */
  revokeApiKey(id: string): boolean {
    const cursor = this.sql.exec(
      'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      Date.now(),
      id,
    )
    return cursor.rowsWritten > 0
  }

  // --- Pending authorization requests (src/auth/authorize.ts, signin.ts, consent.ts) ---

  putPending(pending: Pending): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO pending (id, data, expires_at) VALUES (?, ?, ?)',
      pending.id,
      JSON.stringify(pending),
      pending.expiresAt,
    )
    this.scheduleSweep()
  }

  /** The pending request with this id, unless it expired. */
  getPending(id: string): Pending | null {
    const row = this.sql
      .exec('SELECT data FROM pending WHERE id = ? AND expires_at > ?', id, Date.now())
      .toArray()[0]
    return row === undefined ? null : (JSON.parse(String(row.data)) as Pending)
  }

  /** Merges `patch` into a live pending request; the updated request, or null. */
  updatePending(id: string, patch: Partial<Omit<Pending, 'id'>>): Pending | null {
    const pending = this.getPending(id)
    if (pending === null) return null
    const updated = { ...pending, ...patch }
    this.putPending(updated)
    return updated
  }

  /** Removes and returns a live pending request: each can be finished once. */
  takePending(id: string): Pending | null {
    const pending = this.getPending(id)
    this.sql.exec('DELETE FROM pending WHERE id = ?', id)
    return pending
  }

  // --- Remembered consent (src/auth/consent.ts) ---

  /** The scopes `subject` approved for `clientId` at `resource`, or null if never asked. */
  getConsent(clientId: string, subject: string, resource: string): string[] | null {
    const row = this.sql
      .exec(
        'SELECT scopes FROM consents WHERE client_id = ? AND subject = ? AND resource = ?',
        clientId,
        subject,
        resource,
      )
      .toArray()[0]
    return row === undefined ? null : String(row.scopes).split(' ').filter(Boolean)
  }

  putConsent(clientId: string, subject: string, resource: string, scopes: readonly string[]): void {
    this.sql.exec(
      `INSERT INTO consents (client_id, subject, resource, scopes, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (client_id, subject, resource) DO UPDATE SET scopes = excluded.scopes,
         updated_at = excluded.updated_at`,
      clientId,
      subject,
      resource,
      scopes.join(' '),
      Date.now(),
    )
  }

  // --- Registered clients (src/auth/register.ts, clients.ts) ---

  /** Stores a new registration, deleted at `expiresAt` unless it is issued tokens before. */
  putClient(stored: StoredClient, expiresAt: number): void {
    this.sql.exec(
      `INSERT INTO clients (client_id, data, secret_hash, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
      stored.client.clientId,
      JSON.stringify(stored.client),
      stored.secretHash,
      Date.now(),
      expiresAt,
    )
    this.scheduleSweep()
  }

  /** A live registration (not expired), or null. */
  getClient(clientId: string): StoredClient | null {
    const row = this.sql
      .exec(
        `SELECT data, secret_hash FROM clients
         WHERE client_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
        clientId,
        Date.now(),
      )
      .toArray()[0]
    if (row === undefined) return null
    const data = JSON.parse(String(row.data)) as Client | { client: Client }
    // Rows written before BM-AUTH-25 held {client, metadata}.
    const client = 'client' in data ? data.client : data
    return { client, secretHash: row.secret_hash === null ? null : String(row.secret_hash) }
  }

  // --- Client ID Metadata Documents (src/auth/cimd.ts) ---

  /** A validated document's client, or a remembered failure, unless its entry expired. */
  getCachedDocument(url: string): CachedDocument | null {
    const row = this.sql
      .exec('SELECT data FROM cimd_cache WHERE url = ? AND expires_at > ?', url, Date.now())
      .toArray()[0]
    if (row === undefined) return null
    const client = JSON.parse(String(row.data)) as Client | null
    return client === null ? { failed: true } : { client }
  }

  /**
   * Caches a document's client (null: the fetch failed) until `expiresAt`, keeping at most
   * `maxEntries` rows: those expiring soonest go first (BM-AUTH-26).
   */
  putCachedDocument(
    url: string,
    client: Client | null,
    expiresAt: number,
    maxEntries: number,
  ): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO cimd_cache (url, data, expires_at) VALUES (?, ?, ?)',
      url,
      JSON.stringify(client),
      expiresAt,
    )
    this.sql.exec(
      `DELETE FROM cimd_cache WHERE url IN
         (SELECT url FROM cimd_cache ORDER BY expires_at DESC LIMIT -1 OFFSET ?)`,
      maxEntries,
    )
    this.scheduleSweep()
  }

  // --- private_key_jwt assertions (src/auth/client-auth.ts) ---

  /** Records an assertion's `jti` until `expiresAt`; false when it was seen before (a replay). */
  useAssertionJti(clientId: string, jti: string, expiresAt: number): boolean {
    const seen = this.sql
      .exec(
        'SELECT 1 FROM assertion_jtis WHERE client_id = ? AND jti = ? AND expires_at > ?',
        clientId,
        jti,
        Date.now(),
      )
      .toArray()
    if (seen.length > 0) return false
    this.sql.exec(
      'INSERT OR REPLACE INTO assertion_jtis (client_id, jti, expires_at) VALUES (?, ?, ?)',
      clientId,
      jti,
      expiresAt,
    )
    this.scheduleSweep()
    return true
  }

  // --- Grants, codes, refresh tokens (src/auth/authorize.ts, token.ts, revoke.ts) ---

  /** Stores a new grant and its authorization code (hashed), both living until `expiresAt`. */
  putGrantWithCode(grant: Grant, codeHash: string, code: CodeBinding, expiresAt: number): void {
    const now = Date.now()
    this.sql.exec(
      `INSERT INTO grants (id, client_id, subject, identity, scopes, resource, created_at,
         expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      grant.id,
      grant.clientId,
      grant.subject,
      JSON.stringify(grant.identity),
      grant.scopes.join(' '),
      grant.resource,
      now,
      expiresAt,
    )
    this.sql.exec(
      `INSERT INTO codes (hash, grant_id, client_id, redirect_uri, redirect_uri_given,
         code_challenge, resource, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      codeHash,
      code.grantId,
      code.clientId,
      code.redirectUri,
      code.redirectUriGiven ? 1 : 0,
      code.codeChallenge,
      code.resource,
      expiresAt,
    )
    this.scheduleSweep()
  }

  private liveGrant(id: string): Grant | null {
    const row = this.sql
      .exec('SELECT * FROM grants WHERE id = ? AND expires_at > ?', id, Date.now())
      .toArray()[0]
    return row === undefined ? null : toGrant(row)
  }

  /**
   * Marks a code used and returns its binding and grant. The code is spent whatever the caller
   * then decides; a code that was already used revokes the grant it produced (RFC 6749 §4.1.2).
   */
  redeemCode(hash: string, tokensUntil: number): Redeemed {
    const row = this.sql
      .exec('SELECT * FROM codes WHERE hash = ? AND expires_at > ?', hash, Date.now())
      .toArray()[0]
    if (row === undefined) return { status: 'unknown' }
    if (row.used_at !== null) {
      this.revokeGrant(String(row.grant_id), tokensUntil)
      return { status: 'replayed', grantId: String(row.grant_id) }
    }
    this.sql.exec('UPDATE codes SET used_at = ? WHERE hash = ?', Date.now(), hash)
    const grant = this.liveGrant(String(row.grant_id))
    if (grant === null) return { status: 'unknown' }
    return {
      status: 'ok',
      grant,
      code: {
        grantId: grant.id,
        clientId: String(row.client_id),
        redirectUri: String(row.redirect_uri),
        redirectUriGiven: Number(row.redirect_uri_given) === 1,
        codeChallenge: String(row.code_challenge),
        resource: String(row.resource),
      },
    }
  }

  /**
   * Stores a refresh token (hashed) for a live grant and lets the grant live as long as it;
   * its client, now issued tokens, no longer expires (BM-AUTH-25). False when the grant is gone
   * (revoked meanwhile).
   */
  putRefreshToken(grantId: string, hash: string, expiresAt: number): boolean {
    const grant = this.liveGrant(grantId)
    if (grant === null) return false
    const now = Date.now()
    this.sql.exec(
      `INSERT INTO refresh_tokens (hash, grant_id, client_id, issued_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
      hash,
      grantId,
      grant.clientId,
      now,
      expiresAt,
    )
    this.sql.exec(
      'UPDATE grants SET expires_at = MAX(expires_at, ?) WHERE id = ?',
      expiresAt,
      grantId,
    )
    this.sql.exec('UPDATE clients SET expires_at = NULL WHERE client_id = ?', grant.clientId)
    this.scheduleSweep()
    return true
  }

  /**
   * Refresh-token rotation, in one step: checks the presented token (by hash) is live and
   * belongs to `clientId`, that `scopes` (if narrowed) are within the grant and `resource` (if
   * sent) is the grant's, then marks it used and stores its successor. A token that was already
   * used revokes the whole grant: every refresh token of it and the grant itself.
   */
  rotateRefreshToken(request: {
    hash: string
    clientId: string
    scopes: readonly string[] | null
    resource: string | null
    next: { hash: string; expiresAt: number }
    /** Until when access tokens issued now could be presented (for a revocation). */
    tokensUntil: number
  }): Rotated {
    const now = Date.now()
    const row = this.sql
      .exec('SELECT * FROM refresh_tokens WHERE hash = ? AND expires_at > ?', request.hash, now)
      .toArray()[0]
    if (row === undefined) return { status: 'unknown' }
    const grantId = String(row.grant_id)
    if (row.used_at !== null) {
      this.revokeGrant(grantId, request.tokensUntil)
      return { status: 'reused', grantId }
    }
    const grant = this.liveGrant(grantId)
    if (grant === null) return { status: 'unknown' }
    if (grant.clientId !== request.clientId) return { status: 'wrong_client' }
    if (request.scopes !== null && !request.scopes.every((s) => grant.scopes.includes(s))) {
      return { status: 'scope' }
    }
    if (request.resource !== null && request.resource !== grant.resource) {
      return { status: 'resource' }
    }
    this.sql.exec('UPDATE refresh_tokens SET used_at = ? WHERE hash = ?', now, request.hash)
    this.putRefreshToken(grantId, request.next.hash, request.next.expiresAt)
    return { status: 'ok', grant }
  }

  /** The grant a live, unused refresh token belongs to (for revocation), or null. */
  refreshTokenGrant(hash: string): Grant | null {
    const row = this.sql
      .exec(
        'SELECT grant_id FROM refresh_tokens WHERE hash = ? AND expires_at > ?',
        hash,
        Date.now(),
      )
      .toArray()[0]
    return row === undefined ? null : this.liveGrant(String(row.grant_id))
  }

  /** The live grant with this id, or null. */
  getGrant(id: string): Grant | null {
    return this.liveGrant(id)
  }

  /**
   * Revokes a grant: deletes it, its codes and every refresh token of its family, and lists it
   * as revoked until `tokensUntil`, when the last access token of it has expired (BM-AUTH-5).
   */
  revokeGrant(id: string, tokensUntil: number): void {
    this.sql.exec('DELETE FROM refresh_tokens WHERE grant_id = ?', id)
    this.sql.exec('DELETE FROM codes WHERE grant_id = ?', id)
    this.sql.exec('DELETE FROM grants WHERE id = ?', id)
    this.sql.exec(
      'INSERT INTO revoked_grants (grant_id, expires_at) VALUES (?, ?)',
      id,
      tokensUntil,
    )
    this.scheduleSweep()
  }

  /** Grants revoked after `since` (a sequence number from an earlier answer; 0 at first). */
  revokedSince(since: number): Revocations {
    const rows = this.sql
      .exec(
        'SELECT seq, grant_id, expires_at FROM revoked_grants WHERE seq > ? AND expires_at > ? ORDER BY seq',
        since,
        Date.now(),
      )
      .toArray()
    const last = rows.at(-1)
    return {
      seq: last === undefined ? since : Number(last.seq),
      grants: rows.map((row) => ({ grantId: String(row.grant_id), until: Number(row.expires_at) })),
    }
  }
}
