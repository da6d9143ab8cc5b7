// SessionShard: the Durable Object that holds one shard of the session table, and runs every
// request that names one of its sessions.
//
// A session's requests all run here, in the shard its id names, so a tool's request to the
// client and the client's answer (a separate POST) meet in one place, and a session's streams
// live next to its row. Sessions are rows in this object's SQLite database
// (src/sessions/store.ts); open streams and pending requests are in memory
// (src/sessions/live.ts). The Worker sends each request as one typed envelope (envelope.ts),
// already read, parsed and checked. An alarm deletes idle sessions, so nothing is kept, or
// billed, for a session that is over; an idle shard costs no CPU.
//
// While one of its sessions has a stream open (GET or /sse) on a catalog whose resource list
// changes (a resource source), the shard polls the list's version every LIST_CHANGED_POLL_MS and
// tells each such session of a move with `notifications/resources/list_changed` (R-SF-25); the
// timer stops with the last stream.

import { DurableObject } from 'cloudflare:workers'
import { catalogFor, serverCatalog, type ServerFeatures } from '../catalog/catalog.ts'
import { visibleTo } from '../catalog/visibility.ts'
import { config as settings, type Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { invalidRequest } from '../jsonrpc/errors.ts'
import type { RequestId } from '../jsonrpc/message.ts'
import { tooManyRpcRequests } from '../http/rate-limit.ts'
import { rpcError } from '../http/responses.ts'
import { versionOf, type ResourceSource } from '../resources/source.ts'
import { newLive, stopAll, streaming } from '../sessions/live.ts'
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
} from '../sessions/store.ts'
import { noteSession } from '../observe/client.ts'
import type { Host } from './context.ts'
import { requestIdOf, type Envelope, type Route } from './envelope.ts'
import type { Intake } from './intake.ts'
import { legacyMessage, openLegacyStream } from './legacy-sse.ts'
import { openResumable, parseEventId, type EventLog } from './resumable.ts'
import {
  completeElicitation,
  listAt,
  sessionOf,
  watchResource,
  type Session,
  type SessionLive,
} from './session.ts'
import { openSseStream, sseHeaders, type SseStream } from './sse.ts'
import { callerStreams } from './caller-streams.ts'
import { strictError, refuses, warningsHeader, WARNING_HEADER } from '../strict/rules.ts'
import {
  newMemory,
  postFindings,
  remember,
  streamFindings,
  type StrictMemory,
  type SessionView,
} from '../strict/session.ts'
import { postLegacy, type SessionInit } from './streamable-http.ts'

/** last_seen is written at most this often per session (cheap, and precise enough for expiry). */
const TOUCH_EVERY_MS = 10_000

/** When a caller over a session or stream cap may try again, and a full shard (seconds). */
const STREAM_RETRY_S = 10
const SESSION_RETRY_S = 60

/** Whether a session may be opened: plain data, so it crosses the RPC boundary. */
export type Admission = { ok: true } | { ok: false; status: 429 | 503; message: string }
const ADMITTED: Admission = { ok: true }

/** The answer to a session that may not be opened (429 for the caller's cap, 503 when full). */
export const refusal = (
  admission: Admission & { ok: false },
  id: RequestId | null = null,
): Response => {
  const response = tooManyRpcRequests(SESSION_RETRY_S, id, admission.message)
  return admission.status === 429
    ? response
    : new Response(response.body, { status: 503, headers: response.headers })
}

/**
 * The 404 every unknown, expired or terminated session gets (R-HT-14), with the request's id
 * when it was readable (R-JR-8).
 */
export const sessionNotFound = (id: RequestId | null = null): Response =>
  rpcError(
    404,
    invalidRequest('Session not found: it expired or was terminated; initialize again'),
    id,
  )

/** Sends a stream's logged events to `connection`, as its client reads them, then ends it. */
const replayEnded = async (
  connection: SseStream,
  stream: string,
  events: { seq: number; payload: string }[],
): Promise<void> => {
  for (const event of events) {
    const replay = { id: `${stream}.${event.seq}`, event: 'message', data: event.payload }
    if (!(await connection.send(replay, { paced: true }))) return
  }
  await connection.close()
}

