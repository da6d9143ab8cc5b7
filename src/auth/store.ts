// The authorization server's state: one SQLite-backed Durable Object ("auth", binding
// AUTH_STORE). Every code, token and key is stored as its SHA-256 hash, never as itself; rows
// carry an expiry (epoch ms) and an alarm deletes them once it passes.
//
//   secrets   (name, value)                 keys this server made for itself (AUTH_SECRET unset)
//   api_keys  (id, hash, label, scopes, created_at, revoked_at)
//   pending   (id, data JSON, expires_at)   authorization requests awaiting sign-in and consent
//   consents  (client_id, subject, scopes)  what a user approved for a client, remembered
//
// https://developers.cloudflare.com/durable-objects/api/sql-storage/

import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../env.ts'
import type { Pending } from './types.ts'

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
     scopes TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (client_id, subject)
   )`,
]

/** An API key as listed: never the key itself. */
export interface ApiKeyRow {
  id: string
  label: string
  scopes: string[]
  createdAt: number
  revokedAt: number | null
}

const toApiKey = (row: Record<string, SqlStorageValue>): ApiKeyRow => ({
  id: String(row.id),
  label: String(row.label),
  scopes: String(row.scopes).split(' ').filter(Boolean),
  createdAt: Number(row.created_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
})

export class AuthStore extends DurableObject<Env> {
  private readonly sql: SqlStorage

  constructor(state: DurableObjectState, env: Env) {
    super(state, env)
    this.sql = state.storage.sql
    for (const statement of SCHEMA) this.sql.exec(statement)
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

  /** The scopes `subject` approved for `clientId`, or null if never asked. */
  getConsent(clientId: string, subject: string): string[] | null {
    const row = this.sql
      .exec('SELECT scopes FROM consents WHERE client_id = ? AND subject = ?', clientId, subject)
      .toArray()[0]
    return row === undefined ? null : String(row.scopes).split(' ').filter(Boolean)
  }

  putConsent(clientId: string, subject: string, scopes: readonly string[]): void {
    this.sql.exec(
      `INSERT INTO consents (client_id, subject, scopes, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (client_id, subject) DO UPDATE SET scopes = excluded.scopes,
         updated_at = excluded.updated_at`,
      clientId,
      subject,
      scopes.join(' '),
      Date.now(),
    )
  }
}
