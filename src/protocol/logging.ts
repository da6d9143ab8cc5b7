// Logging: the server sends `notifications/message` to the client; the client may choose the
// lowest level it wants with `logging/setLevel`. Levels are RFC 5424's, lowest first.
//
//   <- {"jsonrpc":"2.0","method":"notifications/message",
//       "params":{"level":"info","logger":"count","data":"Counted to 3"}}
//
// R-SF-31 · https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/logging

import * as v from 'valibot'
import { LOG_LEVELS, type LoggingLevel } from '../settings/config.ts'
import { notification, type JSONRPCNotification, type Params } from '../jsonrpc/message.ts'
import type { RequestContext } from './context.ts'
import { parseParams } from './params.ts'

/** Whether a message at `level` passes a threshold of `minimum`. */
export const passes = (level: LoggingLevel, minimum: LoggingLevel): boolean =>
  LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(minimum)

/** A `notifications/message`. Never put secrets or personal data in `data` (R-SF-31). */
export const logMessage = (
  level: LoggingLevel,
  data: unknown,
  logger?: string,
): JSONRPCNotification =>
  notification(
    'notifications/message',
    logger === undefined ? { level, data } : { level, logger, data },
  )

const SetLevelParamsSchema = v.looseObject({
  level: v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
})

/**
 * `logging/setLevel`: an unknown level SHOULD get -32602. In a session the level is stored and
 * applies to the session's later requests; without one there is nothing to remember it in, so
 * the `LOG_LEVEL` setting decides (see SPEC_NOTES.md).
 */
export const setLevel = (params: Params | undefined, ctx: RequestContext) => {
  const { level } = parseParams('logging/setLevel', SetLevelParamsSchema, params)
  ctx.session?.setLogLevel(level)
  return {}
}
