// Health: two answers for two audiences.
//
//   GET /healthz       anyone (a load balancer, an uptime monitor): cheap, touches no Durable
//                      Object, says only whether the settings parse.
//     200 {"status":"ok","version":"0.1.0"}
//
//   GET /admin/health  the operator, with `Authorization: Bearer <ADMIN_TOKEN>`: calls each
//                      Durable Object binding once and lists every settings problem in words.
//     200 {"status":"warning","version":"0.1.0","checks":[
//           {"name":"settings","status":"ok","message":"Every setting parses"},
//           {"name":"KB","status":"ok","message":"The knowledge base answers (version 3)","ms":2},
//           {"name":"KB_BASE_URL","status":"warning","message":"...","fix":"..."}, ...]}
//     503 when a check is an error.
//
// Neither answer carries a secret, a piece or the length of one, a stack trace or a file path.
// As a last guard, any secret value that found its way into a body is replaced before it is sent.

import { hasAuthStore, authStore } from '../auth/binding.ts'
import { config, ConfigError, type Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { adminGate } from '../http/admin-gate.ts'
import { methodNotAllowed } from '../http/responses.ts'
import { knowledgeBase } from '../kb/binding.ts'
import type { KnowledgeBase } from '../kb/knowledge-base.ts'
import { SERVER_INFO } from '../protocol/server-info.ts'
import { shardName } from '../sessions/id.ts'
import type { SessionShard } from '../transports/session-shard.ts'
import { settingProblems, type Check } from './setting-problems.ts'

export const HEALTH_PATH = '/healthz'
export const DEEP_HEALTH_PATH = '/admin/health'

/** How long one Durable Object may take to answer the deep check. */
export const PROBE_TIMEOUT_MS = 5_000

const GATE = { setting: 'ADMIN_TOKEN', what: 'deep health check', realm: 'health' }
const NO_STORE = { 'Cache-Control': 'no-store' } as const

/**
 * The answer for a health path, or null for any other path. Runs before the settings are
 * parsed, so a server whose settings are bad can still say so.
 */
export const healthRoute = (
  request: Request,
  path: string,
  env: unknown,
): Promise<Response> | null => {
  if (path !== HEALTH_PATH && path !== DEEP_HEALTH_PATH) return null
  const vars: Env = typeof env === 'object' && env !== null ? (env as Env) : {}
  return path === HEALTH_PATH ? shallow(request, vars) : deep(request, vars)
}

/** BM-HEALTH-1: whether the settings parse; no Durable Object, no detail. */
const shallow = async (request: Request, env: Env): Promise<Response> => {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return methodNotAllowed('GET, HEAD', new Headers(NO_STORE))
  }
  const ok = parses(env)
  const body = ok
    ? { status: 'ok', version: SERVER_INFO.version }
    : {
        status: 'error',
        version: SERVER_INFO.version,
        message: `A setting is invalid; GET ${DEEP_HEALTH_PATH} with ADMIN_TOKEN says which`,
      }
  return answer(body, ok ? 200 : 503, env)
}

const parses = (env: Env): boolean => {
  try {
    config(env)
    return true
  } catch (error) {
    if (error instanceof ConfigError) return false
    throw error
  }
}

/** BM-HEALTH-2: behind ADMIN_TOKEN, every binding called and every settings problem named. */
const deep = async (request: Request, env: Env): Promise<Response> => {
  const refused = await adminGate(request, env.ADMIN_TOKEN, GATE)
  if (refused !== null) return refused
  if (request.method !== 'GET') return methodNotAllowed('GET', new Headers(NO_STORE))

  const checks: Check[] = []
  let settings: Config | null = null
  try {
    settings = config(env)
    checks.push({ name: 'settings', status: 'ok', message: 'Every setting parses' })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    checks.push({
      name: 'settings',
      status: 'error',
      message: error.message,
      fix: 'Correct it in wrangler.toml [vars], .dev.vars or the secret; the README Settings table says what each setting takes',
    })
  }
  const host = new URL(request.url).hostname
  if (settings !== null) checks.push(...settingProblems(settings, env, host, knownSettings()))
  checks.push(...(await Promise.all(probes(env, settings ?? fallback(env)))))

  const status = checks.some((check) => check.status === 'error')
    ? 'error'
    : checks.some((check) => check.status === 'warning')
      ? 'warning'
      : 'ok'
  return answer(
    { status, version: SERVER_INFO.version, checks },
    status === 'error' ? 503 : 200,
    env,
  )
}

