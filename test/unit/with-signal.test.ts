// The `signal` of the contexts the server author's code gets (src/protocol/with-signal.ts): made
// only when read, an own enumerable property (so spreading a context keeps it), and one shared
// accessor for every context.

import { describe, expect, test } from 'vitest'
import { withSignal } from '../../src/protocol/with-signal.ts'

interface Context {
  name: string
  readonly signal: AbortSignal
}

/** A source that counts how often its signal is read, as the deadline's does. */
const counting = () => {
  const controller = new AbortController()
  const source = {
    reads: 0,
    get signal() {
      source.reads += 1
      return controller.signal
    },
  }
  return { source, controller }
}

describe('R-JR-22 the signal of a handler context', () => {
  test('R-JR-22 the signal is read from its source only when the code reads it', () => {
    const { source, controller } = counting()
    const context = withSignal<Context>({ name: 'a' }, source)
    expect(source.reads).toBe(0)
    expect(context.signal).toBe(controller.signal)
    expect(source.reads).toBe(1)
  })

  test('R-JR-22 spreading a context keeps its signal, and every context has its own', () => {
    const one = counting()
    const two = counting()
    const first = withSignal<Context>({ name: 'a' }, one.source)
    const second = withSignal<Context>({ name: 'b' }, two.source)
    expect(Object.keys(first)).toEqual(['name', 'signal'])
    const spread = { ...first }
    expect(spread.signal).toBe(one.controller.signal)
    expect(second.signal).toBe(two.controller.signal)
    two.controller.abort()
    expect([first.signal.aborted, second.signal.aborted]).toEqual([false, true])
  })
})
