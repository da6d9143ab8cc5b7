// The wire view's routes, all under /_wire (gate.ts says who may see them):
//
//   GET  /_wire            the live page (page.ts)
//   GET  /_wire/events     the page's event stream: every exchange in the window, then each
//                          change as it happens (`event: exchange`, data: the record as JSON)
//   GET  /_wire/exchanges  the window as JSON, oldest first (`?session=<id>`: one session's;
//                          `?last=<n>`: the latest n)
//   GET  /_wire/report     strict mode's findings per client, as JSON
//   GET  /_wire/rules      SPEC_NOTES.md's rows, each an anchor the page links to
//   GET  /_wire/notes      the same rows as JSON, for the page's tooltips
//   POST /_wire/login      the sign-in form of a public host (WIRE_VIEW=true)

import { json, methodNotAllowed } from '../http/responses.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { openSseStream, sseHeaders } from '../transports/sse.ts'
import { isAdminToken, signInCookie, wireAccess } from './gate.ts'
import { notes } from './notes.ts'
import { rulesPage, signInPage, wirePage } from './page.ts'
import { storeFor } from './observer.ts'
import type { WireRecord } from './record.ts'

export const WIRE_PATH = '/_wire'

/** Pages watching live at once (each holds a stream open). */
export const MAX_WATCHERS = 8
/** How often a watching page's stream is written (changes in between are merged). */
const FLUSH_MS = 200

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }

/** The wire view's answer to `request`, or null when its path is not the wire view's. */
/** Whether `path` is one of the wire view's (`/_wire`, `/_wire/...`). */
export const isWirePath = (path: string): boolean =>
  path === WIRE_PATH || path.startsWith(`${WIRE_PATH}/`)

export const wireRoute = async (
  request: Request,
  env: Env,
  config: Config,
): Promise<Response | null> => {
  const url = new URL(request.url)
  const path = url.pathname.replace(/\/$/, '') || '/'
  if (path !== WIRE_PATH && !path.startsWith(`${WIRE_PATH}/`)) return null
  const nonce = crypto.randomUUID().replace(/-/g, '')
  if (path === `${WIRE_PATH}/login`) return login(request, env, config, nonce)
  const access = await wireAccess(request, env, config)
  if (!access.ok) return access.signIn ? signInPage(nonce, 401) : access.response
  if (request.method !== 'GET') return methodNotAllowed('GET')
  const store = storeFor(config)
  switch (path) {
    case WIRE_PATH:
      return wirePage(nonce)
    case `${WIRE_PATH}/events`:
      return events(config)
    case `${WIRE_PATH}/exchanges`:
      return json(window(store.list(), url.searchParams), 200, new Headers(NO_STORE))
    case `${WIRE_PATH}/report`:
      return json(store.report(), 200, new Headers(NO_STORE))
    case `${WIRE_PATH}/rules`:
      return rulesPage(nonce, [...notes().values()])
    case `${WIRE_PATH}/notes`:
      return json(Object.fromEntries(notes()), 200, new Headers(NO_STORE))
    default:
      return json({ error: 'not_found', message: `Nothing at ${path}` }, 404)
  }
}

/** The records `?session=` and `?last=` ask for. */
const window = (records: WireRecord[], query: URLSearchParams): WireRecord[] => {
  const session = query.get('session')
  const chosen = session === null ? records : records.filter((record) => record.session === session)
  const last = Number(query.get('last') ?? '')
  return Number.isInteger(last) && last > 0 ? chosen.slice(-last) : chosen
}

/**
 * The live stream. Each change is queued (the latest record per exchange, so the queue never
 * holds more than the window) and written by one writer of this request, so the stream is only
 * ever written from the request that opened it. The writer is paced (sse.ts): it sends the next
 * record once the page has taken the last, so a window larger than MAX_STREAM_BUFFER_BYTES, or a
 * page slower than the traffic it watches, waits for the page instead of being cut off; a page
 * that reads nothing is cut off after MAX_STREAM_STALL_MS.
 */
const events = (config: Config): Response => {
  const store = storeFor(config)
  if (store.watchers >= MAX_WATCHERS) {
    return json(
      { error: 'too_many_watchers', message: `At most ${MAX_WATCHERS} pages may watch at once` },
      429,
      new Headers({ 'Retry-After': '10' }),
    )
  }
  const stream = openSseStream(config)
  const queued = new Map<string, WireRecord>()
  for (const record of store.list()) queued.set(record.id, record)
  const unwatch = store.watch((event) => {
    queued.delete(event.record.id)
    queued.set(event.record.id, event.record)
  })
  let writing = false
  const flush = async () => {
    if (writing) return
    writing = true
    for (const [id, record] of queued) {
      queued.delete(id)
      const data = JSON.stringify(record)
      if (!(await stream.send({ event: 'exchange', data }, { paced: true }))) break
    }
    writing = false
  }
  void flush()
  const timer = setInterval(() => void flush(), FLUSH_MS)
  stream.closed.addEventListener('abort', () => {
    clearInterval(timer)
    unwatch()
    queued.clear()
  })
  return new Response(stream.readable, { headers: sseHeaders(new Headers(NO_STORE)) })
}

/** POST /_wire/login: the admin token from the form, for a cookie (gate.ts). */
const login = async (
  request: Request,
  env: Env,
  config: Config,
  nonce: string,
): Promise<Response> => {
  const access = await wireAccess(new Request(request.url, { method: 'GET' }), env, config)
  if (!access.ok && !access.signIn) return access.response
  if (request.method !== 'POST') return methodNotAllowed('POST')
  // A form from another site must not sign this browser in (login CSRF).
  const origin = request.headers.get('origin')
  if (origin !== null && origin !== new URL(request.url).origin) {
    return json({ error: 'forbidden', message: 'Sign in from the wire view itself' }, 403)
  }
  const form = await request.formData().catch(() => null)
  const token = form?.get('token')
  if (typeof token !== 'string' || token.length > 1024 || !(await isAdminToken(env, token))) {
    return signInPage(nonce, 401, 'That is not the admin token.')
  }
  const secure = new URL(request.url).protocol === 'https:'
  return new Response(null, {
    status: 303,
    headers: {
      Location: WIRE_PATH,
      'Set-Cookie': await signInCookie(env, secure),
      'Cache-Control': 'no-store',
    },
  })
}
