// The long-lived streams each caller holds open, counted for MAX_STREAMS_PER_CALLER (BM-LIMIT-7).
//
// workerd notices that a client went away only when it writes to it: a stream whose client
// closed it keeps counting until its next write, a keep-alive up to KEEPALIVE_MS later. So a
// caller at its cap is not refused at once (BM-LIMIT-9): each of its streams is sent a
// `: probe` comment, and the request waits, PROBE_WAIT_MS at most, for one of them to be seen
// gone. The first write to a connection its client closed usually still succeeds (the
// client's reset comes back after it), so the probe is written twice, PROBE_AGAIN_MS apart.
// Only a caller at its cap pays this; requests of one caller at once share one probe.
//
// Each waiting request watches the count on timers of its own, never on a promise another
// request settles: in a Worker (the listen streams of subscriptions.ts) workerd would resume it
// in that other request's context, where it could not answer (src/http/settled.ts).
//
//   caller at the cap opens a stream
//     -> `: probe` to each of its streams, twice; the second write to a client that left
//        fails, and its stream ends and stops counting
//     -> one stopped counting within PROBE_WAIT_MS: admitted; else 429

/** What a counted stream must offer: a write that makes a gone client noticed. */
export interface Probeable {
  probe(): void
}

/** How long a caller at its cap waits for a probed stream to be seen gone, and when the probe
 *  is written the second time. */
const PROBE_WAIT_MS = 250
const PROBE_AGAIN_MS = 50
/** How often a waiting request looks at the count again. */
const POLL_MS = 10

export interface CallerStreams {
  /** Counts `stream` for `caller`; the function returned stops counting it (once). */
  add(caller: string, stream: Probeable): () => void
  /**
   * Whether `caller` may open one more stream under `limit` (null: not counted). At the cap,
   * its streams are probed first, and the answer waits until one is seen gone or
   * PROBE_WAIT_MS pass.
   */
  admits(caller: string | null, limit: number): Promise<boolean>
}

export const callerStreams = (): CallerStreams => {
  const open = new Map<string, Set<Probeable>>()
  /** When each caller's streams were last probed (requests at once share one probe). */
  const probedAt = new Map<string, number>()

  const count = (caller: string) => open.get(caller)?.size ?? 0
  const probeAll = (caller: string) => {
    for (const stream of open.get(caller) ?? []) stream.probe()
  }
  const tick = () => new Promise<void>((resolve) => setTimeout(resolve, POLL_MS))

  return {
    add: (caller, stream) => {
      let streams = open.get(caller)
      if (streams === undefined) open.set(caller, (streams = new Set()))
      streams.add(stream)
      return () => {
        if (!streams.delete(stream)) return
        if (streams.size === 0 && open.get(caller) === streams) {
          open.delete(caller)
          probedAt.delete(caller)
        }
      }
    },
    admits: async (caller, limit) => {
      if (caller === null || count(caller) < limit) return true
      const since = Date.now()
      const last = probedAt.get(caller)
      // This request probes unless another did within PROBE_WAIT_MS (it then only waits).
      let probing = last === undefined || since - last >= PROBE_WAIT_MS
      if (probing) {
        probedAt.set(caller, since)
        probeAll(caller)
      }
      while (Date.now() - since < PROBE_WAIT_MS) {
        await tick()
        if (count(caller) < limit) break
        if (probing && Date.now() - since >= PROBE_AGAIN_MS) {
          probing = false
          probeAll(caller)
        }
      }
      return count(caller) < limit
    },
  }
}
