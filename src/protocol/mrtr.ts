// Multi round-trip requests (MRTR, 2026-07-28): how a tool asks the client for input without a
// session. The server answers with `resultType: "input_required"`, the questions, and an opaque
// `requestState`; the client retries the same call with `inputResponses` and that state:
//
//   <- {"resultType":"input_required","inputRequests":{"q0":{"method":"elicitation/create",
//       "params":{...}}},"requestState":"v1.eyJ...sig"}
//   -> {"method":"tools/call","params":{"name":"greet","arguments":{},
//       "inputResponses":{"q0":{"action":"accept","content":{"name":"Ada"}}},
//       "requestState":"v1.eyJ...sig","_meta":{...}}}
//
// Handlers are re-run from the top on each retry: `ask()` returns answers already given (kept in
// the signed state) and stops the run at the first question still open. `askAll()` asks several
// questions in one round. A question's key is the handler's (`ask(request, 'user_name')`) or
// `q0`, `q1`, ... in the order asked.
//
// The questions of the first round are known before any state exists, so a call that carries
// no `requestState` may already answer them in `inputResponses` (SEP-2322: a server SHOULD use
// what it recognises and ignore the rest); every later answer must come with the state.
//
// `requestState` is attacker-controlled input (R-SF-45): it is HMAC-SHA256 signed with a key
// every isolate shares (`ctx.stateKey`: MRTR_SECRET, else derived from the server's master
// secret), so a retry may land anywhere; it expires, and it is bound to the caller (the token's
// subject), the method, the tool and a digest of its arguments, so it cannot be replayed by
// someone else, on another call, or altered.
//
// https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr

import * as v from 'valibot'
import { ErrorCode, invalidParams, JsonRpcError } from '../jsonrpc/errors.ts'
import { ObjectSchema, type Params } from '../jsonrpc/message.ts'
import type { RequestContext } from './context.ts'

/** A question for the client (R-SF-44): elicitation, sampling or roots. */
export type InputRequest =
  | { method: 'elicitation/create'; params: Record<string, unknown> }
  | { method: 'sampling/createMessage'; params: Record<string, unknown> }
  | { method: 'roots/list'; params?: Record<string, unknown> }

/** Thrown by `ask()` to stop the run until the client has answered these questions. */
export class InputRequired extends Error {
  readonly requests: Readonly<Record<string, InputRequest>>
  constructor(requests: Record<string, InputRequest>) {
    super(`input required: ${Object.keys(requests).join(', ')}`)
    this.requests = requests
  }
}

/** An `inputRequests` key: 1 to 64 of `A-Z a-z 0-9 _ - .`. */
const INPUT_KEY = /^[A-Za-z0-9_.-]{1,64}$/

/** The client capability an input request needs, shaped as `requiredCapabilities` (R-LC-25). */
export const requiredCapability = (request: InputRequest): Record<string, unknown> => {
  if (request.method === 'sampling/createMessage') return { sampling: {} }
  if (request.method === 'roots/list') return { roots: {} }
  return request.params.mode === 'url' ? { elicitation: { url: {} } } : { elicitation: {} }
}

/** Whether `capabilities` (declared on this request) allow `request` (R-SF-44, R-SF-41). */
export const allows = (capabilities: Record<string, unknown>, request: InputRequest): boolean => {
  const [name] = Object.keys(requiredCapability(request))
  const declared = capabilities[name ?? '']
  if (typeof declared !== 'object' || declared === null) return false
  if (request.method !== 'elicitation/create') return true
  // 2025-11-25+: `elicitation: {}` means form only; otherwise the mode must be listed.
  const modes = Object.keys(declared)
  const mode = request.params.mode === 'url' ? 'url' : 'form'
  return modes.length === 0 ? mode === 'form' : modes.includes(mode)
}

/**
 * R-SF-46: a 2026-07-28 URL elicitation has no `elicitationId` (correlation is `requestState`'s
 * job), so a question written for both eras loses it here.
 */
export const forModern = (request: InputRequest): InputRequest => {
  if (request.method !== 'elicitation/create' || request.params.mode !== 'url') return request
  if (!('elicitationId' in request.params)) return request
  const { elicitationId: _, ...params } = request.params
  return { method: 'elicitation/create', params }
}

const StateSchema = v.object({
  v: v.literal(1),
  /** the caller it was issued to (the token's subject; null without auth) */
  c: v.nullable(v.string()),
  /** method, tool (or prompt, resource) name, digest of the arguments */
  m: v.string(),
  t: v.string(),
  h: v.string(),
  /** expiry, epoch ms */
  e: v.number(),
  /** answers given so far, and the keys asked in the last round */
  a: v.record(v.string(), ObjectSchema),
  p: v.array(v.string()),
})
type RequestState = v.InferOutput<typeof StateSchema>

const InputParamsSchema = v.looseObject({
  requestState: v.optional(v.string('must be a string')),
  inputResponses: v.optional(v.record(v.string(), ObjectSchema, 'must be an object of results')),
})

const encoder = new TextEncoder()
const b64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const unb64url = (text: string): Uint8Array =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))

