// GET /admin/stats: the isolate's own report of its recent operations and audit events
// (src/observe/local-stats.ts), which `npm run stats` prints for a running `npm start`.
//
//   GET /admin/stats?window=3600     (seconds; 60 to 86400, default 3600)
//   200 {"source":"isolate","window_s":3600,"kept":42,"dropped":0,"since":"...",
//        "operations":[{"method":"tools/call","target":"add","count":3,"errors":0,
//                       "p50_ms":2,"p95_ms":4,"p99_ms":4}, ...],
//        "clients":[{"client":"curl","version":"","count":9,...}],
//        "auth":[{"event":"auth.refused","outcome":"failure","count":1}]}
//
// Who may read it: anyone on this machine when the server runs here (the request's host is a
// loopback name, as under `npm start`; a deployed Worker is never reached by that name), and
// otherwise only with `Authorization: Bearer <ADMIN_TOKEN>` (503 without the secret, never
// open). It holds counts and timings of names only: no subject, address, argument or result.
// Deployed, each isolate reports only itself; the whole is in Analytics Engine (npm run stats
// with a Cloudflare account).

import type { Env } from '../settings/env.ts'
import { isLoopbackHost } from '../auth/upstream/outbound.ts'
import { adminGate } from '../http/admin-gate.ts'
import { failure, json, methodNotAllowed } from '../http/responses.ts'
import { audit } from '../observe/audit.ts'
import { localReport } from '../observe/local-stats.ts'

export const STATS_PATH = '/admin/stats'

const GATE = { setting: 'ADMIN_TOKEN', what: 'stats endpoint', realm: 'stats' }
const NO_STORE = { 'Cache-Control': 'no-store' } as const

/** The shortest and longest window a report covers, in seconds. */
export const WINDOW_MIN_S = 60
export const WINDOW_MAX_S = 86_400

/** The answer for GET /admin/stats; call only for that path. */
export const stats = async (request: Request, env: Env): Promise<Response> => {
  if (request.method !== 'GET') return methodNotAllowed('GET', new Headers(NO_STORE))
  const url = new URL(request.url)
  if (!isLoopbackHost(url.hostname)) {
    const refused = await adminGate(request, env.ADMIN_TOKEN, GATE)
    if (refused !== null) {
      if (refused.status === 401) {
        const reason = 'the stats endpoint was called without ADMIN_TOKEN'
        audit(env, request, { name: 'admin.refused', outcome: 'failure', status: 401, reason })
      }
      return refused
    }
  }
  const raw = url.searchParams.get('window') ?? '3600'
  const seconds = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!(seconds >= WINDOW_MIN_S && seconds <= WINDOW_MAX_S)) {
    return failure(
      400,
      'invalid_window',
      `window must be a whole number of seconds from ${WINDOW_MIN_S} to ${WINDOW_MAX_S}`,
      new Headers(NO_STORE),
    )
  }
  return json(localReport(seconds * 1000), 200, new Headers(NO_STORE))
}
