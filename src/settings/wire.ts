// The settings of the wire view (src/wire/) and strict mode (src/strict/); src/settings/config.ts
// parses them with the rest. The README lists them all.

import * as v from 'valibot'
import { flag, integer } from './kinds.ts'

export const WIRE_SETTINGS = {
  /**
   * The wire view at /_wire: "auto" records and shows exchanges only on a loopback host (what
   * `npm start` serves); "true" also on a public host, behind ADMIN_TOKEN; "false" never.
   */
  WIRE_VIEW: v.optional(
    v.picklist(['auto', 'true', 'false'], 'must be "auto", "true" or "false"'),
    'auto',
  ),
  /** Exchanges the wire view keeps (the oldest go first), per isolate. */
  WIRE_VIEW_MAX_EXCHANGES: integer(200, 10, 5000),
  /** Bytes the wire view keeps of all its exchanges together (bodies and frames), per isolate. */
  WIRE_VIEW_MAX_BYTES: integer(8 * 1_048_576, 65_536, 128 * 1_048_576),
  /**
   * Strict mode for client authors on every MCP endpoint: what a conforming client MUST NOT send
   * is refused, naming the rule; what it only SHOULD do is a warning. `/mcp/strict` is strict
   * whatever this says.
   */
  STRICT: flag(false),
}
