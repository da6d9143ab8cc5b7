// The session table and the event log, in a shard's SQLite database.
//
// One row per session (what the protocol needs to answer its requests), and the recent events of
// its SSE streams for resumability. Nothing else is stored: a session that ends leaves no row
// and no event behind.

import type { LoggingLevel } from '../settings/config.ts'

/** How a session's client talks to us. */
export type SessionTransport = 'streamable-http' | 'sse'

export interface SessionRow {
  id: string
  transport: SessionTransport
  /** Negotiated by `initialize` (a revision string); null on a legacy SSE session before it. */
  revision: string | null
  clientInfo: Record<string, unknown> | null
  clientCapabilities: Record<string, unknown> | null
  /** Set by `logging/setLevel`; null: the server's LOG_LEVEL. */
  logLevel: LoggingLevel | null
  /** Resource URIs subscribed with `resources/subscribe`. */
  subscriptions: string[]
  created: number
  lastSeen: number
  /**
   * AUTH=true: the principal that opened the session; only it may use the session (a session
   * id is not a credential: 2025-11-25 security best practices, session hijacking).
   */
  subject: string | null
  /**
   * Who opened it, as the per-caller limits count callers (the subject, else the client's
   * address); null when neither was known.
   */
  caller: string | null
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  transport TEXT NOT NULL,
  revision TEXT,
  client_info TEXT,
  client_capabilities TEXT,
  log_level TEXT,
  subscriptions TEXT NOT NULL DEFAULT '[]',
  created INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen);
CREATE TABLE IF NOT EXISTS events (
  session TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  payload TEXT NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY (session, stream, seq)
);
CREATE INDEX IF NOT EXISTS events_created ON events (created);
`

/** Creates the tables on first use (idempotent), and adds columns later versions need. */
export const migrate = (sql: SqlStorage): void => {
  sql.exec(SCHEMA)
  const columns = sql.exec('PRAGMA table_info(sessions)').toArray()
  if (!columns.some((column) => column.name === 'subject')) {
    sql.exec('ALTER TABLE sessions ADD COLUMN subject TEXT')
  }
  if (!columns.some((column) => column.name === 'caller')) {
    sql.exec('ALTER TABLE sessions ADD COLUMN caller TEXT')
  }
  sql.exec('CREATE INDEX IF NOT EXISTS sessions_caller ON sessions (caller)')
}

type Row = Record<string, SqlStorageValue>

const json = <T>(text: SqlStorageValue | undefined, fallback: T): T =>
  typeof text === 'string' ? (JSON.parse(text) as T) : fallback

const fromRow = (row: Row): SessionRow => ({
  id: String(row.id),
  transport: row.transport === 'sse' ? 'sse' : 'streamable-http',
  revision: typeof row.revision === 'string' ? row.revision : null,
  clientInfo: json(row.client_info, null),
  clientCapabilities: json(row.client_capabilities, null),
  logLevel: (row.log_level as LoggingLevel | null) ?? null,
  subscriptions: json(row.subscriptions, []),
  created: Number(row.created),
  lastSeen: Number(row.last_seen),
  subject: typeof row.subject === 'string' ? row.subject : null,
  caller: typeof row.caller === 'string' ? row.caller : null,
})

export const insertSession = (sql: SqlStorage, session: SessionRow): void => {
  sql.exec(
    `INSERT INTO sessions (id, transport, revision, client_info, client_capabilities, log_level,
       subscriptions, created, last_seen, subject, caller) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    session.id,
    session.transport,
    session.revision,
    session.clientInfo === null ? null : JSON.stringify(session.clientInfo),
    session.clientCapabilities === null ? null : JSON.stringify(session.clientCapabilities),
    session.logLevel,
    JSON.stringify(session.subscriptions),
    session.created,
    session.lastSeen,
    session.subject,
    session.caller,
  )
}

