// Timeouts: every handler that runs the server author's code (a tool, a prompt's `get`, a
// resource's `read`, a completer) gets `TOOL_TIMEOUT_MS`, one setting for all of them. Its
// `signal` aborts on timeout or cancellation, and the call stops waiting then even if the code
// ignores the signal. What a timeout becomes is the caller's choice: a tool error for tools,
// -32603 naming the method for the rest.
//
// R-JR-22 · https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#timeouts
// Implementations SHOULD establish timeouts for all sent requests; here, for the ones we answer.

import { ErrorCode, JsonRpcError } from '../jsonrpc/errors.ts'
import type { RequestContext } from './context.ts'

/** The abort reason when a deadline passes. */
export class TimedOut extends Error {}

/** One request's deadline. */
export interface Deadline {
  /** Aborts when the deadline passes or the request is cancelled. */
  signal: AbortSignal
  /** Whether the deadline has passed. */
  readonly expired: boolean
  /** `work`, or a rejection with the abort reason as soon as `signal` aborts. */
  race<T>(work: Promise<T>): Promise<T>
  /** Stops the timer; call it once the work is over. */
  clear(): void
}

/** Starts the `TOOL_TIMEOUT_MS` deadline of a request. */
export const deadline = (ctx: RequestContext): Deadline => {
  const timeout = new AbortController()
  const signal = AbortSignal.any([ctx.signal, timeout.signal])
  const timer = setTimeout(() => timeout.abort(new TimedOut()), ctx.config.TOOL_TIMEOUT_MS)
  return {
    signal,
    get expired() {
      return timeout.signal.aborted
    },
    race: (work) => Promise.race([work, aborted(signal)]),
    clear: () => clearTimeout(timer),
  }
}

/** The -32603 error of a prompt, resource read or completer that ran out of time. */
export const timedOut = (method: string, ctx: RequestContext): JsonRpcError =>
  new JsonRpcError({
    code: ErrorCode.InternalError,
    message: `${method} timed out after ${ctx.config.TOOL_TIMEOUT_MS} ms`,
  })

/** A promise that rejects when `signal` aborts, so code that ignores it cannot hang a request. */
const aborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
