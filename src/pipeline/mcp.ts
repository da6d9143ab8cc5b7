// The request pipeline of the MCP endpoints: every request to /mcp (and its tool profiles),
// /sse and /messages goes through the same stages, each a small function, in this order:
//
//   1. Origin: a present Origin we do not trust is 403 (R-HT-2); a preflight is answered.
//   2. Auth (AUTH=true): the caller's token -> principal, or its 401/400 (R-AU-1, R-AU-2).
//   3. Intake (POST): media types, body size, UTF-8, JSON -> messages; read once, here.
//   4. Era (POST /mcp): legacy or 2026-07-28, and the revision, decided once (src/protocol/era.ts).
//   5. Limits: MCP requests per caller (MCP_RATE_LIMIT, before intake); tool calls per caller
//      (TOOL_CALL_RATE_LIMIT, R-SF-10); then scopes: a tool call the token lacks scopes for is
//      403 before anything runs (R-AU-14).
//   6. Where it runs: a request of a legacy session goes to the session's shard as one envelope
//      (src/pipeline/sessions.ts); every other request runs here, in the Worker, on the
//      transport of its era (src/transports/).
//
// CORS headers go on every answer to a trusted browser origin.

import { cut } from '../jsonrpc/issues.ts'
import type { ServerFeatures } from '../catalog/catalog.ts'
import { visibleTo } from '../catalog/visibility.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import {
  authenticate,
  authMisconfigured,
  hasAuthStore,
  scopeRefusal,
  supportedScopes,
} from '../auth/resource-server.ts'
import {
  callerKey,
  limitMcpRequest,
  limitToolCall,
  tooManyRpcRequests,
} from '../http/rate-limit.ts'
import { invalidRequest } from '../jsonrpc/errors.ts'
import { checkOrigin, preflightHeaders, withCors } from '../http/cors.ts'
import { acceptable } from '../http/media-type.ts'
import { methodNotAllowed, notFound, rpcError } from '../http/responses.ts'
import { chooseEra, eraOfHeader, type EraOf } from '../protocol/era.ts'
import type { RequestId } from '../jsonrpc/message.ts'
import type { Principal } from '../protocol/principal.ts'
import type { Host } from '../transports/context.ts'
import type { Envelope, Route } from '../transports/envelope.ts'
import { intake, singleIdOf, type Intake, type Taken } from '../transports/intake.ts'
import { endpointFor } from '../transports/legacy-sse.ts'
import { postLegacy, postModern } from '../transports/streamable-http.ts'
import { audit } from '../observe/audit.ts'
import { clientOf, takeSessionNote } from '../observe/client.ts'
import { tap, type Tapped } from '../observe/tap.ts'
import { observersFor } from './observers.ts'
import { stateKeyOf } from './state-key.ts'
import { connectionId, forward, mintLegacyId, opener, sessionsEnabled } from './sessions.ts'
import { eraRefusal, strictFacts, strictRefusal, withWarnings } from './strict.ts'
import { requestFindings } from '../strict/request.ts'
import type { StrictFacts } from '../strict/session.ts'

/** Keeps the Worker running for work that outlives the response (ExecutionContext). */
export type WaitUntil = (work: Promise<unknown>) => void

/** Which MCP endpoint a request is for. */
export type Endpoint = 'mcp' | 'sse' | 'messages'

/** R-HT-10, R-HT-15: without a session there is no GET stream and nothing to DELETE. */
const ALLOW = 'POST, OPTIONS'

/** Serves one request to an MCP endpoint with `features` (`catalog`: its id, for the shard). */
export const serveMcp = (
  endpoint: Endpoint,
  request: Request,
  url: URL,
  config: Config,
  features: ServerFeatures,
  env: Env,
  catalog: string | null,
  waitUntil: WaitUntil,
): Promise<Response> => {
  // The tap: what observers (logs, metrics, the wire view) see of this exchange; null, at no
  // cost, when nobody observes.
  const tapped = tap(request, url, endpoint, observersFor(env, config), waitUntil)
  // Plain functions that hand on a promise, where nothing waits: each async layer costs every
  // request an allocation (\`npm run bench\`).
  const answer = screened({
    endpoint,
    request,
    url,
    config,
    features,
    env,
    catalog,
    waitUntil,
    tapped,
  })
  return tapped === null ? answer : answer.then((response) => tapped.finish(response))
}

