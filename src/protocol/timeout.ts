// Timeouts: every handler that runs the server author's code (a tool, a prompt's `get`, a
// resource's `read`, a completer) gets `TOOL_TIMEOUT_MS`, one setting for all of them. Its
// `signal` aborts on timeout or cancellation, and the call stops waiting then even if the code
// ignores the signal. What a timeout becomes is the runner's business (src/protocol/runner.ts).
//
// R-JR-22 · https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#timeouts
// Implementations SHOULD establish timeouts for all sent requests; here, for the ones we answer.
//
// Most calls finish without waiting for any I/O (echo, add, a prompt template). Those never
// start a timer, listen to a signal or build one: what a deadline needs is set up only once the
// request is seen to wait (the transport says so: `Waiting`), with the time already spent
// counted, and the signal is built the first time the work reads it.

/** The abort reason when a deadline passes. */
export class TimedOut extends Error {}

/** A signal that never aborts, for work nothing can cancel (legacy requests without a session). */
export const NEVER: AbortSignal = new AbortController().signal

/**
 * Work to set up only once a request is seen to wait: `setup` runs then (at once if it already
 * waits) and returns its undoing; the returned function undoes it, or cancels it unrun.
 */
export type Waiting = (setup: () => () => void) => () => void

/** A request that is taken to wait from the start (nothing tells it otherwise). */
export const waitingNow: Waiting = (setup) => setup()

/** A request's waiting clock: set-ups held until `start()` (the request is seen to wait). */
export const waitingClock = (): { waiting: Waiting; start(): void } => {
  let started = false
  const held = new Set<{ setup: () => () => void; undo: (() => void) | null }>()
  return {
    waiting: (setup) => {
      if (started) return setup()
      const entry = { setup, undo: null as (() => void) | null }
      held.add(entry)
      return () => {
        held.delete(entry)
        entry.undo?.()
      }
    },
    start: () => {
      if (started) return
      started = true
      for (const entry of held) entry.undo = entry.setup()
    },
  }
}

/** Microtask turns a promise gets to settle before it counts as waiting for I/O. */
const SOON = 64

/**
 * `work`'s outcome if it settles within a few microtask turns (no I/O, no timer), else
 * 'waiting'. A rejection is returned as `{ error }`, so the caller decides what it means.
 */
export const settledSoon = async <T>(
  work: Promise<T>,
): Promise<{ value: T } | { error: unknown } | 'waiting'> => {
  let outcome: { value: T } | { error: unknown } | null = null
  work.then(
    (value) => void (outcome = { value }),
    (error: unknown) => void (outcome = { error }),
  )
  for (let turn = 0; turn < SOON && outcome === null; turn++) await null
  return outcome ?? 'waiting'
}

/** One request's deadline. */
export interface Deadline {
  /** Aborts when the deadline passes or the request is cancelled; built on first read. */
  readonly signal: AbortSignal
  /** Whether the deadline has passed. */
  readonly expired: boolean
  /** `work`'s value, or a rejection with the abort reason once the deadline passes or the
   *  request is cancelled, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T>
}

/**
 * Starts a deadline of `ms` for `request`: its cancellation signal (read only once needed, as
 * it may be made on first read) and its waiting clock.
 */
export const deadline = (
  request: { readonly signal: AbortSignal; readonly waiting: Waiting },
  ms: number,
): Deadline => {
  const begun = Date.now()
  let controller: AbortController | null = null
  let expired = false
  let ended: { reason: unknown } | null = null
  let stop!: (reason: unknown) => void
  const stopped = new Promise<never>((_, reject) => (stop = reject))
  stopped.catch(() => {}) // a stop after the work is done is nobody's error
  const end = (reason: unknown) => {
    ended ??= { reason }
    controller?.abort(reason)
    stop(reason)
  }
  const signal = (): AbortSignal => {
    if (controller === null) {
      const own = (controller = new AbortController())
      if (ended !== null) own.abort(ended.reason)
    }
    return controller.signal
  }
  return {
    get signal() {
      return signal()
    },
    get expired() {
      return expired
    },
    race: async <T>(work: Promise<T>): Promise<T> => {
      const undo = request.waiting(() => {
        const cancel = request.signal
        const cancelled = () => end(cancel.reason)
        if (cancel.aborted) cancelled()
        else if (cancel !== NEVER) cancel.addEventListener('abort', cancelled, { once: true })
        const timer = setTimeout(
          () => {
            expired = true
            end(new TimedOut())
          },
          Math.max(0, begun + ms - Date.now()),
        )
        return () => {
          clearTimeout(timer)
          cancel.removeEventListener('abort', cancelled)
        }
      })
      try {
        return await Promise.race([work, stopped])
      } finally {
        undo()
      }
    },
  }
}
