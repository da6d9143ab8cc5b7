// The server's own log: one JSON object per line, on the Worker's console, which Workers Logs
// keeps and indexes field by field ([observability] in wrangler.toml), `wrangler tail` streams,
// and `npm start` prints. Three kinds of line: `operation` (one per MCP operation,
// operation-log.ts), `audit` (one per authentication or authorization event, audit.ts), and at
// debug `message` (what the server sent a client on its streams).
//
// SERVER_LOG_LEVEL sets the least severe line written; SERVER_LOG_SAMPLE_RATE the share of
// successful operations written (failures and audit events always are). Secrets never reach a
// line: no header value but the traceparent, no body, no token; tool arguments and results only
// as a size and a digest (digest.ts).

import type { ServerLogLevel } from '../settings/observability.ts'

/** A line's level; the console method follows it (Workers Logs shows it as the level). */
export type Level = Exclude<ServerLogLevel, 'off'>

const RANK: Record<ServerLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, off: 4 }

/** Whether a line of `level` is written under `threshold`. */
export const logs = (threshold: ServerLogLevel, level: Level): boolean =>
  RANK[level] >= RANK[threshold]

/** A line's fields: null and undefined ones are left out. */
export type Fields = Record<string, string | number | boolean | null | undefined>

/** Writes one line: `{"time":...,"level":...,<fields>}`. */
export const writeLine = (level: Level, fields: Fields): void => {
  const line: Record<string, string | number | boolean> = { time: new Date().toISOString(), level }
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && value !== undefined) line[name] = value
  }
  const text = JSON.stringify(line)
  // The console method is the level Workers Logs and wrangler show. Debug lines go to
  // console.log, which `npm start` prints by default (console.debug only with --log-level debug).
  if (level === 'error') console.error(text)
  else if (level === 'warn') console.warn(text)
  else if (level === 'info') console.info(text)
  else console.log(text)
}
