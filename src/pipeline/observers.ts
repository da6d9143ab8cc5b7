// Who observes the MCP endpoints' exchanges (src/observe/): each observer the settings turn on.
// With none, the tap costs nothing.

import type { Observer } from '../observe/exchange.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { wireObservers } from '../wire/observer.ts'

/** The observers of this deployment (cached per settings). */
export const observersFor = (_env: Env, config: Config): readonly Observer[] =>
  wireObservers(config)
