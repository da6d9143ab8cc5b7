// The key that signs 2026-07-28 MRTR `requestState` (R-SF-45): the same in every isolate, so a
// client's retry may land on any of them.
//
//   MRTR_SECRET set            that secret
//   otherwise                  derived from the server's master secret (AUTH_SECRET, or the one
//                              the AuthStore Durable Object made and keeps: one RPC per isolate)
//   no AuthStore binding       a random key per isolate (retries must reach the same isolate;
//                              said once in the log)

import { hasAuthStore, purposeKey } from '../auth/resource-server.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'

const encoder = new TextEncoder()
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const

const imported = new Map<string, Promise<CryptoKey>>()
const derived = new WeakMap<object, Promise<CryptoKey>>()
let isolateKey: Promise<CryptoKey> | undefined

const importKey = (raw: Uint8Array): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', raw, HMAC, false, ['sign', 'verify'])

/** The requestState key of this deployment. */
export const stateKeyOf =
  (env: Env, config: Config): (() => Promise<CryptoKey>) =>
  () => {
    if (config.MRTR_SECRET !== '') {
      let key = imported.get(config.MRTR_SECRET)
      if (key === undefined) {
        key = importKey(encoder.encode(config.MRTR_SECRET))
        imported.set(config.MRTR_SECRET, key)
      }
      return key
    }
    if (hasAuthStore(env)) {
      let key = derived.get(env)
      if (key === undefined) {
        key = purposeKey(env, config, 'mrtr-request-state').then(importKey)
        key.catch(() => derived.delete(env))
        derived.set(env, key)
      }
      return key
    }
    if (isolateKey === undefined) {
      console.warn(
        'MRTR_SECRET is unset and there is no AUTH_STORE binding: requestState is signed with a key of this isolate only',
      )
      isolateKey = crypto.subtle.generateKey(HMAC, false, ['sign', 'verify']) as Promise<CryptoKey>
    }
    return isolateKey
  }
