// Building a request's context (src/protocol/context.ts) from where it runs, the same way on
// both HTTP transports and in both eras: the revision and its rules, what the client declared
// (on the request in 2026-07-28, at `initialize` in a legacy session), the log level, the server's
// capabilities, the session, and who is calling.

import type { ServerFeatures } from '../catalog/catalog.ts'
import { serverCapabilities } from '../catalog/capabilities.ts'
import type { McpContext } from '../catalog/methods.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import type { EraOf } from '../protocol/era.ts'
import type { Principal } from '../protocol/principal.ts'
import { rules, type Revision, type RevisionRules } from '../protocol/revisions.ts'
import type { Waiting } from '../protocol/timeout.ts'
import type { Session } from './session.ts'

/** Where a request runs: the Worker (stateless) or a session's shard. */
export interface Host {
  config: Config
  env: Env
  /** What this request may list and call (its path's catalog, as its caller may see it). */
  features: ServerFeatures
  /** Who is calling (AUTH=true); null when auth is off. */
  principal: Principal | null
  /** Whether initialize-era sessions are on (settings and binding; always true in a shard). */
  sessions: boolean
  /** The key of MRTR `requestState`, shared by every isolate (src/pipeline/state-key.ts). */
  stateKey(): Promise<CryptoKey>
}

/** How a request talks back: its response stream, its cancellation, and SSE polling. */
export interface Io {
  send: McpContext['send']
  /** Where the request's signal comes from: read only when needed (it may be made then). */
  cancellation: { readonly signal: AbortSignal }
  closeStream: McpContext['closeStream']
  /** When the request is seen to wait (the reply decides; `waitingNow` where nothing does). */
  waiting: Waiting
}

/** The context of one request of `era` running at `host`, in `session` if it has one. */
export const contextFor = (host: Host, era: EraOf, session: Session | null, io: Io): McpContext =>
  new Context(host, era, session, io)

/** A class for its lazy `signal` getter (why: src/protocol/with-signal.ts); handlers read the
 *  context a lot. */
class Context implements McpContext {
  readonly revision: Revision
  readonly rules: RevisionRules
  readonly config: Config
  readonly env: Env
  readonly tools: ServerFeatures['tools']
  readonly resources: ServerFeatures['resources']
  readonly prompts: ServerFeatures['prompts']
  readonly send: Io['send']
  readonly closeStream: Io['closeStream']
  readonly waiting: Waiting
  readonly logLevel: McpContext['logLevel']
  readonly clientCapabilities: McpContext['clientCapabilities']
  readonly capabilities: McpContext['capabilities']
  readonly session: McpContext['session']
  readonly auth: McpContext['auth']
  readonly stateKey: McpContext['stateKey']
  readonly #cancellation: Io['cancellation']

  constructor(host: Host, era: EraOf, session: Session | null, io: Io) {
    // R-HT-17: inside a session, the revision is the one negotiated at initialize.
    const revision = era.era === 'legacy' ? (session?.revision ?? era.revision) : era.revision
    const allowed = rules(revision)
    this.revision = revision
    this.rules = allowed
    this.config = host.config
    this.env = host.env
    this.tools = host.features.tools
    this.resources = host.features.resources
    this.prompts = host.features.prompts
    this.send = io.send
    this.closeStream = io.closeStream
    this.waiting = io.waiting
    this.logLevel =
      era.era === 'modern' ? era.meta.logLevel : (session?.logLevel ?? host.config.LOG_LEVEL)
    this.clientCapabilities =
      era.era === 'modern' ? era.meta.clientCapabilities : (session?.clientCapabilities ?? null)
    // R-SF-24, R-SF-47: resource updates need a session's stream in the initialize era, and
    // travel on `subscriptions/listen` in 2026-07-28.
    this.capabilities = serverCapabilities(host.features, !allowed.sessions || host.sessions)
    this.session = era.era === 'legacy' ? (session?.handle ?? null) : null
    this.auth = host.principal
    this.stateKey = host.stateKey
    this.#cancellation = io.cancellation
  }

  get signal(): AbortSignal {
    return this.#cancellation.signal
  }
}