export const findSession = (sql: SqlStorage, id: string): SessionRow | null => {
  const [row] = sql.exec('SELECT * FROM sessions WHERE id = ?', id).toArray()
  return row === undefined ? null : fromRow(row)
}

/** Updates what `initialize`, `logging/setLevel` or a subscription changed. */
export const updateSession = (
  sql: SqlStorage,
  id: string,
  change: Partial<
    Pick<
      SessionRow,
      'revision' | 'clientInfo' | 'clientCapabilities' | 'logLevel' | 'subscriptions'
    >
  >,
): void => {
  const current = findSession(sql, id)
  if (current === null) return
  const next = { ...current, ...change }
  sql.exec(
    `UPDATE sessions SET revision = ?, client_info = ?, client_capabilities = ?, log_level = ?,
       subscriptions = ? WHERE id = ?`,
    next.revision,
    next.clientInfo === null ? null : JSON.stringify(next.clientInfo),
    next.clientCapabilities === null ? null : JSON.stringify(next.clientCapabilities),
    next.logLevel,
    JSON.stringify(next.subscriptions),
    id,
  )
}

export const touchSession = (sql: SqlStorage, id: string, now: number): void => {
  sql.exec('UPDATE sessions SET last_seen = ? WHERE id = ?', now, id)
}

/** Deletes a session and its events. */
export const deleteSession = (sql: SqlStorage, id: string): void => {
  sql.exec('DELETE FROM events WHERE session = ?', id)
  sql.exec('DELETE FROM sessions WHERE id = ?', id)
}

/** Deletes the sessions idle since before `cutoff`, with their events; returns their ids. */
export const expireSessions = (sql: SqlStorage, cutoff: number): string[] => {
  const ids = sql
    .exec('SELECT id FROM sessions WHERE last_seen < ?', cutoff)
    .toArray()
    .map((row) => String(row.id))
  for (const id of ids) deleteSession(sql, id)
  return ids
}

/** When the least recently seen session was last seen (null: no sessions). */
export const oldestLastSeen = (sql: SqlStorage): number | null => {
  const [row] = sql.exec('SELECT MIN(last_seen) AS oldest FROM sessions').toArray()
  return row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest)
}

/** How many sessions the shard holds, or (with `caller`) how many of them that caller opened. */
export const countSessions = (sql: SqlStorage, caller?: string): number =>
  Number(
    (caller === undefined
      ? sql.exec('SELECT COUNT(*) AS n FROM sessions')
      : sql.exec('SELECT COUNT(*) AS n FROM sessions WHERE caller = ?', caller)
    ).one().n,
  )

/** Appends an event and keeps the log bounded by count (per session) and age. */
export const appendEvent = (
  sql: SqlStorage,
  event: { session: string; stream: string; seq: number; payload: string },
  now: number,
  limits: { max: number; maxAgeMs: number },
): void => {
  sql.exec(
    'INSERT OR REPLACE INTO events (session, stream, seq, payload, created) VALUES (?, ?, ?, ?, ?)',
    event.session,
    event.stream,
    event.seq,
    event.payload,
    now,
  )
  sql.exec('DELETE FROM events WHERE created < ?', now - limits.maxAgeMs)
  sql.exec(
    `DELETE FROM events WHERE session = ? AND rowid NOT IN
       (SELECT rowid FROM events WHERE session = ? ORDER BY created DESC, seq DESC LIMIT ?)`,
    event.session,
    event.session,
    limits.max,
  )
}

/** The logged events of one stream after `seq`, oldest first. */
export const eventsAfter = (
  sql: SqlStorage,
  session: string,
  stream: string,
  seq: number,
): { seq: number; payload: string }[] =>
  sql
    .exec(
      'SELECT seq, payload FROM events WHERE session = ? AND stream = ? AND seq > ? ORDER BY seq',
      session,
      stream,
      seq,
    )
    .toArray()
    .map((row) => ({ seq: Number(row.seq), payload: String(row.payload) }))
