// What crosses the Durable Object boundary: the Worker reads, parses and checks a request once
// (body, era, token, scopes), then hands the session's shard one typed envelope over RPC. Its
// members are plain data (structured-cloned), so the shard repeats none of that work and no
// request context travels as loose headers.
//
//   Worker                                   SessionShard (one per shard of the session table)
//   POST /mcp  Mcp-Session-Id: s3.q8Xk...  -> handle({op: 'post', session: 's3.q8Xk...',
//                                                     route, intake, era})  -> Response

import type { RequestId } from '../jsonrpc/message.ts'
import type { EraOf } from '../protocol/era.ts'
import type { Principal } from '../protocol/principal.ts'
import type { LegacyRevision } from '../protocol/revisions.ts'
import type { StrictFacts } from '../strict/session.ts'
import { singleIdOf, type Intake } from './intake.ts'

/** Which catalog the request uses and who sent it. */
export interface Route {
  /** The request's path: its catalog and tool profile (src/catalog/catalog.ts). */
  path: string
  /** The id of a `createServer(tools)` catalog; null: the settings' catalog. */
  catalog: string | null
  /** The caller the Worker authenticated (AUTH=true); null when auth is off. */
  principal: Principal | null
  /**
   * Who the per-caller limits count (src/http/rate-limit.ts `callerKey`): the principal's
   * subject, else the client's address; null when neither is known (then nothing is counted).
   */
  caller: string | null
}

/**
 * One request for a session, by operation. `connection` names a stream the Worker holds open
 * for its client: when that client goes away the Worker says so (`SessionShard.hangUp`), since
 * a Durable Object is not told when a stream it returned stops being read.
 */
export type Envelope = {
  session: string
  route: Route
  /** Strict mode's facts (absent: lenient, the default); the shard checks the session's part. */
  strict?: StrictFacts
  /**
   * Whether the exchange is observed (logs, metrics, the wire view): only then does the shard
   * note the session's client and revision on its answer (src/observe/client.ts).
   */
  observed?: true
} & (
  | { op: 'post'; intake: Intake; era: EraOf & { era: 'legacy'; revision: LegacyRevision } }
  | { op: 'get'; lastEventId: string | null; connection: string }
  | { op: 'delete' }
  | { op: 'sse-open'; endpoint: string; connection: string }
  | { op: 'sse-message'; intake: Intake }
)

/** The id of the one request an envelope carries, when it has one (R-JR-8: errors name it). */
export const requestIdOf = (envelope: Envelope): RequestId | null =>
  'intake' in envelope ? singleIdOf(envelope.intake) : null
