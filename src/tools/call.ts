// `tools/call`: runs one tool and reports what happened.
//
//   -> {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}
//   <- {"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"{\"sum\":5}"}],
//       "structuredContent":{"sum":5}}}
//
// Two kinds of failure stay apart (R-SF-7): a request that is wrong (unknown tool, malformed
// params) is a JSON-RPC error; a tool that fails (bad input from 2025-11-25 on, a thrown error,
// a timeout) is a normal result with `isError: true` that the model can read and act on.
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/tools#calling-tools

import * as v from 'valibot'
import { invalidParams, JsonRpcError } from '../jsonrpc/errors.ts'
import { describeIssues } from '../jsonrpc/issues.ts'
import { notification, ObjectSchema, type Params } from '../jsonrpc/message.ts'
import { Cancelled, type RequestContext } from '../protocol/context.ts'
import { logMessage, passes } from '../protocol/logging.ts'
import { allows, InputRequired, inputs, type InputRequest, type Inputs } from '../protocol/mrtr.ts'
import {
  describeUrlElicitations,
  UrlElicitationRequired,
  urlElicitationRequired,
} from '../protocol/elicitation.ts'
import { parseParams } from '../protocol/params.ts'
import { rules } from '../protocol/revisions.ts'
import { deadline } from '../protocol/timeout.ts'
import { contentFor, text, type ContentBlock } from '../protocol/content.ts'
import { ToolError, type Tool, type ToolContext, type ToolReturn } from './define.ts'

/** R-JR-19: a progress token is a string or an integer. */
const TOKEN_RULE = 'must be a string or an integer'
const ProgressTokenSchema = v.union(
  [v.string(), v.pipe(v.number(), v.integer(TOKEN_RULE))],
  TOKEN_RULE,
)

const CallParamsSchema = v.looseObject({
  name: v.string('must be a string'),
  arguments: v.optional(ObjectSchema),
  _meta: v.optional(v.looseObject({ progressToken: v.optional(ProgressTokenSchema) })),
})

type ProgressToken = v.InferOutput<typeof ProgressTokenSchema>

const errorResult = (message: string) => ({ content: [text(message)], isError: true })

export const callTool = async (params: Params | undefined, ctx: RequestContext) => {
  const { name, arguments: args = {}, _meta } = parseParams('tools/call', CallParamsSchema, params)
  const tool = ctx.tools.get(name)
  // R-SF-7: an unknown tool is a protocol error (-32602).
  if (tool === undefined) throw new JsonRpcError(invalidParams(`Unknown tool: ${name}`))
  const allowed = rules(ctx.revision)

  const parsed = v.safeParse(tool.input, args)
  if (!parsed.success) {
    const message = `Invalid arguments for tool ${name}: ${describeIssues(parsed.issues, 'arguments')}`
    // R-SF-7: 2025-11-25 moved input validation errors into the result, so the model can retry.
    if (allowed.argumentErrorsAsToolErrors) return errorResult(message)
    throw new JsonRpcError(invalidParams(message))
  }

  // 2026-07-28: questions to the client travel as MRTR rounds (src/protocol/mrtr.ts).
  const asking =
    allowed.era === 'modern' ? await inputs(params, 'tools/call', name, args, ctx) : null
  // R-JR-22: TOOL_TIMEOUT_MS, then a tool error.
  const limit = deadline(ctx)
  const session = toolContext(ctx, limit.signal, _meta?.progressToken, asking)
  try {
    const returned = await limit.race(tool.run(parsed.output, session.context))
    return shape(tool, returned, ctx)
  } catch (error) {
    if (ctx.signal.aborted) throw new Cancelled()
    if (error instanceof InputRequired && asking !== null) return asking.required(error)
    if (error instanceof UrlElicitationRequired) {
      // R-SF-42, R-JR-14: -32042 (2025-11-25), an MRTR round (2026-07-28), else in words.
      const answer = await urlElicitationRequired(error, ctx, asking)
      return answer ?? errorResult(describeUrlElicitations(error))
    }
    if (error instanceof JsonRpcError) throw error
    if (limit.expired) {
      return errorResult(`Tool ${name} timed out after ${ctx.config.TOOL_TIMEOUT_MS} ms`)
    }
    if (error instanceof ToolError) return errorResult(error.message)
    // Details go to the server log only; the client gets a safe, generic message.
    console.error(`tool ${name} failed`, error)
    return errorResult(`Tool ${name} failed with an internal error`)
  } finally {
    limit.clear()
    session.end()
  }
}

