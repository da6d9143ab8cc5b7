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
import { settled } from '../http/settled.ts'

const encoder = new TextEncoder()
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const

/** Keys made once they settle (src/http/settled.ts): by MRTR secret, by env, and this isolate's. */
const imported = new Map<string, CryptoKey>()
const derived = new WeakMap<object, CryptoKey>()
const generated = new Map<'isolate', CryptoKey>()

const importKey = (raw: Uint8Array): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', raw, HMAC, false, ['sign', 'verify'])

/** The requestState key of this deployment. */
export const stateKeyOf =
  (env: Env, config: Config): (() => Promise<CryptoKey>) =>
  () => {
    if (config.MRTR_SECRET !== '')
      return settled(imported, config.MRTR_SECRET, () =>
        importKey(encoder.encode(config.MRTR_SECRET)),
      )
    if (hasAuthStore(env))
      return settled(derived, env, async () =>
        importKey(await purposeKey(env, config, 'mrtr-request-state')),
      )
    return settled(generated, 'isolate', async () => {
      console.warn(
        'MRTR_SECRET is unset and there is no AUTH_STORE binding: requestState is signed with a key of this isolate only',
      )
      return (await crypto.subtle.generateKey(HMAC, false, ['sign', 'verify'])) as CryptoKey
    })
  }
