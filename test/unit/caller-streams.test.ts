// The streams a caller holds, and the probe a caller at its cap gets before it is refused
// (src/transports/caller-streams.ts). The streams here stand in for SSE streams whose client
// may have gone: as in workerd, a gone client is noticed only at a later write (the second
// probe), and then the stream stops counting.

import { describe, expect, test } from 'vitest'
import { callerStreams, type CallerStreams } from '../../src/transports/caller-streams.ts'

/** A stream whose client left: its second write fails, and it stops counting then. */
const leftStream = (streams: CallerStreams, caller: string) => {
  const stream = {
    probes: 0,
    probe: () => {
      if (++stream.probes === 2) uncount()
    },
  }
  const uncount = streams.add(caller, stream)
  return stream
}

/** A stream whose client is still there: probes change nothing. */
const liveStream = (streams: CallerStreams, caller: string) => {
  const stream = { probes: 0, probe: () => void stream.probes++ }
  streams.add(caller, stream)
  return stream
}

describe('BM-LIMIT-9 a caller at MAX_STREAMS_PER_CALLER', () => {
  test('BM-LIMIT-9 below the cap nothing is probed', async () => {
    const streams = callerStreams()
    const held = [liveStream(streams, 'a'), liveStream(streams, 'a')]
    expect(await streams.admits('a', 3)).toBe(true)
    expect(await streams.admits(null, 0)).toBe(true)
    expect(held.map((stream) => stream.probes)).toEqual([0, 0])
  })

  test('BM-LIMIT-9 at the cap its streams are probed until one whose client left is seen gone: admitted', async () => {
    const streams = callerStreams()
    const live = liveStream(streams, 'a')
    const left = leftStream(streams, 'a')
    // Another caller's streams are not its business.
    const other = liveStream(streams, 'b')
    expect(await streams.admits('a', 2)).toBe(true)
    expect(left.probes).toBe(2)
    expect(live.probes).toBe(2)
    expect(other.probes).toBe(0)
  })

  test('BM-LIMIT-9 at the cap with every client there: refused once the probes found none gone', async () => {
    const streams = callerStreams()
    const held = [liveStream(streams, 'a'), liveStream(streams, 'a')]
    // Two requests at once share one probe.
    expect(await Promise.all([streams.admits('a', 2), streams.admits('a', 2)])).toEqual([
      false,
      false,
    ])
    // Written twice (a first write to a closed connection may still succeed), not once per request.
    expect(held.map((stream) => stream.probes)).toEqual([2, 2])
  })
})
