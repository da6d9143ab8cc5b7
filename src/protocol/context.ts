// What every method handler gets besides its params: the revision the request speaks and what
// it allows, the settings, a cancellation signal, what the client declared, who is calling, and a
// way to send notifications that belong to this request (progress, log messages) on the
// request's response stream. Features add what they serve: a tool handler's context also has
// `tools` (src/tools/call.ts), and so on; the transport builds one context with all of them
// (src/transports/context.ts).

import type { Config, LoggingLevel } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import type { Outbound } from '../jsonrpc/message.ts'
import type { Principal } from './principal.ts'
import type { Revision, RevisionRules } from './revisions.ts'
import type { Waiting } from './timeout.ts'

export interface RequestContext {
  /** The revision this request is answered in. */
  revision: Revision
  /** What that revision allows (src/protocol/revisions.ts). */
  rules: RevisionRules
  config: Config
  /** The Worker's bindings (for tools that use a Durable Object, KV, ...). */
  env: Env
  /** Aborts when the call must stop (2026-07-28: the client closed the response stream). */
  signal: AbortSignal
  /**
   * What to set up only once the request is seen to wait for I/O (deadline timers): most
   * requests finish first and never pay for it (src/protocol/timeout.ts).
   */
  waiting: Waiting
  /**
   * Sends a message related to this request on its response stream (a notification, or in a
   * legacy session a request to the client). Returns false when it cannot reach the client
   * (it accepts only `application/json`).
   */
  send(message: Outbound): boolean
  /**
   * Closes the response stream without ending the request, for the client to resume with GET
   * and `Last-Event-ID` (2025-11-25 SSE polling); false where it could not resume.
   */
  closeStream(): Promise<boolean>
  /** Lowest level of `notifications/message` this request gets; null: none at all. */
  logLevel: LoggingLevel | null
  /**
   * The client's capabilities: declared on this very request (2026-07-28), or at `initialize`
   * (legacy sessions); null when not known (legacy without a session).
   */
  clientCapabilities: Record<string, unknown> | null
  /** The server's capabilities as declared to this request (R-LC-7): what it has and offers. */
  capabilities: Record<string, unknown>
  /** The legacy session this request belongs to, if any. */
  session: SessionHandle | null
  /** Who is calling (AUTH=true: proven by the request's token); null when auth is off. */
  auth: Principal | null
  /**
   * The HMAC key of MRTR `requestState` (R-SF-45), the same in every isolate, so a retry can
   * land on any of them (src/protocol/mrtr.ts).
   */
  stateKey(): Promise<CryptoKey>
}

/** What a handler may do with the session a legacy request belongs to. */
export interface SessionHandle {
  readonly id: string
  /** `logging/setLevel`: remembered for the session's later requests (R-SF-31). */
  setLogLevel(level: LoggingLevel): void
  /**
   * `resources/subscribe`: remembers `uri` and, with `watch` (a resource that can change),
   * watches it, sending `notifications/resources/updated` on the session's stream (R-SF-24).
   */
  subscribe(uri: string, watch: Watch | undefined): void
  /** `resources/unsubscribe`: forgets `uri` and stops watching it. */
  unsubscribe(uri: string): void
  /**
   * Sends a server-to-client request (sampling, elicitation, roots) on `send`'s stream and
   * resolves with the client's result, which arrives as a later POST (R-HT-20). Fails with a
   * `HandlerError` when the client refuses, does not answer in time, or cannot be reached.
   */
  request(
    method: string,
    params: Record<string, unknown>,
    send: (message: Outbound) => boolean,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>
  /**
   * Remembers a URL elicitation this session's client was sent (an `elicitation/create` or a
   * -32042), so its completion can go to this client and no other (R-SF-42).
   */
  issueElicitation(elicitationId: string): void
  /**
   * `notifications/elicitation/complete` for an elicitation this session issued, once: on
   * `send`'s stream (the call's) when given and open, else on the session's GET stream. False
   * when the id is not one this session's client was sent, or no stream could take it.
   */
  completeElicitation(elicitationId: string, send?: (message: Outbound) => boolean): boolean
}

/** Watches something that can change, calling `changed` on each change until `signal` aborts. */
export type Watch = (changed: () => void, signal: AbortSignal) => void