/** JSON with sorted keys, so a digest does not depend on how the client ordered them. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map(
            (key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`,
          )
          .join(',')}}`
      : JSON.stringify(value)

const digest = async (value: unknown): Promise<string> =>
  b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(canonical(value)))))

const seal = async (state: RequestState, key: CryptoKey): Promise<string> => {
  const body = b64url(encoder.encode(JSON.stringify(state)))
  const signature = await crypto.subtle.sign('HMAC', key, encoder.encode(body))
  return `v1.${body}.${b64url(new Uint8Array(signature))}`
}

const stateError = (message: string) => new JsonRpcError(invalidParams(`requestState ${message}`))

const open = async (token: string, key: CryptoKey): Promise<RequestState> => {
  const [version, body, signature, extra] = token.split('.')
  if (version !== 'v1' || body === undefined || signature === undefined || extra !== undefined) {
    throw stateError('is not one we issued')
  }
  let valid = false
  try {
    valid = await crypto.subtle.verify('HMAC', key, unb64url(signature), encoder.encode(body))
  } catch {
    valid = false
  }
  if (!valid) throw stateError('failed verification')
  const parsed = v.safeParse(StateSchema, JSON.parse(new TextDecoder().decode(unb64url(body))))
  if (!parsed.success) throw stateError('is not one we issued')
  if (parsed.output.e < Date.now()) throw stateError('has expired; call again without it')
  return parsed.output
}

/** What a handler that may ask questions works with during one round. */
export interface Inputs {
  /** Several questions at once, by key; resolves when all are answered. */
  askAll(requests: Record<string, InputRequest>): Promise<Record<string, Record<string, unknown>>>
  /** One question; its key defaults to `q<n>`, n counting the questions asked so far. */
  ask(request: InputRequest, key?: string): Promise<Record<string, unknown>>
  /** The `input_required` result for the questions still open. */
  required(open: InputRequired): Promise<Record<string, unknown>>
}

/**
 * Reads this round's `requestState` and `inputResponses` for the call to `target` (a tool name)
 * with `args`, and returns the `ask` the handler uses. Tampered, expired or foreign state is
 * -32602; answers to questions we did not ask are ignored (R-SF-45).
 */
export const inputs = (
  params: Params | undefined,
  method: string,
  target: string,
  args: unknown,
  ctx: RequestContext,
): Inputs | Promise<Inputs> => {
  // Most calls carry neither member: nothing to check, nothing to wait for.
  if (params?.requestState === undefined && params?.inputResponses === undefined) {
    return rounds({}, null, { method, target, args, ctx })
  }
  return sentBack(params, { method, target, args, ctx })
}

/** The call a round belongs to. */
interface Round {
  method: string
  target: string
  args: unknown
  ctx: RequestContext
}

/** Checks what the client sent back (`requestState`, `inputResponses`) and reads its answers. */
const sentBack = async (params: Params, round: Round): Promise<Inputs> => {
  const { method, target, args, ctx } = round
  const given = v.safeParse(InputParamsSchema, params)
  if (!given.success)
    throw new JsonRpcError(
      invalidParams(`${method}: inputResponses must map keys to result objects`),
    )
  const answers: Record<string, Record<string, unknown>> = {}
  const { requestState, inputResponses } = given.output
  if (requestState === undefined) {
    // Without state, inputResponses may answer the first round's questions only (see the top).
    return rounds(answers, inputResponses ?? null, round)
  }
  const state = await open(requestState, await ctx.stateKey())
  const caller = ctx.auth?.subject ?? null
  const hashed = digest(args)
  if (
    state.c !== caller ||
    state.m !== method ||
    state.t !== target ||
    state.h !== (await hashed)
  ) {
    throw stateError('belongs to a different request')
  }
  Object.assign(answers, state.a)
  for (const key of state.p) {
    const answer = inputResponses?.[key]
    if (answer !== undefined) answers[key] = answer
  }
  return rounds(answers, null, round, hashed)
}

/** The handler's `ask` for this round, given the answers it already has. */
const rounds = (
  answers: Record<string, Record<string, unknown>>,
  firstRound: Record<string, Record<string, unknown>> | null,
  { method, target, args, ctx }: Round,
  hashed?: Promise<string>,
): Inputs => {
  // The arguments' hash binds a state to its call; computed only when a state is checked or
  // issued, not on every call that asks nothing.
  const hash = () => (hashed ??= digest(args))
  let used: Set<string> | null = null // made on the first question (most calls ask none)
  let asked = 0
  const askAll: Inputs['askAll'] = async (requests) => {
    const open: Record<string, InputRequest> = {}
    const result: Record<string, Record<string, unknown>> = {}
    for (const [key, request] of Object.entries(requests)) {
      used ??= new Set()
      if (!INPUT_KEY.test(key) || used.has(key)) {
        throw new Error(`${method} ${target}: input key "${key}" is invalid or used twice`)
      }
      used.add(key)
      const answer = answers[key] ?? firstRound?.[key]
      if (answer !== undefined) {
        answers[key] = answer
        result[key] = answer
        continue
      }
      // R-LC-25, R-SF-44: never ask for what this request did not declare it can answer.
      if (ctx.clientCapabilities === null || !allows(ctx.clientCapabilities, request)) {
        throw new JsonRpcError({
          code: ErrorCode.MissingRequiredClientCapability,
          message: `This request needs the client capability for ${request.method}`,
          data: { requiredCapabilities: requiredCapability(request) },
        })
      }
      open[key] = forModern(request)
    }
    firstRound = null
    if (Object.keys(open).length > 0) throw new InputRequired(open)
    return result
  }
  return {
    askAll,
    ask: async (request, key = `q${asked}`) => {
      asked += 1
      const answered = await askAll({ [key]: request })
      return answered[key]!
    },
    required: async (pending) => ({
      resultType: 'input_required',
      inputRequests: pending.requests,
      requestState: await seal(
        {
          v: 1,
          c: ctx.auth?.subject ?? null,
          m: method,
          t: target,
          h: await hash(),
          e: Date.now() + ctx.config.REQUEST_STATE_TTL_MS,
          a: answers,
          p: Object.keys(pending.requests),
        },
        await ctx.stateKey(),
      ),
    }),
  }
}