/** The context a tool sees; its emitters go quiet once the call has ended (R-JR-19). */
const toolContext = (
  ctx: RequestContext,
  signal: AbortSignal,
  token: ProgressToken | undefined,
  asking: Inputs | null,
) => {
  const allowed = rules(ctx.revision)
  let ended = false
  let last = -Infinity
  const context: ToolContext = {
    env: ctx.env,
    auth: ctx.auth,
    signal,
    progress(progress, total, message) {
      // R-JR-19: progress only with a token, only while the call runs, and always increasing.
      if (token === undefined || ended || !Number.isFinite(progress) || progress <= last) return
      last = progress
      const params: Record<string, unknown> = { progressToken: token, progress }
      if (total !== undefined) params.total = total
      if (message !== undefined && allowed.progressMessage) params.message = message
      ctx.send(notification('notifications/progress', params))
    },
    log(level, data, logger) {
      // R-SF-32: a 2026-07-28 request without a logLevel gets no log messages at all.
      if (ended || ctx.logLevel === null || !passes(level, ctx.logLevel)) return
      ctx.send(logMessage(level, data, logger))
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
    async ask(request, key) {
      if (asking !== null) return asking.ask(request, key)
      if (ctx.session !== null) {
        // R-SF-41: never use a capability the client did not declare at initialize.
        if (!context.canAsk(request)) {
          throw new ToolError(`The client did not declare the capability ${request.method} needs`)
        }
        return ctx.session.request(request.method, request.params ?? {}, ctx.send, signal)
      }
      // Legacy without a session: there is no stream to send a server-to-client request on.
      throw new ToolError(
        `This tool needs input from the client (${request.method}), which this connection ` +
          'cannot carry: use protocol 2026-07-28, or keep the session initialize offered',
      )
    },
    canAsk: (request) =>
      (asking !== null || ctx.session !== null) &&
      ctx.clientCapabilities !== null &&
      allows(ctx.clientCapabilities, request),
    closeStream: () => (ended ? Promise.resolve(false) : ctx.closeStream()),
    sessionId: ctx.session?.id ?? null,
    // R-SF-42: the call's stream while the call runs, then the session's GET stream.
    elicitationComplete: (elicitationId) =>
      ctx.session !== null &&
      allowed.urlElicitationIds &&
      ctx.session.completeElicitation(elicitationId, ended ? undefined : ctx.send),
  }
  return { context, end: () => void (ended = true) }
}

/** Turns what `run` returned into a CallToolResult for the request's revision. */
const shape = (tool: Tool, returned: ToolReturn<unknown>, ctx: RequestContext) => {
  const allowed = rules(ctx.revision)
  const result = typeof returned === 'string' ? { content: [text(returned)] } : returned
  if (result.isError === true) {
    // An error result carries no structuredContent: strict clients validate it even then.
    return { content: contentFor(allowed, result.content ?? []), isError: true }
  }
  let structured: unknown = result.structuredContent
  if (tool.output !== undefined) {
    // R-SF-8: with an outputSchema, structuredContent MUST be present and conform.
    const checked = v.safeParse(tool.output, structured)
    if (!checked.success) {
      console.error(
        `tool ${tool.name} returned output not matching its outputSchema`,
        checked.issues,
      )
      return errorResult(`Tool ${tool.name} returned output that does not match its outputSchema`)
    }
    structured = checked.output
  }
  // R-SF-8: structured output SHOULD also be given as serialized JSON in a text block.
  const content: ContentBlock[] =
    result.content ?? (structured === undefined ? [] : [text(JSON.stringify(structured))])
  const shaped: Record<string, unknown> = { content: contentFor(allowed, content) }
  if (structured !== undefined && allowed.structuredContent) shaped.structuredContent = structured
  return shaped
}