let known: readonly string[] | null = null
/** Every setting name config.ts knows: the keys of the defaults. */
const knownSettings = (): readonly string[] => (known ??= Object.keys(config({})))

/** Settings to probe with when the real ones do not parse: the defaults, AUTH as set. */
const fallback = (env: Env): Config => ({ ...config({}), AUTH: String(env.AUTH) === 'true' })

const isNamespace = (value: unknown): value is DurableObjectNamespace =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { idFromName?: unknown }).idFromName === 'function'

/** One cheap call on each Durable Object binding the settings use. */
const probes = (env: Env, settings: Config): Promise<Check>[] => {
  const missing = (name: string, effect: string): Promise<Check> =>
    Promise.resolve({
      name,
      status: name === 'AUTH_STORE' ? 'error' : 'warning',
      message: `The Worker has no ${name} Durable Object binding: ${effect}`,
      fix: `Add the ${name} binding to wrangler.toml (every [env.*] repeats it: bindings are not inherited)`,
    })
  const skipped = (name: string, message: string): Promise<Check> =>
    Promise.resolve({ name, status: 'skipped', message })

  const kb = isNamespace(env.KB)
    ? timed('KB', async () => {
        const stub: DurableObjectStub<KnowledgeBase> = knowledgeBase(env, settings)
        return `The knowledge base "${settings.KB_NAME}" answers (version ${await stub.version()})`
      })
    : missing('KB', 'search and fetch answer with a tool error')

  const namespace = env.SESSION_SHARD
  const shards = !settings.SESSIONS
    ? skipped('SESSION_SHARD', 'SESSIONS is false: every request is served without a session')
    : isNamespace(namespace)
      ? timed('SESSION_SHARD', async () => {
          const ns = namespace as DurableObjectNamespace<SessionShard>
          const sessions = await ns.get(ns.idFromName(shardName(0))).size()
          return `Session shard 0 of ${settings.SESSION_SHARDS} answers (${sessions} sessions)`
        })
      : missing('SESSION_SHARD', 'sessions are off and /sse answers 404')

  const auth = !settings.AUTH
    ? skipped('AUTH_STORE', 'AUTH is off: the authorization server does not run')
    : hasAuthStore(env)
      ? timed('AUTH_STORE', async () => {
          // A lookup by primary key that finds nothing: one indexed read, no write.
          await authStore(env).getClient('health-check')
          return 'The authorization server store answers'
        })
      : missing('AUTH_STORE', 'AUTH=true answers every request with 503')

  return [kb, shards, auth]
}

class Timeout extends Error {}

/** Runs one probe under PROBE_TIMEOUT_MS; a failure is logged in full and reported by kind. */
const timed = async (name: string, call: () => Promise<string>): Promise<Check> => {
  const start = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), PROBE_TIMEOUT_MS)
  })
  try {
    const message = await Promise.race([call(), deadline])
    return { name, status: 'ok', message, ms: Date.now() - start }
  } catch (error) {
    console.error(`health: the ${name} Durable Object failed`, error)
    const what =
      error instanceof Timeout
        ? `did not answer within ${PROBE_TIMEOUT_MS / 1000} s`
        : `failed (${error instanceof Error ? error.name : 'error'})`
    return {
      name,
      status: 'error',
      message: `The ${name} Durable Object ${what}; the full error is in the Worker's log`,
      fix: 'Read the log (npx wrangler tail) and check the binding and its migration in wrangler.toml',
      ms: Date.now() - start,
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

/** Names whose values are secrets: never sent, whatever put them in a body. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PRIVATE|_KEY$/i

/** A JSON answer, with every secret value in `env` replaced should one have slipped in. */
const answer = (body: unknown, status: number, env: Env): Response => {
  let text = JSON.stringify(body)
  const secrets = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string')
    .map(([, value]) => JSON.stringify(value).slice(1, -1)) // as it would appear in the text
    .filter((value) => value.length >= 6)
    .sort((a, b) => b.length - a.length)
  for (const secret of secrets) text = text.replaceAll(secret, '[redacted]')
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'application/json', ...NO_STORE },
  })
}
