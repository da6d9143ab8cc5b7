// How the Worker reaches the knowledge base: the `KB` Durable Object binding (wrangler.toml),
// one named instance (`KB_NAME`, default "kb") that every request shares.

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { HandlerError } from '../protocol/errors.ts'
import type { KnowledgeBase } from './knowledge-base.ts'

/**
 * Raised when the Worker has no `KB` binding (a deployment without the Durable Object). A
 * HandlerError, so `search` and `fetch` report it in words; the admin API answers 503.
 */
export class NoKnowledgeBase extends HandlerError {
  constructor() {
    super('The knowledge base is not configured: the Worker has no KB Durable Object binding')
  }
}

const isNamespace = (value: unknown): value is DurableObjectNamespace<KnowledgeBase> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { idFromName?: unknown }).idFromName === 'function'

/** The knowledge base's stub; throws NoKnowledgeBase without the binding. */
export const knowledgeBase = (env: Env, settings: Config): DurableObjectStub<KnowledgeBase> => {
  const namespace = env.KB
  if (!isNamespace(namespace)) throw new NoKnowledgeBase()
  return namespace.get(namespace.idFromName(settings.KB_NAME))
}