/** A request to an MCP endpoint as it arrives, before origin and auth have had their say. */
interface Arrival {
  endpoint: Endpoint
  request: Request
  url: URL
  config: Config
  features: ServerFeatures
  env: Env
  /** The catalog's id, for the shard. */
  catalog: string | null
  waitUntil: WaitUntil
  /** The exchange observers see, filled in stage by stage; null when nobody observes. */
  tapped: Tapped | null
}

/** 1. R-HT-2: a present Origin we do not trust is refused with 403 before anything else. */
const screened = (arrival: Arrival): Promise<Response> => {
  const { request, config } = arrival
  const origin = checkOrigin(request, config)
  if (!origin.ok)
    return Promise.resolve(
      rpcError(403, invalidRequest(`Origin ${cut(origin.origin)} is not allowed`)),
    )
  if (request.method === 'OPTIONS') {
    const headers =
      origin.origin === null
        ? new Headers({ Allow: ALLOW })
        : preflightHeaders(request, origin.origin)
    return Promise.resolve(new Response(null, { status: 204, headers }))
  }
  const answer = authenticated(arrival)
  // CORS headers for a trusted browser origin; without an Origin there is nothing to add.
  const trusted = origin.origin
  if (trusted === null) return answer
  return answer.then((response) => {
    withCors(response.headers, trusted)
    return response
  })
}

/**
 * 2. R-AU-1, R-AU-2: with AUTH=true every request carries a token, sessions included; 5. the
 * caller's MCP requests are counted before any body is read.
 */
const authenticated = (arrival: Arrival): Promise<Response> => {
  const { request, config } = arrival
  if (!config.AUTH && !config.RATE_LIMITS) return admitted(arrival, null, callerKey(request, null))
  return guarded(arrival)
}

const guarded = async (arrival: Arrival): Promise<Response> => {
  const { request, config, features, env } = arrival
  let principal: Principal | null = null
  if (config.AUTH) {
    if (!hasAuthStore(env)) return authMisconfigured()
    const guarded = await authenticate(
      request,
      env,
      config,
      supportedScopes(config, features.tools),
    )
    if (!guarded.ok) return guarded.response
    principal = guarded.principal
  }
  const caller = callerKey(request, principal)
  if (config.RATE_LIMITS && caller !== null) {
    const limited = await limitMcpRequest(env, config.RATE_LIMITS, request, principal)
    if (!limited.ok) {
      audit(env, request, rateRefusal('MCP_RATE_LIMIT', principal))
      return tooManyRpcRequests(limited.retryAfter)
    }
  }
  return admitted(arrival, principal, caller)
}

/** A request past origin, auth and the request limit, to its endpoint. */
const admitted = (
  arrival: Arrival,
  principal: Principal | null,
  caller: string | null,
): Promise<Response> => {
  const { endpoint, request, url, config, features, env, catalog, waitUntil, tapped } = arrival
  const path = url.pathname
  if (tapped !== null) Object.assign(tapped.exchange, { principal, caller })
  const call: Call = {
    request,
    url,
    env,
    waitUntil,
    tapped,
    features,
    host: hostFor(config, env, features, principal),
    route: { path, catalog, principal, caller },
    strict: strictFacts(request, path, config),
  }
  if (endpoint === 'mcp') return mcp(call)
  if (!call.host.sessions) return Promise.resolve(notFound(path, config.MCP_PATH))
  return endpoint === 'sse' ? sse(call) : messages(call)
}

/** Where a request runs in the Worker: the same for every request without a principal (made
 *  once per settings and catalog), its own for a caller AUTH=true proved. */
