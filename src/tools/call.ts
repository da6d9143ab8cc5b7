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
import { cut, describeIssues } from '../jsonrpc/issues.ts'
import { notification, ObjectSchema, type Params } from '../jsonrpc/message.ts'
import { contentFor, text, type ContentBlock } from '../protocol/content.ts'
import type { RequestContext } from '../protocol/context.ts'
import { logMessage, passes } from '../protocol/logging.ts'
import { parseParams } from '../protocol/params.ts'
import { runHandler, type Failure, type HandlerContext } from '../protocol/runner.ts'
import { withSignal } from '../protocol/with-signal.ts'
import type { Tool, ToolContext, ToolReturn } from './define.ts'
import type { ToolSet } from './toolset.ts'

/** What a tool handler looks in: the request's tools. */
export type ToolsContext = RequestContext & { tools: ToolSet }

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

/** R-SF-7: a tool that fails is a result the model can read, never a protocol error. */
const failure = (name: string) => (failed: Failure) => {
  switch (failed.kind) {
    case 'timeout':
      return errorResult(`Tool ${name} timed out after ${failed.ms} ms`)
    case 'refused':
    case 'url':
      return errorResult(failed.message)
    case 'internal':
      return errorResult(`Tool ${name} failed with an internal error`)
  }
}

export const callTool = async (params: Params | undefined, ctx: ToolsContext) => {
  const { name, arguments: args = {}, _meta } = parseParams('tools/call', CallParamsSchema, params)
  const tool = ctx.tools.get(name)
  // R-SF-7: an unknown tool is a protocol error (-32602).
  if (tool === undefined) throw new JsonRpcError(invalidParams(`Unknown tool: ${cut(name)}`))

  const parsed = v.safeParse(tool.input, args)
  if (!parsed.success) {
    const message = `Invalid arguments for tool ${name}: ${describeIssues(parsed.issues, 'arguments')}`
    // R-SF-7: 2025-11-25 moved input validation errors into the result, so the model can retry.
    if (ctx.rules.argumentErrorsAsToolErrors) return errorResult(message)
    throw new JsonRpcError(invalidParams(message))
  }

  let ended = false
  try {
    return await runHandler(
      ctx,
      {
        method: 'tools/call',
        target: name,
        args,
        params,
        asks: true,
        label: 'This tool',
        fail: failure(name),
      },
      // R-JR-22: TOOL_TIMEOUT_MS, then a tool error.
      // (Not async: a tool that throws at once is caught by runHandler all the same.)
      (handler) => {
        const context = toolContext(ctx, handler, _meta?.progressToken, () => ended)
        const ran = Promise.resolve(tool.run(parsed.output, context))
        return ran.then((returned) => shape(tool, returned, ctx))
      },
    )
  } finally {
    ended = true
  }
}

/** The context a tool sees; its emitters go quiet once the call has ended (R-JR-19). */
const toolContext = (
  ctx: ToolsContext,
  handler: HandlerContext,
  token: ProgressToken | undefined,
  ended: () => boolean,
): ToolContext => {
  let last = -Infinity
  return withSignal<ToolContext>(
    {
      env: handler.env,
      auth: ctx.auth,
      ask: handler.ask,
      askAll: handler.askAll,
      canAsk: handler.canAsk,
      progress(progress, total, message) {
        // R-JR-19: progress only with a token, only while the call runs, and always increasing.
        if (token === undefined || ended() || !Number.isFinite(progress) || progress <= last) return
        last = progress
        const params: Record<string, unknown> = { progressToken: token, progress }
        if (total !== undefined) params.total = total
        if (message !== undefined && ctx.rules.progressMessage) params.message = message
        ctx.send(notification('notifications/progress', params))
      },
      log(level, data, logger) {
        // R-SF-32: a 2026-07-28 request without a logLevel gets no log messages at all.
        if (ended() || ctx.logLevel === null || !passes(level, ctx.logLevel)) return
        ctx.send(logMessage(level, data, logger))
      },
      closeStream: () => (ended() ? Promise.resolve(false) : ctx.closeStream()),
      sessionId: ctx.session?.id ?? null,
      // R-SF-42: the call's stream while the call runs, then the session's GET stream.
      elicitationComplete: (elicitationId) =>
        ctx.session !== null &&
        ctx.rules.urlElicitationIds &&
        ctx.session.completeElicitation(elicitationId, ended() ? undefined : ctx.send),
    },
    handler,
  )
}

/** Turns what `run` returned into a CallToolResult for the request's revision. */
const shape = (tool: Tool, returned: ToolReturn<unknown>, ctx: RequestContext) => {
  const allowed = ctx.rules
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
