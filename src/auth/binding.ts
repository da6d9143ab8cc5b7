// How the Worker reaches the authorization server's state: the `AUTH_STORE` Durable Object
// binding (wrangler.toml), one named instance every request shares.

import type { Env } from '../settings/env.ts'
import type { AuthStore } from './store.ts'

const isNamespace = (value: unknown): value is DurableObjectNamespace<AuthStore> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { idFromName?: unknown }).idFromName === 'function'

/** Whether the Worker has the AuthStore binding (AUTH=true needs it). */
export const hasAuthStore = (env: Env): boolean => isNamespace(env.AUTH_STORE)

/** The AuthStore's stub. Call only when `hasAuthStore(env)`. */
export const authStore = (env: Env): DurableObjectStub<AuthStore> => {
  const namespace = env.AUTH_STORE as DurableObjectNamespace<AuthStore>
  return namespace.get(namespace.idFromName('auth'))
}
