// The handler runner: how the server author's code runs, the same for a tool, a prompt's `get`,
// a resource's `read` and a completer. It owns what they share:
//
// - the deadline (TOOL_TIMEOUT_MS, R-JR-22) and cancellation (R-JR-20, R-JR-21: no response);
// - asking the client (elicitation, sampling, roots), one `ask()` for every era: in 2026-07-28 an
//   `input_required` round (MRTR, src/protocol/mrtr.ts); in a legacy session a request on the
//   call's stream, answered by a later POST (R-HT-20); elsewhere a failure saying why;
// - URL elicitation (`UrlElicitationRequired`): -32042, an MRTR round, or words (R-SF-42);
// - failures: a JSON-RPC error passes through; anything else becomes a `Failure` that the
//   caller turns into its own shape (a tool error result, or -32603 naming the method).
//
//   runHandler(ctx, { method: 'prompts/get', target: 'code_review', args, params, asks: true,
//     label: 'prompts/get', fail: failAsError('prompts/get') },
//     (context) => prompt.get(args, context))

import type { Env } from '../settings/env.ts'
import { ErrorCode, internalError, JsonRpcError } from '../jsonrpc/errors.ts'
import type { Params } from '../jsonrpc/message.ts'
import type { RequestContext } from './context.ts'
import {
  describeUrlElicitations,
  UrlElicitationRequired,
  urlElicitationRequired,
} from './elicitation.ts'
import { Cancelled, HandlerError } from './errors.ts'
import { allows, InputRequired, inputs, type InputRequest, type Inputs } from './mrtr.ts'
import { deadline } from './timeout.ts'
import { withSignal } from './with-signal.ts'

/** What the author's code gets besides its arguments. */
export interface HandlerContext {
  /** The Worker's bindings and settings, as wrangler passes them. */
  env: Env
  /** Aborts on timeout or cancellation; pass it to fetch() and check it in loops. */
  readonly signal: AbortSignal
  /**
   * Asks the client (elicitation, sampling, roots) and returns its answer. In 2026-07-28 this
   * ends the run with an `input_required` result and the client's retry runs the code again
   * from the top, where `ask` then returns the answer: so ask first, act after, and never catch
   * around `ask`. Without a way to reach the client it fails with a message saying why.
   * `key` names the question in 2026-07-28's `inputRequests` (default `q0`, `q1`, ...).
   */
  ask(request: InputRequest, key?: string): Promise<Record<string, unknown>>
  /**
   * Asks several questions at once (one MRTR round in 2026-07-28; one after another in a legacy
   * session) and returns the answers by key.
   */
  askAll<K extends string>(
    requests: Record<K, InputRequest>,
  ): Promise<Record<K, Record<string, unknown>>>
  /** Whether `ask` can reach the client with this request (it declared the capability). */
  canAsk(request: InputRequest): boolean
}

/** Why the author's code did not produce a result, for the caller to shape. */
export type Failure =
  /** TOOL_TIMEOUT_MS passed. */
  | { kind: 'timeout'; ms: number }
  /** A `HandlerError` (`ToolError`): its message is for the client. */
  | { kind: 'refused'; message: string }
  /** The user must visit URLs and this client cannot be told by the protocol: in words. */
  | { kind: 'url'; message: string }
  /** Anything else: our bug or the author's, logged here; the client gets no details. */
  | { kind: 'internal' }

/** One run: which request it answers, and how its failures come out. */
export interface Running {
  method: 'tools/call' | 'prompts/get' | 'resources/read' | 'completion/complete'
  /** The tool or prompt name, or the resource URI. */
  target: string
  /** The arguments an MRTR `requestState` is bound to. */
  args: unknown
  params: Params | undefined
  /** Whether the code may ask the client (R-SF-43: tools/call, prompts/get, resources/read). */
  asks: boolean
  /** Words for "this code" in failures: "This tool", "prompts/get". */
  label: string
  fail(failure: Failure): Record<string, unknown>
}

