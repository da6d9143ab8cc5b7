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

/** Where the signal of work nothing can cancel comes from. */
export const UNCANCELLABLE: { readonly signal: AbortSignal } = { signal: NEVER }

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
  // Made on the first hold: most requests finish before anything is held.
  let held: { setup: () => () => void; undo: (() => void) | null; gone: boolean }[] | null = null
  return {
    waiting: (setup) => {
      if (started) return setup()
      const entry = { setup, undo: null as (() => void) | null, gone: false }
      ;(held ??= []).push(entry)
      return () => {
        entry.gone = true
        entry.undo?.()
      }
    },
    start: () => {
      if (started) return
      started = true
      if (held !== null) for (const entry of held) if (!entry.gone) entry.undo = entry.setup()
    },
  }
}

/** Microtask turns a promise gets to settle before it counts as waiting for I/O. */
const SOON = 64

/**
 * `work`'s outcome if it settles within a few microtask turns (no I/O, no timer), else
 * 'waiting' (also as soon as `stop()` says so). A rejection is returned as `{ error }`, so the
 * caller decides what it means.
 */
export const settledSoon = async <T>(
  work: Promise<T>,
  stop: () => boolean = () => false,
): Promise<{ value: T } | { error: unknown } | 'waiting'> => {
  let outcome: { value: T } | { error: unknown } | null = null
  work.then(
    (value) => void (outcome = { value }),
    (error: unknown) => void (outcome = { error }),
  )
  for (let turn = 0; turn < SOON && outcome === null && !stop(); turn++) await null
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
): Deadline => new Limit(request, ms)

/** A class for its getters (why: src/protocol/with-signal.ts). */
class Limit implements Deadline {
  readonly #request: { readonly signal: AbortSignal; readonly waiting: Waiting }
  readonly #ends: number
  #controller: AbortController | null = null
  #expired = false
  #ended: { reason: unknown } | null = null
  // The races begun, stopped when the deadline passes or the request is cancelled (a race
  // already over ignores it; a deadline runs one race, a handler's).
  #racing: ((reason: unknown) => void)[] | null = null

  constructor(request: { readonly signal: AbortSignal; readonly waiting: Waiting }, ms: number) {
    this.#request = request
    this.#ends = Date.now() + ms
  }

  get signal(): AbortSignal {
    if (this.#controller === null) {
      const own = (this.#controller = new AbortController())
      if (this.#ended !== null) own.abort(this.#ended.reason)
    }
    return this.#controller.signal
  }

  get expired(): boolean {
    return this.#expired
  }

  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let undo: (() => void) | null = null
      let done = false
      const stop = (reason: unknown) => {
        if (done) return
        done = true
        undo?.()
        reject(reason)
      }
      ;(this.#racing ??= []).push(stop)
      if (this.#ended !== null) return stop(this.#ended.reason)
      undo = this.#request.waiting(this.#watch)
      // Stopped while being set up (the request was already cancelled): nothing to wait for.
      if (done) return undo()
      work.then((value) => {
        if (done) return
        done = true
        undo?.()
        resolve(value)
      }, stop)
    })
  }

  #end(reason: unknown): void {
    this.#ended ??= { reason }
    this.#controller?.abort(reason)
    if (this.#racing !== null) for (const stop of this.#racing) stop(reason)
  }

  // Set up once the request is seen to wait: the cancellation listener and the timer.
  readonly #watch = (): (() => void) => {
    const cancel = this.#request.signal
    const cancelled = () => this.#end(cancel.reason)
    if (cancel.aborted) cancelled()
    else if (cancel !== NEVER) cancel.addEventListener('abort', cancelled, { once: true })
    const timer = setTimeout(
      () => {
        this.#expired = true
        this.#end(new TimedOut())
      },
      Math.max(0, this.#ends - Date.now()),
    )
    return () => {
      clearTimeout(timer)
      cancel.removeEventListener('abort', cancelled)
    }
  }
}
