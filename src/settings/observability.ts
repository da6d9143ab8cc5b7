// The settings of what the server tells its operator (src/observe/): its own log lines, and the
// metrics it writes. Not to be confused with LOG_LEVEL, which is what MCP clients are sent as
// `notifications/message`; SERVER_LOG_LEVEL is what goes to the Worker's log (Workers Logs,
// `wrangler tail`, the `npm start` terminal). src/settings/config.ts parses them with the rest.

import * as v from 'valibot'
import { flag, integer, scalar } from './kinds.ts'

/** The server log's levels, least severe first; `off` writes nothing. */
export const SERVER_LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'] as const
export type ServerLogLevel = (typeof SERVER_LOG_LEVELS)[number]

/** A number from 0 to 1, such as 0.1 (a TOML number or a string). */
const fraction = (fallback: number) =>
  v.optional(
    v.pipe(
      scalar,
      v.trim(),
      v.regex(/^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/, 'must be a number from 0 to 1, such as 0.1'),
      v.transform(Number),
    ),
    String(fallback),
  )

export const OBSERVABILITY_SETTINGS = {
  /**
   * The least severe line the server's own log gets: "debug" (also the messages the server
   * sends a client on its streams), "info" (every operation and every audit event), "warn"
   * (failures and refusals only), "error" (server faults only), "off" (nothing; load tests).
   */
  SERVER_LOG_LEVEL: v.optional(
    v.picklist(SERVER_LOG_LEVELS, `must be one of ${SERVER_LOG_LEVELS.join(', ')}`),
    'info',
  ),
  /** The share of successful operations that get a log line (failures always do): 0 to 1. */
  SERVER_LOG_SAMPLE_RATE: fraction(1),
  /**
   * "false": no metrics: nothing is written to the Analytics Engine binding (ANALYTICS) and no
   * isolate keeps its recent operations for `npm run stats` (load tests).
   */
  METRICS: flag(true),
  /** Recent operations and audit events each isolate keeps for `GET /admin/stats` (0: none). */
  LOCAL_STATS_MAX: integer(10_000, 0, 1_000_000),
}