/** Runs `work` for `running` under the request's deadline, asking and failing as above. */
export const runHandler = async (
  ctx: RequestContext,
  running: Running,
  work: (context: HandlerContext) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> => {
  // 2026-07-28: questions to the client travel as MRTR rounds (src/protocol/mrtr.ts).
  const given =
    running.asks && ctx.rules.mrtr
      ? inputs(running.params, running.method, running.target, running.args, ctx)
      : null
  const asking = given instanceof Promise ? await given : given
  const limit = deadline(ctx, ctx.config.TOOL_TIMEOUT_MS)
  const context = handlerContext(ctx, running, asking, limit)
  try {
    return await limit.race(work(context))
  } catch (error) {
    if (ctx.signal.aborted) throw new Cancelled()
    if (error instanceof InputRequired && asking !== null) return asking.required(error)
    if (error instanceof UrlElicitationRequired) {
      // R-SF-42, R-JR-14: -32042 (2025-11-25), an MRTR round (2026-07-28), else in words.
      const answer = await urlElicitationRequired(error, ctx, asking)
      return answer ?? running.fail({ kind: 'url', message: describeUrlElicitations(error) })
    }
    if (error instanceof JsonRpcError) throw error
    if (limit.expired) return running.fail({ kind: 'timeout', ms: ctx.config.TOOL_TIMEOUT_MS })
    if (error instanceof HandlerError) {
      return running.fail({ kind: 'refused', message: error.message })
    }
    // Details go to the server log only; the client gets a safe, generic message.
    console.error(`${running.method} ${running.target} failed`, error)
    return running.fail({ kind: 'internal' })
  }
}

const handlerContext = (
  ctx: RequestContext,
  running: Running,
  asking: Inputs | null,
  limit: { readonly signal: AbortSignal },
): HandlerContext => {
  const context: HandlerContext = withSignal<HandlerContext>(
    {
      env: ctx.env,
      async ask(request, key) {
        if (asking !== null) return asking.ask(request, key)
        if (ctx.session !== null) {
          // R-SF-41: never use a capability the client did not declare at initialize.
          if (!context.canAsk(request)) {
            throw new HandlerError(
              `The client did not declare the capability ${request.method} needs`,
            )
          }
          return ctx.session.request(request.method, request.params ?? {}, ctx.send, limit.signal)
        }
        // Legacy without a session: there is no stream to send a server-to-client request on.
        throw new HandlerError(
          `${running.label} needs input from the client (${request.method}), which this ` +
            'connection cannot carry: use protocol 2026-07-28, or keep the session initialize offered',
        )
      },
      async askAll<K extends string>(requests: Record<K, InputRequest>) {
        type Answers = Record<K, Record<string, unknown>>
        if (asking !== null) return (await asking.askAll(requests)) as Answers
        const answers: Record<string, Record<string, unknown>> = {}
        // A legacy session: the questions go out one after another on the call's stream.
        for (const [key, request] of Object.entries<InputRequest>(requests)) {
          answers[key] = await context.ask(request)
        }
        return answers as Answers
      },
      canAsk: (request: InputRequest) =>
        (asking !== null || ctx.session !== null) &&
        ctx.clientCapabilities !== null &&
        allows(ctx.clientCapabilities, request),
    },
    limit,
  )
  return context
}

/**
 * How `prompts/get`, `resources/read` and `completion/complete` fail: -32603 naming the method
 * (unlike tools, they have no error result a model could read).
 */
export const failAsError =
  (method: Running['method']) =>
  (failure: Failure): never => {
    const error = (message: string) => new JsonRpcError({ code: ErrorCode.InternalError, message })
    switch (failure.kind) {
      case 'timeout':
        throw error(`${method} timed out after ${failure.ms} ms`)
      case 'refused':
        throw error(failure.message)
      case 'url':
        throw error(
          `${method} needs the user to visit a URL, and this client did not declare URL elicitation: ${failure.message}`,
        )
      case 'internal':
        throw new JsonRpcError(internalError())
    }
  }
