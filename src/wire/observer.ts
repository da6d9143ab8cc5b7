// Whether the wire view records, and the one store it records into (per isolate). WIRE_VIEW
// "auto" (the default) records only requests to a loopback host, which is what `npm start`
// serves and a deployed Worker never is; "true" records every request (and the page is behind
// ADMIN_TOKEN on a public host, gate.ts); "false" records nothing. A request it does not record
// costs nothing: the tap asks `accepts` before doing any work.

import type { Observer } from '../observe/exchange.ts'
import { isLoopbackHost } from '../auth/upstream/outbound.ts'
import type { Config } from '../settings/config.ts'
import { wireStore, type WireStore } from './store.ts'

const stores = new WeakMap<Config, WireStore>()

/** The wire view store of these settings (one per isolate: settings are parsed once). */
export const storeFor = (config: Config): WireStore => {
  let store = stores.get(config)
  if (store === undefined) {
    store = wireStore({
      maxExchanges: config.WIRE_VIEW_MAX_EXCHANGES,
      maxBytes: config.WIRE_VIEW_MAX_BYTES,
    })
    stores.set(config, store)
  }
  return store
}

/** Whether the wire view covers a request to `url` under these settings. */
export const wireViewOn = (config: Config, url: string | URL): boolean =>
  config.WIRE_VIEW === 'true' ||
  (config.WIRE_VIEW === 'auto' &&
    isLoopbackHost((typeof url === 'string' ? new URL(url) : url).hostname))

const observers = new WeakMap<Config, readonly Observer[]>()

/** The wire view's observer for these settings: none when WIRE_VIEW is "false". */
export const wireObservers = (config: Config): readonly Observer[] => {
  if (config.WIRE_VIEW === 'false') return []
  let list = observers.get(config)
  if (list === undefined) {
    const recorder = storeFor(config).observer
    list = [{ ...recorder, accepts: (_, url) => wireViewOn(config, url) }]
    observers.set(config, list)
  }
  return list
}