export class SessionShard extends DurableObject<Env> {
  #sql: SqlStorage
  #live = new Map<string, SessionLive>()
  /** R-SF-25: polls resource list versions while a stream is open (null: none is). */
  #listPoll: ReturnType<typeof setInterval> | null = null
  #listPolling = false
  /** What to do when the client of each open connection goes away, by connection id. */
  #hangUps = new Map<string, () => void>()
  /** Open GET and /sse streams per caller (MAX_STREAMS_PER_CALLER). */
  #streams = callerStreams()
  /** Strict mode's memory of each session that sent strict requests (src/strict/session.ts). */
  #strict = new Map<string, StrictMemory>()
  /** When this instance started: a session created since then was seen from its start. */
  #bornAt = Date.now()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    migrate(this.#sql)
  }

  get #config(): Config {
    return settings(this.env)
  }

  /** The catalog of the request's route (the Worker has already refused a missing pack). */
  #features(route: Route): ServerFeatures {
    const features = serverCatalog(route.catalog) ?? catalogFor(this.#config, route.path)
    if (features === null) throw new Error(`FIXTURES=${this.#config.FIXTURES} is not in this build`)
    return features
  }

  #host(route: Route): Host {
    const config = this.#config
    return {
      config,
      env: this.env,
      features: visibleTo(this.#features(route), route.principal, config),
      principal: route.principal,
      sessions: true,
      // MRTR is 2026-07-28's, and a 2026-07-28 request never reaches a session (R-HT-40).
      stateKey: () => Promise.reject(new Error('requestState is not used in a legacy session')),
    }
  }

  /**
   * RPC from the Worker: a session opened by a successful `initialize` (R-HT-13), unless the
   * caller already holds MAX_SESSIONS_PER_CALLER sessions or the shard MAX_SESSIONS_PER_SHARD.
   */
  async create(id: string, init: SessionInit, caller: string | null): Promise<Admission> {
    const refused = this.#admit(caller)
    if (refused !== null) return refused
    const now = Date.now()
    insertSession(this.#sql, {
      id,
      ...init,
      logLevel: null,
      subscriptions: [],
      created: now,
      lastSeen: now,
      caller,
    })
    await this.#schedule()
    return ADMITTED
  }

  /** Whether `caller` may open one more session here (all its sessions live in this shard). */
  #admit(caller: string | null): Admission | null {
    const config = this.#config
    if (countSessions(this.#sql) >= config.MAX_SESSIONS_PER_SHARD) {
      return {
        ok: false,
        status: 503,
        message: `This server holds all the sessions it may (MAX_SESSIONS_PER_SHARD); try again later`,
      }
    }
    if (caller !== null && countSessions(this.#sql, caller) >= config.MAX_SESSIONS_PER_CALLER) {
      return {
        ok: false,
        status: 429,
        message: `You hold ${config.MAX_SESSIONS_PER_CALLER} sessions, the most one caller may (MAX_SESSIONS_PER_CALLER): end one with DELETE, or let one expire`,
      }
    }
    return null
  }

  /**
   * A refusal when `caller` already holds MAX_STREAMS_PER_CALLER open streams here, and none
   * of them is seen gone when probed (BM-LIMIT-9, caller-streams.ts).
   */
  async #streamRefusal(
    caller: string | null,
    id: RequestId | null = null,
  ): Promise<Response | null> {
    const limit = this.#config.MAX_STREAMS_PER_CALLER
    if (await this.#streams.admits(caller, limit)) return null
    return tooManyRpcRequests(
      STREAM_RETRY_S,
      id,
      `You hold ${limit} open streams, the most one caller may (MAX_STREAMS_PER_CALLER): close one first`,
    )
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

  /**
   * RPC from the Worker: the client of `connection` (a GET or /sse stream) went away. A GET
   * stream's session lives on, and its client may resume; a /sse session ends with its stream.
   */
  async hangUp(connection: string): Promise<void> {
    this.#hangUps.get(connection)?.()
  }

  /**
   * Counts an open stream of `caller`, and runs `hangUp` (once) when `connection`'s client goes
   * away or the stream itself ends; then it no longer counts.
   */
  #onHangUp(
    connection: string,
    stream: SseStream,
    caller: string | null,
    hangUp: () => void,
  ): void {
    const uncount = caller === null ? () => {} : this.#streams.add(caller, stream)
    const once = () => {
      if (this.#hangUps.get(connection) !== once) return
      this.#hangUps.delete(connection)
      uncount()
      hangUp()
    }
    this.#hangUps.set(connection, once)
    stream.closed.addEventListener('abort', once, { once: true })
  }

  /** RPC from the Worker: one request for one of this shard's sessions. */
  async handle(envelope: Envelope): Promise<Response> {
    if (envelope.op === 'sse-open') return this.#openLegacy(envelope.session, envelope)
    const row = findSession(this.#sql, envelope.session)
    // A session belongs to whoever opened it: another caller gets the same 404 as for a
    // session that does not exist, learning nothing about it.
    const notFound = () => sessionNotFound(requestIdOf(envelope))
    if (row === null || (row.subject !== null && row.subject !== envelope.route.principal?.subject))
      return notFound()
    this.#touch(row)
    if (envelope.strict === undefined) return this.#serve(row, envelope)
    // Strict mode: the checks that need this session's history (src/strict/session.ts).
    const memory = this.#memoryOf(row)
    const findings = this.#strictFindings(row, envelope, memory)
    const refusal = findings.find(refuses)
    if (refusal !== undefined) return rpcError(400, strictError(refusal), requestIdOf(envelope))
    if ('intake' in envelope) remember(memory, envelope.intake.messages)
    const response = await this.#serve(row, envelope)
    const warnings = warningsHeader(findings)
    if (warnings === null) return response
    const warned = new Response(response.body, response)
    warned.headers.set(WARNING_HEADER, warnings)
    return warned
  }

  /** One request of a session that exists and belongs to its caller. */
  async #serve(
    row: SessionRow,
    envelope: Envelope & { op: Exclude<Envelope['op'], 'sse-open'> },
  ): Promise<Response> {
    const notFound = () => sessionNotFound(requestIdOf(envelope))
    const streamable = row.transport === 'streamable-http'
    // The logs and metrics learn the session's client and revision from this note (the Worker
    // removes it: src/observe/client.ts).
    const noted = (response: Response) =>
      envelope.observed === true ? noteSession(response, row) : response
    switch (envelope.op) {
      case 'post':
        if (!streamable) return notFound()
        return noted(
          await postLegacy(
            envelope.intake,
            envelope.era,
            this.#host(envelope.route),
            this.#session(row),
          ),
        )
      case 'get':
        if (!streamable) return notFound()
        return noted(
          await this.#standalone(row, envelope.route, envelope.lastEventId, envelope.connection),
        )
      case 'delete':
        if (!streamable) return notFound()
        this.#end(row.id)
        return noted(new Response(null, { status: 204 }))
      case 'sse-message':
        if (streamable) return notFound()
        return noted(await this.#legacyMessage(row, envelope.route, envelope.intake))
    }
  }

  #memoryOf(row: SessionRow): StrictMemory {
    let memory = this.#strict.get(row.id)
    if (memory === undefined) {
      memory = newMemory(row.created >= this.#bornAt)
      this.#strict.set(row.id, memory)
    }
    return memory
  }

  /** What strict mode finds in a request of `row`'s session. */
  #strictFindings(row: SessionRow, envelope: Envelope, memory: StrictMemory) {
    const live = this.#liveOf(row.id)
    const view: SessionView = {
      revision: row.revision,
      clientCapabilities: row.clientCapabilities,
      // R-JR-4: our ids are `<session tail>-<count>-<time>` (session.ts requestClient).
      sentByUs: (id) => {
        const match = /^(.{6})-(\d+)-[0-9a-z]+$/.exec(String(id))
        return match !== null && match[1] === row.id.slice(-6) && Number(match[2]) <= live.requests
      },
      hasStream: (stream) =>
        live.streams.has(stream) ||
        live.standalone?.id === stream ||
        eventsAfter(this.#sql, row.id, stream, -1).length > 0,
    }
    const facts = envelope.strict ?? null
    switch (envelope.op) {
      case 'post':
      case 'sse-message':
        return postFindings(memory, view, facts, envelope.intake.messages, envelope.intake.batch)
      case 'get':
        return facts === null
          ? []
          : streamFindings(
              view,
              facts,
              envelope.lastEventId,
              envelope.lastEventId === null
                ? null
                : (parseEventId(envelope.lastEventId)?.stream ?? null),
            )
      case 'delete':
        return facts === null ? [] : streamFindings(view, facts, null, null)
      default:
        return []
    }
  }

  /** Expires idle sessions and their events; sets the next alarm while sessions remain. */
  override async alarm(): Promise<void> {
    const { SESSION_TTL_MS } = this.#config
    const now = Date.now()
    // A session with a stream open is in use, however quiet: it is not idle.
    for (const [id, live] of this.#live) if (streaming(live)) touchSession(this.#sql, id, now)
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

  #liveOf(id: string): SessionLive {
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

  #session(row: SessionRow): Session {
    return sessionOf(row, this.#liveOf(row.id), this.#log(row.id), this.#config, (change) =>
      updateSession(this.#sql, row.id, change),
    )
  }

  /**
   * R-SF-25: a stream of `live` opened (or reconnected) on a catalog with a resource source: its
   * version is read now (the client's starting point, or a change it missed while away), and
   * the poll runs while any stream is open.
   */
  async #watchList(live: SessionLive, source: ResourceSource | undefined): Promise<void> {
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
    this.#strict.delete(id)
    const live = this.#live.get(id)
    if (live === undefined) return
    this.#live.delete(id)
    stopAll(live)
    void live.legacy?.close()
    void live.standalone?.finish()
    for (const stream of live.streams.values()) void stream.finish()
  }

  /** DELETE, or the end of a legacy SSE stream: the row, its events and its streams go. */
  #end(id: string): void {
    deleteSession(this.#sql, id)
    this.#close(id)
  }

  /**
   * GET /mcp with a session (R-HT-10): the standalone stream, one per session (a new GET takes
   * it over);
   * with `Last-Event-ID`, the resumption of the stream that id names (R-HT-12), replaying only
   * that stream's events.
   */
  async #standalone(
    row: SessionRow,
    route: Route,
    last: string | null,
    id: string,
  ): Promise<Response> {
    const config = this.#config
    const live = this.#liveOf(row.id)
    // A new GET of this session takes its stream over; any other stream counts against the cap.
    const takesOver = last === null && live.standalone?.connected === true
    if (!takesOver) {
      const refused = await this.#streamRefusal(row.caller)
      if (refused !== null) return refused
    }
    const connection = openSseStream(config)
    if (last !== null) {
      const resume = parseEventId(last)
      if (resume === null)
        return rpcError(400, invalidRequest('Last-Event-ID is not one we issued'))
      const stream =
        live.streams.get(resume.stream) ??
        (live.standalone?.id === resume.stream ? live.standalone : null)
      // The replay goes out as the client reads it, once this response is returned (BM-LIMIT-8).
      if (stream !== null) {
        // A replay that fails (its log unreadable) ends the connection rather than leave it hanging.
        stream.attach(connection, resume.seq).catch(() => void connection.close())
        this.#onHangUp(id, connection, row.caller, () => void stream.detach(connection))
        // The GET stream is back: a list change while it was away is announced now.
        if (stream === live.standalone)
          await this.#watchList(live, this.#features(route).resources.source)
      } else {
        // The stream is over (or its shard restarted): replay what the log still has, then end.
        void replayEnded(
          connection,
          resume.stream,
          eventsAfter(this.#sql, row.id, resume.stream, resume.seq),
        )
      }
      return new Response(connection.readable, { headers: sseHeaders() })
    }
    // One GET stream per session: a new GET takes it over and the previous one is closed, so a
    // client that reconnects at once (before its old connection is seen to drop) is never
    // locked out of its own session.
    await live.standalone?.finish()
    const session = this.#session(row)
    const standalone = openResumable(this.#log(row.id), connection, {
      priming: session.primed,
      retryMs: config.SSE_RETRY_MS,
    })
    live.standalone = standalone
    // Subscriptions outlive the shard's memory (they are in the row): watch them again.
    const { resources } = this.#features(route)
    for (const uri of row.subscriptions) watchResource(live, uri, resources.get(uri)?.watch)
    await this.#watchList(live, resources.source)
    this.#onHangUp(id, connection, row.caller, () => void standalone.detach(connection))
    return new Response(connection.readable, { headers: sseHeaders() })
  }

  /** GET /sse (2024-11-05): the session is born with its stream and dies with it. */
  async #openLegacy(
    id: string,
    envelope: { route: Route; endpoint: string; connection: string },
  ): Promise<Response> {
    const { caller } = envelope.route
    const admission = this.#admit(caller)
    if (admission !== null && !admission.ok) return refusal(admission)
    const refused = await this.#streamRefusal(caller)
    if (refused !== null) return refused
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
      subject: envelope.route.principal?.subject ?? null,
      caller,
    })
    await this.#schedule()
    const live = this.#liveOf(id)
    const stream = openLegacyStream(envelope.endpoint, this.#config)
    live.legacy = stream
    // R-SSE-1: the session is its stream; a client that closes it ends the session.
    this.#onHangUp(envelope.connection, stream, caller, () => this.#end(id))
    await this.#watchList(live, this.#features(envelope.route).resources.source)
    return new Response(stream.readable, { headers: sseHeaders() })
  }

  async #legacyMessage(row: SessionRow, route: Route, intake: Intake): Promise<Response> {
    const live = this.#liveOf(row.id)
    if (live.legacy === null) {
      // The stream is gone (the shard restarted): the session cannot answer; start again.
      this.#end(row.id)
      return sessionNotFound(requestIdOf({ op: 'sse-message', session: row.id, route, intake }))
    }
    return legacyMessage(intake, this.#host(route), this.#session(row), live.legacy)
  }
}