const hostFor = (
  config: Config,
  env: Env,
  features: ServerFeatures,
  principal: Principal | null,
): Host => {
  const make = (): Host => ({
    config,
    env,
    features: visibleTo(features, principal, config),
    principal,
    sessions: sessionsEnabled(env, config),
    stateKey: stateKeyOf(env, config),
  })
  if (principal !== null) return make()
  let byCatalog = anonymousHosts.get(config)
  if (byCatalog === undefined) anonymousHosts.set(config, (byCatalog = new WeakMap()))
  let host = byCatalog.get(features)
  if (host === undefined) byCatalog.set(features, (host = make()))
  return host
}

/** Settings -> catalog -> host, for requests without a principal (settings are one per env). */
const anonymousHosts = new WeakMap<Config, WeakMap<ServerFeatures, Host>>()

/** One request past origin and auth. */
interface Call {
  request: Request
  url: URL
  env: Env
  waitUntil: WaitUntil
  /** The exchange observers see, filled in stage by stage; null when nobody observes. */
  tapped: Tapped | null
  /** The endpoint's whole catalog (what the caller may see of it is `host.features`). */
  features: ServerFeatures
  host: Host
  route: Route
  /** Strict mode's facts of this request (null: lenient, the default): src/pipeline/strict.ts. */
  strict: StrictFacts | null
}

/** /mcp: POST for every message; GET and DELETE for a session's stream and end. */
const mcp = (call: Call): Promise<Response> => {
  const { request, host } = call
  if (request.method === 'POST') return postMcp(call)
  const session = request.headers.get('mcp-session-id')
  // R-HT-40: a 2026-07-28 request never belongs to a session, whatever headers it carries.
  const sessionful =
    host.sessions &&
    session !== null &&
    eraOfHeader(request.headers.get('mcp-protocol-version')) !== 'modern'
  if (sessionful && request.method === 'GET') {
    if (!acceptable(request.headers.get('accept')).sse) {
      return Promise.resolve(rpcError(406, invalidRequest('GET needs Accept: text/event-stream')))
    }
    const lastEventId = request.headers.get('last-event-id')
    const connection = connectionId()
    return send(call, { op: 'get', session, route: call.route, lastEventId, connection })
  }
  if (sessionful && request.method === 'DELETE') {
    return send(call, { op: 'delete', session, route: call.route })
  }
  return Promise.resolve(methodNotAllowed(ALLOW))
}

/** 3-6 for POST /mcp. */
const postMcp = async (call: Call): Promise<Response> => {
  const { request, host } = call
  const taken = await taking(call)
  if (!taken.ok) return taken.response
  const era = chooseEra(request.headers, taken.intake.messages, taken.intake.batch)
  if (!era.ok) return eraRefusal(era, call.strict !== null)
  if (call.tapped !== null) call.tapped.exchange.era = { era: era.era, revision: era.revision }
  // R-HT-40: a 2026-07-28 request never belongs to a session, whatever headers it carries.
  const session = era.era === 'legacy' ? request.headers.get('mcp-session-id') : null
  const sessionful = host.sessions && session !== null
  // Strict mode (src/pipeline/strict.ts): what the client MUST NOT send is refused here.
  const findings = strictFindings(call, 'mcp', taken.intake, era, sessionful)
  const strictly = strictRefusal(findings, singleIdOf(taken.intake))
  if (strictly !== null) return strictly
  const gated = gates(call, taken.intake)
  const refused = gated instanceof Promise ? await gated : gated
  if (refused !== null) return refused
  const answer = postEra(call, taken.intake, era, session)
  return findings.length === 0 ? answer : withWarnings(await answer, findings)
}

/** 6 for POST /mcp, once the era is known. */
const postEra = (
  call: Call,
  intake: Intake,
  era: EraOf,
  session: string | null,
): Response | Promise<Response> => {
  const { request, host } = call
  if (era.era === 'modern') {
    return postModern(intake, era, host, { http: request, caller: call.route.caller })
  }
  if (host.sessions && session !== null) {
    return send(call, { op: 'post', session, route: call.route, intake, era })
  }
  return postLegacy(
    intake,
    era,
    host,
    null,
    host.sessions ? opener(call.env, host.config, call.route.caller) : null,
  )
}

