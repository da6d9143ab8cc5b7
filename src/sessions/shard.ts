// SessionShard: the Durable Object that holds one shard of the session table.
//
// Every request that names a session runs here, in the shard its id names, so a tool's request
// to the client and the client's answer (a separate POST) meet in one place, and a session's
// streams live next to its row. Sessions are rows in this object's SQLite database (store.ts);
// open streams and pending requests are in memory (live.ts). An alarm deletes idle sessions, so
// nothing is kept, or billed, for a session that is over; an idle shard costs no CPU.
//
// While one of its sessions has a stream open (GET or /sse) on a catalog whose resource list
// changes (a resource source), the shard polls the list's version every LIST_CHANGED_POLL_MS and
// tells each such session of a move with `notifications/resources/list_changed` (R-SF-25); the
// timer stops with the last stream.

import { DurableObject } from 'cloudflare:workers'
import { decodePrincipal } from '../auth/principal.ts'
import type { Principal } from '../protocol/principal.ts'
import { catalogFor, serverCatalog } from '../catalog.ts'
import type { ServerFeatures } from '../protocol/context.ts'
import { config as settings, type Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { invalidRequest } from '../jsonrpc/errors.ts'
import { rpcError } from '../http/responses.ts'
import type { LegacyRevision } from '../protocol/revisions.ts'
import { post } from '../transports/streamable-http.ts'
import { openSseStream, sseHeaders } from '../transports/sse.ts'
import { openLegacyStream, legacyMessage } from '../transports/legacy-sse.ts'
import { versionOf, type ResourceSource } from '../resources/source.ts'
import {
  completeElicitation,
  listAt,
  newLive,
  shardSession,
  streaming,
  unwatch,
  watchResource,
  type Live,
  type ShardSession,
} from './live.ts'
import { openResumable, parseEventId, type EventLog } from './resumable.ts'
import { INTERNAL, sessionNotFound, type ShardOp } from './route.ts'
import {
  appendEvent,
  countSessions,
  deleteSession,
  eventsAfter,
  expireSessions,
  findSession,
  insertSession,
  migrate,
  oldestLastSeen,
  touchSession,
  updateSession,
  type SessionRow,
  type SessionTransport,
} from './store.ts'

/** last_seen is written at most this often per session (cheap, and precise enough for expiry). */
const TOUCH_EVERY_MS = 10_000

export class SessionShard extends DurableObject<Env> {
  #sql: SqlStorage
  #live = new Map<string, Live>()
  /** R-SF-25: polls resource list versions while a stream is open (null: none is). */
  #listPoll: ReturnType<typeof setInterval> | null = null
  #listPolling = false

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    migrate(this.#sql)
  }

  get #config(): Config {
    return settings(this.env)
  }

  /** The catalog of the request's path (the Worker has already refused a missing pack). */
  #catalog(request: Request): ServerFeatures {
    const features =
      serverCatalog(request.headers.get(INTERNAL.catalog)) ??
      catalogFor(this.#config, new URL(request.url).pathname)
    if (features === null) throw new Error(`FIXTURES=${this.#config.FIXTURES} is not in this build`)
    return features
  }

  /** RPC from the Worker: a session opened by a successful `initialize` (R-HT-13). */
  async create(init: {
    id: string
    transport: SessionTransport
    revision: string | null
    clientInfo: Record<string, unknown> | null
    clientCapabilities: Record<string, unknown> | null
    subject: string | null
  }): Promise<void> {
    const now = Date.now()
    insertSession(this.#sql, {
      ...init,
      revision: init.revision as LegacyRevision | null,
      logLevel: null,
      subscriptions: [],
      created: now,
      lastSeen: now,
    })
    await this.#schedule()
  }

  /** RPC: how many sessions this shard holds (tests and operators). */
  async size(): Promise<number> {
    return countSessions(this.#sql)
  }

  /**
   * RPC from the app's own route, once the user has finished a URL elicitation's page (R-SF-42):
   * `notifications/elicitation/complete` on the session's GET stream, only if this session's
   * client was sent that elicitation. False when it was not, or no stream is open.
   */
  async completeElicitation(session: string, elicitationId: string): Promise<boolean> {
    const live = this.#live.get(session)
    if (live === undefined || findSession(this.#sql, session) === null) return false
    return completeElicitation(live, elicitationId)
  }

  override async fetch(request: Request): Promise<Response> {
    const op = request.headers.get(INTERNAL.op) as ShardOp | null
    const id = request.headers.get(INTERNAL.session) ?? ''
    if (op === 'sse-open') return this.#openLegacy(id, request)
    const row = findSession(this.#sql, id)
    const principal = decodePrincipal(request.headers.get(INTERNAL.principal))
    // A session belongs to whoever opened it: another caller gets the same 404 as for a
    // session that does not exist, learning nothing about it.
    if (row === null || (row.subject !== null && row.subject !== principal?.subject)) {
      await request.body?.cancel()
      return sessionNotFound()
    }
    this.#touch(row)
    switch (op) {
      case 'post':
        if (row.transport !== 'streamable-http') return sessionNotFound()
        return post(
          request,
          this.#config,
          this.#catalog(request),
          this.env,
          this.#session(row),
          principal,
        )
      case 'get':
        if (row.transport !== 'streamable-http') return sessionNotFound()
        return this.#standalone(row, request)
      case 'delete':
        if (row.transport !== 'streamable-http') return sessionNotFound()
        this.#end(row.id)
        return new Response(null, { status: 204 })
      case 'sse-message':
        return this.#legacyMessage(row, request, principal)
      default:
        return rpcError(400, invalidRequest('Unknown shard operation'))
    }
  }

  /** Expires idle sessions and their events; sets the next alarm while sessions remain. */
  override async alarm(): Promise<void> {
    const { SESSION_TTL_MS } = this.#config
    const now = Date.now()
    // A session with a stream open is in use, however quiet: it is not idle.
    for (const [id, live] of this.#live) {
      if (live.legacy !== null || live.standalone?.connected === true)
        touchSession(this.#sql, id, now)
    }
    for (const id of expireSessions(this.#sql, now - SESSION_TTL_MS)) this.#close(id)
    await this.#schedule()
  }

  async #schedule(): Promise<void> {
    const oldest = oldestLastSeen(this.#sql)
    if (oldest === null) return
    const due = oldest + this.#config.SESSION_TTL_MS
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > due) await this.ctx.storage.setAlarm(due)
  }

  #touch(row: SessionRow): void {
    const now = Date.now()
    if (now - row.lastSeen >= TOUCH_EVERY_MS) touchSession(this.#sql, row.id, now)
  }

  #liveOf(id: string): Live {
    let live = this.#live.get(id)
    if (live === undefined) {
      live = newLive()
      this.#live.set(id, live)
    }
    return live
  }

  #log(session: string): EventLog {
    const config = this.#config
    return {
      append: (stream, seq, payload) =>
        appendEvent(this.#sql, { session, stream, seq, payload }, Date.now(), {
          max: config.EVENT_LOG_MAX,
          maxAgeMs: config.EVENT_LOG_TTL_MS,
        }),
      after: (stream, seq) => eventsAfter(this.#sql, session, stream, seq),
    }
  }

  #session(row: SessionRow): ShardSession {
    return shardSession(row, this.#liveOf(row.id), this.#log(row.id), this.#config, (change) =>
      updateSession(this.#sql, row.id, change),
    )
  }

  /**
   * R-SF-25: a stream of `live` opened (or reconnected) on a catalog with a resource source: its
   * version is read now (the client's starting point, or a change it missed while away), and
   * the poll runs while any stream is open.
   */
  async #watchList(live: Live, source: ResourceSource | undefined): Promise<void> {
    if (source === undefined) return
    live.listSource = source
    const version = await versionOf(source, { env: this.env, config: this.#config })
    if (version !== null) listAt(live, version)
    this.#listPoll ??= setInterval(() => void this.#pollLists(), this.#config.LIST_CHANGED_POLL_MS)
  }

  /** One poll: each source read once, each session with an open stream told of a move. */
  async #pollLists(): Promise<void> {
    if (this.#listPolling) return
    const open = [...this.#live.values()].filter(
      (live) => live.listSource !== null && streaming(live),
    )
    if (open.length === 0) {
      if (this.#listPoll !== null) clearInterval(this.#listPoll)
      this.#listPoll = null
      return
    }
    this.#listPolling = true
    try {
      const ctx = { env: this.env, config: this.#config }
      const versions = new Map<ResourceSource, Promise<string | null>>()
      for (const live of open) {
        const source = live.listSource!
        if (!versions.has(source)) versions.set(source, versionOf(source, ctx))
        const version = await versions.get(source)!
        if (version !== null && streaming(live)) listAt(live, version)
      }
    } finally {
      this.#listPolling = false
    }
  }

  /** Closes a session's streams and forgets its in-memory state. */
  #close(id: string): void {
    const live = this.#live.get(id)
    if (live === undefined) return
    this.#live.delete(id)
    unwatch(live)
    void live.legacy?.close()
    void live.standalone?.finish()
    for (const stream of live.streams.values()) void stream.finish()
    for (const controller of live.inflight.values()) controller.abort()
  }

  /** DELETE, or the end of a legacy SSE stream: the row, its events and its streams go. */
  #end(id: string): void {
    deleteSession(this.#sql, id)
    this.#close(id)
  }

  /**
   * GET /mcp with a session (R-HT-10): the standalone stream, one per session (a second is 409);
   * with `Last-Event-ID`, the resumption of the stream that id names (R-HT-12), replaying only
   * that stream's events.
   */
  async #standalone(row: SessionRow, request: Request): Promise<Response> {
    const config = this.#config
    const live = this.#liveOf(row.id)
    const connection = openSseStream(config.KEEPALIVE_MS)
    const last = request.headers.get('last-event-id')
    if (last !== null) {
      const resume = parseEventId(last)
      if (resume === null)
        return rpcError(400, invalidRequest('Last-Event-ID is not one we issued'))
      const stream =
        live.streams.get(resume.stream) ??
        (live.standalone?.id === resume.stream ? live.standalone : null)
      if (stream !== null) {
        await stream.attach(connection, resume.seq)
        // The GET stream is back: a list change while it was away is announced now.
        if (stream === live.standalone)
          await this.#watchList(live, this.#catalog(request).resources.source)
      } else {
        // The stream is over (or its shard restarted): replay what the log still has, then end.
        for (const event of eventsAfter(this.#sql, row.id, resume.stream, resume.seq)) {
          await connection.send({
            id: `${resume.stream}.${event.seq}`,
            event: 'message',
            data: event.payload,
          })
        }
        await connection.close()
      }
      return new Response(connection.readable, { headers: sseHeaders() })
    }
    // One connected GET stream per session; once its client has gone, a new GET replaces it.
    if (live.standalone !== null && live.standalone.connected) {
      await connection.close()
      return rpcError(409, invalidRequest('This session already has a GET stream open'))
    }
    await live.standalone?.finish()
    live.standalone = openResumable(this.#log(row.id), connection, {
      priming: row.revision !== null && row.revision >= '2025-11-25',
      retryMs: config.SSE_RETRY_MS,
    })
    // Subscriptions outlive the shard's memory (they are in the row): watch them again.
    const { resources } = this.#catalog(request)
    for (const uri of row.subscriptions) watchResource(live, uri, resources.get(uri))
    await this.#watchList(live, resources.source)
    connection.closed.addEventListener('abort', () => {
      if (live.standalone !== null) void live.standalone.disconnect()
    })
    return new Response(connection.readable, { headers: sseHeaders() })
  }

  /** GET /sse (2024-11-05): the session is born with its stream and dies with it. */
  async #openLegacy(id: string, request: Request): Promise<Response> {
    const now = Date.now()
    insertSession(this.#sql, {
      id,
      transport: 'sse',
      revision: null,
      clientInfo: null,
      clientCapabilities: null,
      logLevel: null,
      subscriptions: [],
      created: now,
      lastSeen: now,
      subject: decodePrincipal(request.headers.get(INTERNAL.principal))?.subject ?? null,
    })
    await this.#schedule()
    const live = this.#liveOf(id)
    const endpoint = request.headers.get(INTERNAL.endpoint) ?? `messages?sessionId=${id}`
    const stream = openLegacyStream(endpoint, this.#config)
    live.legacy = stream
    stream.closed.addEventListener('abort', () => this.#end(id), { once: true })
    await this.#watchList(live, this.#catalog(request).resources.source)
    return new Response(stream.readable, { headers: sseHeaders() })
  }

  async #legacyMessage(
    row: SessionRow,
    request: Request,
    principal: Principal | null,
  ): Promise<Response> {
    const live = this.#liveOf(row.id)
    if (row.transport !== 'sse') return sessionNotFound()
    if (live.legacy === null) {
      // The stream is gone (the shard restarted): the session cannot answer; start again.
      this.#end(row.id)
      return sessionNotFound()
    }
    return legacyMessage(
      request,
      this.#config,
      this.#catalog(request),
      this.env,
      this.#session(row),
      live.legacy,
      (init) => updateSession(this.#sql, row.id, init),
      principal,
    )
  }
}
