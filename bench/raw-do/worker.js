// Raw fixture for the session path of `npm run bench`: the floor of a request that runs in a
// SQLite-backed Durable Object. The Worker forwards every POST to the object its
// Mcp-Session-Id names (the same `sessions-<shard>` name bare-mcp uses, so both targets put a
// run's requests through one object); the object does one read, a SELECT of its one-row table,
// and answers with the bytes bare-mcp sends for the bench's session echo call. Nothing parses
// the body; bench/run.mjs checks the bytes match.

import { DurableObject } from 'cloudflare:workers'

const ANSWER = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello"}]}}'

export class Shard extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env)
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS one (k INTEGER PRIMARY KEY, v TEXT NOT NULL);' +
        "INSERT OR IGNORE INTO one (k, v) VALUES (1, 'hello')",
    )
  }

  fetch() {
    // The one read per request (bare-mcp reads the session's row).
    const { v } = this.ctx.storage.sql.exec('SELECT v FROM one WHERE k = 1').one()
    if (v !== 'hello') return new Response('bad row', { status: 500 })
    return new Response(ANSWER, { headers: { 'Content-Type': 'application/json' } })
  }
}

export default {
  fetch(request, env) {
    if (request.method !== 'POST')
      return new Response(null, { status: 405, headers: { Allow: 'POST' } })
    const shard = /^s(\d{1,4})\./.exec(request.headers.get('mcp-session-id') ?? '')?.[1] ?? '0'
    return env.SHARD.get(env.SHARD.idFromName(`sessions-${shard}`)).fetch(request)
  },
}
