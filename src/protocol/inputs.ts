// Asking the client for input from `prompts/get` and `resources/read`: with `tools/call`, the only
// methods that may (R-SF-43). A prompt's `get` or a resource's `read` calls `ctx.ask(...)`:
//
// - in 2026-07-28 the question becomes an `input_required` result, and the client's retry runs
//   the handler again from the top, where `ask` returns the answer (MRTR, src/protocol/mrtr.ts);
// - in the initialize era it is a server-to-client request on the call's stream, answered by a
//   later POST in the same session; a stateless request has no such stream, so it fails with
//   -32603 saying why.
//
// https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr#supported-requests

import type { Env } from '../settings/env.ts'
import { ErrorCode, JsonRpcError } from '../jsonrpc/errors.ts'
import type { Params } from '../jsonrpc/message.ts'
import { Cancelled, type RequestContext } from './context.ts'
import { ToolError } from '../tools/define.ts'
import {
  describeUrlElicitations,
  UrlElicitationRequired,
  urlElicitationRequired,
} from './elicitation.ts'
import { allows, InputRequired, inputs, type InputRequest } from './mrtr.ts'
import { rules } from './revisions.ts'
import { deadline, timedOut } from './timeout.ts'

/** What a prompt's `get` and a resource's `read` get besides their arguments. */
export interface AskingContext {
  /** The Worker's bindings and settings, as wrangler passes them. */
  env: Env
  /** Aborts when the request is cancelled (2026-07-28: the client closed the stream). */
  signal: AbortSignal
  /**
   * Asks the client (elicitation, sampling, roots) and returns its answer. As with tools: ask
   * first, act after, and never catch around `ask` (the handler is re-run on the retry). `key`
   * names the question in `inputRequests` (default `q0`, `q1`, ...).
   */
  ask(request: InputRequest, key?: string): Promise<Record<string, unknown>>
}

/**
 * Runs `run` for `method` on `target` (a prompt name or resource URI) with `args`: an open
 * question becomes the `input_required` result, and a cancelled request no response at all.
 */
export const withInputs = async (
  params: Params | undefined,
  method: 'prompts/get' | 'resources/read',
  target: string,
  args: Record<string, unknown>,
  ctx: RequestContext,
  run: (context: AskingContext) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> => {
  const asking =
    rules(ctx.revision).era === 'modern' ? await inputs(params, method, target, args, ctx) : null
  // R-JR-22: TOOL_TIMEOUT_MS, as for tools; then -32603 naming the method.
  const limit = deadline(ctx)
  const context: AskingContext = {
    env: ctx.env,
    signal: limit.signal,
    ask: async (request, key) => {
      if (asking !== null) return asking.ask(request, key)
      const failed = (message: string) =>
        new JsonRpcError({ code: ErrorCode.InternalError, message })
      if (ctx.session !== null) {
        // A legacy session: a request on this call's stream, answered by a later POST (R-HT-20).
        if (ctx.clientCapabilities === null || !allows(ctx.clientCapabilities, request)) {
          throw failed(`The client did not declare the capability ${request.method} needs`)
        }
        try {
          return await ctx.session.request(
            request.method,
            request.params ?? {},
            ctx.send,
            limit.signal,
          )
        } catch (error) {
          if (error instanceof ToolError) throw failed(error.message)
          throw error
        }
      }
      throw failed(
        `${method} needs input from the client (${request.method}), which this connection ` +
          'cannot carry: use a session or protocol 2026-07-28',
      )
    },
  }
  try {
    return await limit.race(run(context))
  } catch (error) {
    if (ctx.signal.aborted) throw new Cancelled()
    if (limit.expired) throw timedOut(method, ctx)
    if (error instanceof InputRequired && asking !== null) return asking.required(error)
    if (error instanceof UrlElicitationRequired) {
      // R-SF-42, R-JR-14: -32042 (2025-11-25), an MRTR round (2026-07-28), else in words.
      const answer = await urlElicitationRequired(error, ctx, asking)
      if (answer !== null) return answer
      throw new JsonRpcError({
        code: ErrorCode.InternalError,
        message: `${method} needs the user to visit a URL, and this client did not declare URL elicitation: ${describeUrlElicitations(error)}`,
      })
    }
    throw error
  } finally {
    limit.clear()
  }
}
