// Timeouts: every handler that runs the server author's code (a tool, a prompt's `get`, a
// resource's `read`, a completer) gets `TOOL_TIMEOUT_MS`, one setting for all of them. Its
// `signal` aborts on timeout or cancellation, and the call stops waiting then even if the code
// ignores the signal. What a timeout becomes is the runner's business (src/protocol/runner.ts).
//
// R-JR-22 · https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#timeouts
// Implementations SHOULD establish timeouts for all sent requests; here, for the ones we answer.
//
// Most calls finish without waiting for any I/O (echo, add, a prompt template). Those never
// start a timer nor build a signal: the timer starts only once the work is seen to wait
// (`settledSoon`), and the signal is built the first time the work reads it.

/** The abort reason when a deadline passes. */
export class TimedOut extends Error {}

/** A signal that never aborts, for work nothing can cancel (legacy requests without a session). */
export const NEVER: AbortSignal = new AbortController().signal

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

/** One request's deadline over `cancel` (the request's own cancellation). */
export interface Deadline {
  /** Aborts when the deadline passes or the request is cancelled; built on first read. */
  readonly signal: AbortSignal
  /** Whether the deadline has passed. */
  readonly expired: boolean
  /** `work`'s value, or a rejection with the abort reason once the deadline passes or the
   *  request is cancelled, whichever comes first. The timer runs only while `work` waits. */
  race<T>(work: Promise<T>): Promise<T>
}

/** Starts a deadline of `ms` over `cancel`. */
export const deadline = (cancel: AbortSignal, ms: number): Deadline => {
  let controller: AbortController | null = null
  let expired = false
  const signal = (): AbortSignal => {
    if (controller === null) {
      controller = new AbortController()
      const own = controller
      if (cancel.aborted) own.abort(cancel.reason)
      else if (cancel !== NEVER)
        cancel.addEventListener('abort', () => own.abort(cancel.reason), { once: true })
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
      const soon = await settledSoon(work)
      if (soon !== 'waiting') {
        if ('value' in soon) return soon.value
        throw soon.error
      }
      const aborted = signal()
      let timer!: ReturnType<typeof setTimeout>
      const stop = new Promise<never>((_, reject) => {
        if (aborted.aborted) reject(aborted.reason)
        aborted.addEventListener('abort', () => reject(aborted.reason), { once: true })
        timer = setTimeout(() => {
          expired = true
          controller!.abort(new TimedOut())
        }, ms)
      })
      stop.catch(() => {}) // a cancellation after the work is done is nobody's error
      try {
        return await Promise.race([work, stop])
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
