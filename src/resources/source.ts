// Resources that come from data: a resource source lists resources that change at run time (the
// knowledge base's documents, rows of a table), after the fixed ones of src/resources/index.ts,
// and says when its list changed, so the server can announce it.
//
//   resources/list   ->  readme, logo.png (fixed), then kb://docs/agents, kb://docs/faq, ...
//   an upload moves the source's version  ->  notifications/resources/list_changed
//
// A source only lists. Its resources are read through a resource template that matches their
// URIs (`kb://docs/{id}`), so `resources/read`, completion and subscriptions work for them as
// for any template. A server with a source declares `resources.listChanged` (R-SF-25), and:
//
// - in a legacy session, the shard polls `version` every LIST_CHANGED_POLL_MS while one of its
//   sessions has a stream open, and sends the notification on the streams of the sessions that
//   saw an older version (src/transports/session-shard.ts);
// - in 2026-07-28, a `subscriptions/listen` stream granted `resourcesListChanged` polls it in
//   its own isolate (src/transports/subscriptions.ts).
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/resources#list-changed-notification

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import type { ContentAnnotations } from '../protocol/content.ts'

/** What a source may use: the Worker's bindings and the settings. */
export interface SourceContext {
  env: Env
  config: Config
}

/** One resource a source lists: the fields of a `Resource` object in `resources/list`. */
export interface SourcedResource {
  /** An absolute URI that one of the server's templates matches (so it can be read). */
  uri: string
  name: string
  title?: string
  description?: string
  mimeType?: string
  /** Size in bytes of the raw content, if known. */
  size?: number
  annotations?: ContentAnnotations
}

export interface ResourceSource {
  /**
   * Up to `limit` of its resources (possibly none) from `offset`, in an order that stays put
   * while the data does; `more` when others follow.
   */
  list(
    ctx: SourceContext,
    offset: number,
    limit: number,
  ): Promise<{ resources: SourcedResource[]; more: boolean }>
  /**
   * A value that differs whenever the list may have changed (a counter the data's writes bump).
   * Polled while someone listens, so it must be cheap.
   */
  version(ctx: SourceContext): Promise<string>
}

/** The notification, the same in every revision (2026-07-28 adds the subscription's `_meta`). */
export const LIST_CHANGED = 'notifications/resources/list_changed'

/** The source's version, or null when it cannot be read now (logged; the next poll retries). */
export const versionOf = async (
  source: ResourceSource,
  ctx: SourceContext,
): Promise<string | null> => {
  try {
    return await source.version(ctx)
  } catch (error) {
    console.error('resource list version', error)
    return null
  }
}

/** The last version read of each source in this isolate, and when. */
const recent = new WeakMap<ResourceSource, { version: string; at: number }>()

/**
 * The source's version, read at most once per `maxAgeMs` in this isolate: many listeners
 * polling one source (2026-07-28 `subscriptions/listen` streams) cost one read per interval,
 * not one each.
 */
export const recentVersionOf = async (
  source: ResourceSource,
  ctx: SourceContext,
  maxAgeMs: number,
): Promise<string | null> => {
  const now = Date.now()
  const last = recent.get(source)
  if (last !== undefined && now - last.at < maxAgeMs) return last.version
  const version = await versionOf(source, ctx)
  if (version !== null) recent.set(source, { version, at: now })
  return version
}