/** GET /sse (2024-11-05): a new session, born in its shard with its stream. */
const sse = async (call: Call): Promise<Response> => {
  if (call.request.method !== 'GET') return methodNotAllowed('GET, OPTIONS')
  const session = mintLegacyId(call.host.config, call.route.caller)
  const endpoint = endpointFor(call.route.path, session)
  const connection = connectionId()
  return send(call, { op: 'sse-open', session, route: call.route, endpoint, connection })
}

/** POST /messages?sessionId=... (2024-11-05): one message for the session's shard. */
const messages = async (call: Call): Promise<Response> => {
  const { request, host } = call
  if (request.method !== 'POST') return methodNotAllowed('POST, OPTIONS')
  const session = call.url.searchParams.get('sessionId')
  if (session === null)
    return rpcError(400, invalidRequest('The sessionId query parameter is required'))
  const taken = await taking(call)
  if (!taken.ok) return taken.response
  const findings = strictFindings(call, 'messages', taken.intake, null, true)
  const strictly = strictRefusal(findings, singleIdOf(taken.intake))
  if (strictly !== null) return strictly
  const refused = await gates(call, taken.intake)
  if (refused !== null) return refused
  const envelope = { op: 'sse-message', session, route: call.route, intake: taken.intake } as const
  return withWarnings(await send(call, envelope), findings)
}

/** What strict mode finds wrong with a POST's messages (nothing when lenient). */
const strictFindings = (
  call: Call,
  endpoint: 'mcp' | 'messages',
  intake: Intake,
  era: EraOf | null,
  sessionful: boolean,
) =>
  call.strict === null
    ? []
    : requestFindings({ endpoint, headers: call.request.headers, ...intake, era, sessionful })

/** 3. Intake, noted for the tap. */
const taking = (call: Call): Promise<Taken> => {
  const taking = intake(call.request, call.host.config)
  const { tapped } = call
  if (tapped === null) return taking
  return taking.then((taken) => {
    if (taken.text === null) return taken
    tapped.body(taken.text)
    if (taken.ok) {
      tapped.exchange.messages = taken.intake.messages
      tapped.exchange.client = clientOf(taken.intake.messages)
    }
    return taken
  })
}

/** 6. A session's request goes to its shard, with strict mode's facts when strict; when the
 *  exchange is observed, the shard's note on the session goes to the tap. */
const send = async (call: Call, envelope: Envelope): Promise<Response> => {
  const { tapped, strict } = call
  const sent: Envelope = { ...envelope }
  if (strict !== null) sent.strict = strict
  if (tapped !== null) sent.observed = true
  const response = await forward(call.env, call.host.config, sent, call.waitUntil)
  return tapped === null ? response : takeSessionNote(response, tapped)
}

/** The audit event of a rate-limit refusal. */
const rateRefusal = (limiter: string, principal: Principal | null) =>
  ({
    name: 'rate_limit.refused',
    outcome: 'failure',
    subject: principal?.subject,
    client: principal?.clientId,
    limiter,
    status: 429,
  }) as const

/**
 * 5. R-SF-10: each tool call counts against the caller's TOOL_CALL_RATE_LIMIT (429 naming the
 * first call over it); R-AU-14: a tool call the token lacks scopes for is 403 before anything
 * runs.
 */
const gates = (call: Call, input: Intake): Response | null | Promise<Response | null> => {
  const { request, host, route } = call
  const scopes = () =>
    scopeRefusal(request, call.env, host.config, call.features, route.principal, input.messages)
  if (!host.config.RATE_LIMITS || route.caller === null) return scopes()
  return (async () => {
    for (const message of input.messages) {
      if (!message.ok || message.value.kind !== 'request') continue
      if (message.value.message.method !== 'tools/call') continue
      const limited = await limitToolCall(call.env, true, request, route.principal)
      if (!limited.ok) {
        audit(call.env, request, rateRefusal('TOOL_CALL_RATE_LIMIT', route.principal))
        return tooManyRpcRequests(limited.retryAfter, message.value.message.id)
      }
    }
    return scopes()
  })()
}
