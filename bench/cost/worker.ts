// bare-mcp (src/index.ts, unchanged) with counters for what Cloudflare bills beside Worker
// requests and CPU: every call on a Durable Object stub (a fetch or an RPC method: one billed
// request each), the time each took, SQLite rows read and written (cursor.rowsRead and
// rowsWritten), and alarms set (each billed as a row written). `npm run bench:cost` reads them.
//
//   GET  /__cost        {"requests":{"KB":3},"ms":{"KB":4},"rowsRead":12,"rowsWritten":0,"alarms":0}
//   POST /__cost/reset  zeroes them
//
// Counting patches the prototypes of the runtime's Durable Object namespace, SQL storage and
// storage classes once, so every caller (the Worker, or a shard calling the knowledge base) is
// counted and src/ needs no hook. Under wrangler dev the Worker and its Durable Objects share one
// isolate, so one set of counters sees both.

import worker, {
  AuthStore as AuthStoreBase,
  KnowledgeBase as KnowledgeBaseBase,
  SessionShard as SessionShardBase,
} from '../../src/index.ts'

interface Counters {
  requests: Record<string, number>
  ms: Record<string, number>
  rowsRead: number
  rowsWritten: number
  alarms: number
}

const fresh = (): Counters => ({ requests: {}, ms: {}, rowsRead: 0, rowsWritten: 0, alarms: 0 })
let counters = fresh()
/** Cursors since the last reset: their row counts are final once the requests are done. */
let cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = []

/** Binding names of the namespaces seen, so a stub's calls are counted under its binding. */
const bindingOf = new WeakMap<object, string>()

const remember = (env: Record<string, unknown>): void => {
  for (const name of ['KB', 'SESSION_SHARD', 'AUTH_STORE']) {
    const namespace = env[name]
    if (typeof namespace === 'object' && namespace !== null) bindingOf.set(namespace, name)
  }
}

const counted = (stub: object, binding: string): object =>
  new Proxy(stub, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        counters.requests[binding] = (counters.requests[binding] ?? 0) + 1
        const started = Date.now()
        const settle = () => {
          counters.ms[binding] = (counters.ms[binding] ?? 0) + Date.now() - started
        }
        const result: unknown = Reflect.apply(value, target, args)
        if (result instanceof Promise) return result.finally(settle)
        settle()
        return result
      }
    },
  })

let patchedNamespaces = false
const patchNamespaces = (env: Record<string, unknown>): void => {
  remember(env)
  if (patchedNamespaces || typeof env.KB !== 'object' || env.KB === null) return
  patchedNamespaces = true
  const proto = Object.getPrototypeOf(env.KB) as Record<string, unknown>
  for (const method of ['get', 'getByName']) {
    const original = proto[method]
    if (typeof original !== 'function') continue
    proto[method] = function (this: object, ...args: unknown[]) {
      const stub = Reflect.apply(original, this, args) as object
      return counted(stub, bindingOf.get(this) ?? 'unknown')
    }
  }
}

let patchedStorage = false
const patchStorage = (ctx: DurableObjectState): void => {
  if (patchedStorage) return
  patchedStorage = true
  const sql = Object.getPrototypeOf(ctx.storage.sql) as Record<string, unknown>
  const exec = sql.exec as (...args: unknown[]) => SqlStorageCursor<Record<string, SqlStorageValue>>
  sql.exec = function (this: unknown, ...args: unknown[]) {
    const cursor = Reflect.apply(exec, this, args) as SqlStorageCursor<
      Record<string, SqlStorageValue>
    >
    cursors.push(cursor)
    return cursor
  }
  const storage = Object.getPrototypeOf(ctx.storage) as Record<string, unknown>
  const setAlarm = storage.setAlarm as (...args: unknown[]) => Promise<void>
  storage.setAlarm = function (this: unknown, ...args: unknown[]) {
    counters.alarms++
    return Reflect.apply(setAlarm, this, args) as Promise<void>
  }
}

const snapshot = (): Counters => {
  for (const cursor of cursors) {
    counters.rowsRead += cursor.rowsRead
    counters.rowsWritten += cursor.rowsWritten
  }
  cursors = []
  return counters
}

export class KnowledgeBase extends KnowledgeBaseBase {
  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    patchStorage(ctx)
    patchNamespaces(env)
    super(ctx, env)
  }
}

export class SessionShard extends SessionShardBase {
  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    patchStorage(ctx)
    patchNamespaces(env)
    super(ctx, env)
  }
}

export class AuthStore extends AuthStoreBase {
  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    patchStorage(ctx)
    patchNamespaces(env)
    super(ctx, env)
  }
}

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    patchNamespaces(env)
    const path = new URL(request.url).pathname
    if (path === '/__cost') return Response.json(snapshot())
    if (path === '/__cost/reset') {
      snapshot()
      counters = fresh()
      return Response.json(counters)
    }
    return worker.fetch(request, env)
  },
} satisfies ExportedHandler<Record<string, unknown>>
