// The knowledge base behind `search` and `fetch`: one SQLite-backed Durable Object holding the
// documents and an FTS5 full-text index over their titles and text. The Worker reaches it by
// RPC (src/kb/binding.ts); it stores and searches, and leaves HTTP, validation and citation URLs
// to its callers.
//
//   docs      (rowid, id UNIQUE, title, text, url, metadata JSON, updated_at ms)
//   docs_fts  FTS5 over (title, text), external content = docs, kept in step by triggers;
//             ranked by bm25 with title matches weighing 10x, porter stemming, no diacritics
//   meta      (key, value): "corpus" = "demo" while the demo corpus is loaded, else "custom";
//             "version" = a counter every write bumps (seeding, upsert, delete, clear), which
//             sessions and listen streams poll to announce `notifications/resources/list_changed`
//
// A knowledge base is seeded with the demo corpus on first use; the first upload (or update) of
// real documents replaces it, and clearing removes it for good.
//
// https://developers.cloudflare.com/durable-objects/api/sql-storage/
// https://www.sqlite.org/fts5.html

import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../settings/env.ts'
import { DEMO_CORPUS } from './demo.ts'
import type { Doc, Hit } from './document.ts'
import { allOf, anyOf, terms, usesSyntax } from './query.ts'

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS docs (
     rowid INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     title TEXT NOT NULL,
     text TEXT NOT NULL,
     url TEXT,
     metadata TEXT,
     updated_at INTEGER NOT NULL
   )`,
  `CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
     title, text, content='docs', content_rowid='rowid',
     tokenize='porter unicode61 remove_diacritics 2'
   )`,
  `CREATE TRIGGER IF NOT EXISTS docs_ai AFTER INSERT ON docs BEGIN
     INSERT INTO docs_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
   END`,
  `CREATE TRIGGER IF NOT EXISTS docs_ad AFTER DELETE ON docs BEGIN
     INSERT INTO docs_fts(docs_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
   END`,
  `CREATE TRIGGER IF NOT EXISTS docs_au AFTER UPDATE ON docs BEGIN
     INSERT INTO docs_fts(docs_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
     INSERT INTO docs_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
   END`,
  // `ORDER BY rank` uses this; FTS5 optimises `ORDER BY rank LIMIT n` on its own table.
  `INSERT INTO docs_fts(docs_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)')`,
]

/** Snippets: about this many tokens of the text around the matches, matches in **bold**. */
const SNIPPET_TOKENS = 24

const SEARCH = `
  SELECT d.id, d.title, d.url, m.snippet FROM (
    SELECT rowid, rank, snippet(docs_fts, 1, '**', '**', '…', ${SNIPPET_TOKENS}) AS snippet
    FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rank LIMIT ?
  ) AS m JOIN docs AS d ON d.rowid = m.rowid ORDER BY m.rank, d.id`

const UPSERT = `
  INSERT INTO docs (id, title, text, url, metadata, updated_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET title = excluded.title, text = excluded.text,
    url = excluded.url, metadata = excluded.metadata, updated_at = excluded.updated_at`

/** One document as `resources/list` shows it: no text, only its size. */
export interface Listed {
  id: string
  title: string
  /** UTF-8 bytes of the text. */
  bytes: number
  /** ms since the epoch of its last write. */
  updated: number
}

/** What an upload did. */
export interface Upserted {
  created: number
  updated: number
  documents: number
}

/** `GET /admin/kb/stats`. */
export interface Stats {
  documents: number
  /** True while the demo corpus is loaded (no upload yet). */
  demo: boolean
  /** UTF-8 bytes of all titles and texts. */
  textBytes: number
  /** The SQLite database's size, index included. */
  databaseBytes: number
  /** ISO time of the newest write, null when empty. */
  lastUpdated: string | null
}

type Row = Record<string, SqlStorageValue>

const toDoc = (row: Row): Doc => ({
  id: String(row.id),
  title: String(row.title),
  text: String(row.text),
  url: row.url === null ? null : String(row.url),
  metadata: row.metadata === null ? null : (JSON.parse(String(row.metadata)) as Doc['metadata']),
})

export class KnowledgeBase extends DurableObject<Env> {
  readonly #sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    ctx.storage.transactionSync(() => this.#setUp())
  }

  /** Creates the tables once, and seeds the demo corpus into a knowledge base never used. */
  #setUp(): void {
    const created = this.#sql.exec(`SELECT 1 FROM sqlite_master WHERE name = 'meta'`).toArray()
    if (created.length > 0) return
    for (const statement of SCHEMA) this.#sql.exec(statement)
    const now = Date.now()
    for (const doc of DEMO_CORPUS) this.#put(doc, now)
    this.#sql.exec(`INSERT INTO meta (key, value) VALUES ('corpus', 'demo')`)
    this.#bump()
  }

  /** Every write that changes the list of documents moves the version (R-SF-25). */
  #bump(): void {
    this.#sql.exec(
      `INSERT INTO meta VALUES ('version', 1) ON CONFLICT DO UPDATE SET value = value + 1`,
    )
  }

  #put(doc: Doc, now: number): void {
    this.#sql.exec(
      UPSERT,
      doc.id,
      doc.title,
      doc.text,
      doc.url,
      doc.metadata === null ? null : JSON.stringify(doc.metadata),
      now,
    )
  }

  #count(): number {
    return Number(this.#sql.exec(`SELECT count(*) AS n FROM docs`).one().n)
  }

  /** The first write of real documents removes the demo corpus. */
  #leaveDemo(): boolean {
    const row = this.#sql.exec(`SELECT value FROM meta WHERE key = 'corpus'`).toArray()[0]
    if (row?.value !== 'demo') return false
    this.#sql.exec(`DELETE FROM docs`)
    this.#sql.exec(`UPDATE meta SET value = 'custom' WHERE key = 'corpus'`)
    return true
  }

  #match(query: string, limit: number): Hit[] {
    return this.#sql.exec(SEARCH, query, limit).toArray() as unknown as Hit[]
  }

  /**
   * The best `limit` documents for `query`, best first. FTS5 syntax is honoured; a query it
   * cannot parse, and any query of plain words, is searched as words: documents with all of
   * them, or else with any. Never throws for a bad query; an empty query finds nothing.
   */
  search(query: string, limit: number): Hit[] {
    if (query.trim() === '') return []
    if (usesSyntax(query)) {
      try {
        return this.#match(query, limit)
      } catch {
        // FTS5 refused the syntax (unterminated quote, unknown column, ...): use the words.
      }
    }
    const words = terms(query)
    if (words.length === 0) return []
    const all = this.#match(allOf(words), limit)
    if (all.length > 0) return all
    const any = anyOf(words)
    return any === allOf(words) ? all : this.#match(any, limit)
  }

  /** One document, or null. */
  get(id: string): Doc | null {
    const row = this.#sql.exec(`SELECT * FROM docs WHERE id = ?`, id).toArray()[0]
    return row === undefined ? null : toDoc(row)
  }

  /** Creates or replaces documents, all or none. */
  upsert(docs: readonly Doc[]): Upserted {
    return this.ctx.storage.transactionSync(() => {
      const left = this.#leaveDemo()
      const now = Date.now()
      let created = 0
      for (const doc of docs) {
        const exists = this.#sql.exec(`SELECT 1 FROM docs WHERE id = ?`, doc.id).toArray()
        if (exists.length === 0) created++
        this.#put(doc, now)
      }
      if (left || docs.length > 0) this.#bump()
      return { created, updated: docs.length - created, documents: this.#count() }
    })
  }

  /** Deletes one document; false if there was none. */
  remove(id: string): boolean {
    return this.ctx.storage.transactionSync(() => {
      const removed = this.#sql.exec(`DELETE FROM docs WHERE id = ?`, id).rowsWritten > 0
      if (removed) this.#bump()
      return removed
    })
  }

  /** Deletes every document (the demo corpus is not seeded again); returns how many. */
  clear(): number {
    return this.ctx.storage.transactionSync(() => {
      const count = this.#count()
      this.#sql.exec(`DELETE FROM docs`)
      this.#sql.exec(`UPDATE meta SET value = 'custom' WHERE key = 'corpus'`)
      if (count > 0) this.#bump()
      return count
    })
  }

  /**
   * The catalog version: a number that moves on every write of the list (R-SF-25). One lookup by
   * key, cheap enough to poll; 0 for a knowledge base made before versions existed, until its
   * first write.
   */
  version(): number {
    const row = this.#sql.exec(`SELECT value FROM meta WHERE key = 'version'`).toArray()[0]
    return row === undefined ? 0 : Number(row.value)
  }

  /** Up to `limit` documents from `offset`, ordered by id, without their text. */
  list(offset: number, limit: number): Listed[] {
    return this.#sql
      .exec(
        `SELECT id, title, length(CAST(text AS BLOB)) bytes, updated_at updated FROM docs ORDER BY id LIMIT ? OFFSET ?`,
        limit,
        offset,
      )
      .toArray()
      .map((row) => ({
        id: String(row.id),
        title: String(row.title),
        bytes: Number(row.bytes),
        updated: Number(row.updated),
      }))
  }

  stats(): Stats {
    const row = this.#sql
      .exec(
        `SELECT count(*) AS n, coalesce(sum(length(CAST(title AS BLOB)) + length(CAST(text AS BLOB))), 0) AS bytes,
                max(updated_at) AS updated FROM docs`,
      )
      .one()
    const corpus = this.#sql.exec(`SELECT value FROM meta WHERE key = 'corpus'`).one()
    return {
      documents: Number(row.n),
      demo: corpus.value === 'demo',
      textBytes: Number(row.bytes),
      databaseBytes: this.#sql.databaseSize,
      lastUpdated: row.updated === null ? null : new Date(Number(row.updated)).toISOString(),
    }
  }
}
