// Who observes the MCP endpoints' exchanges (src/observe/): each observer the settings turn on.
// With none, the tap costs nothing.

import type { Observer } from '../observe/exchange.ts'
import { operationsObserver } from '../observe/operation-log.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { wireObservers } from '../wire/observer.ts'

const cache = new WeakMap<Config, readonly Observer[]>()

/** The observers of this deployment (cached per settings). */
export const observersFor = (env: Env, config: Config): readonly Observer[] => {
  const cached = cache.get(config)
  if (cached !== undefined) return cached
  const observers: Observer[] = [...wireObservers(config)]
  // The operation log and metrics (SERVER_LOG_LEVEL, METRICS).
  const operations = operationsObserver(env, config)
  if (operations !== null) observers.push(operations)
  cache.set(config, observers)
  return observers
}
