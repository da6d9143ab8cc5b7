// `completion/complete`: suggestions for a prompt argument or a resource-template variable, from
// the completer it declares (src/protocol/completer.ts), run like any author code (deadline,
// cancellation: src/protocol/runner.ts).
//
//   -> {"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{
//       "ref":{"type":"ref/prompt","name":"code_review"},
//       "argument":{"name":"language","value":"py"},"context":{"arguments":{"code":"print(1)"}}}}
//   <- {"jsonrpc":"2.0","id":1,"result":{"completion":{"values":["python"],"total":1,
//       "hasMore":false}}}
//
// R-SF-33 · https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/completion

import { cut } from '../jsonrpc/issues.ts'
import * as v from 'valibot'
import { invalidParams, JsonRpcError } from '../jsonrpc/errors.ts'
import { ObjectSchema, type Params } from '../jsonrpc/message.ts'
import {
  MAX_COMPLETION_VALUES,
  type Completer,
  type CompletionReturn,
} from '../protocol/completer.ts'
import type { RequestContext } from '../protocol/context.ts'
import { parseParams } from '../protocol/params.ts'
import { failAsError, runHandler } from '../protocol/runner.ts'
import type { PromptSet } from '../prompts/prompt-set.ts'
import type { ResourceSet } from '../resources/resource-set.ts'

/** What completion looks in: the request's prompts and resource templates. */
export type CompletionContext = RequestContext & { prompts: PromptSet; resources: ResourceSet }

const STRING = 'must be a string'
const StringRecordSchema = v.pipe(
  v.custom<Record<string, unknown>>(
    (value) => v.is(ObjectSchema, value),
    'must be an object of strings',
  ),
  v.record(v.string(), v.string(STRING)),
)

const CompleteParamsSchema = v.looseObject({
  ref: v.variant(
    'type',
    [
      v.looseObject({ type: v.literal('ref/prompt'), name: v.string(STRING) }),
      v.looseObject({ type: v.literal('ref/resource'), uri: v.string(STRING) }),
    ],
    'must be "ref/prompt" or "ref/resource"',
  ),
  argument: v.looseObject({ name: v.string(STRING), value: v.string(STRING) }),
  // 2025-06-18 added `context`; it is read whenever a client sends it.
  context: v.optional(v.looseObject({ arguments: v.optional(StringRecordSchema) })),
})

/** Finds the completer named by `ref` and `argument`; -32602 when either names nothing. */
const completerFor = (
  ref: v.InferOutput<typeof CompleteParamsSchema>['ref'],
  argument: string,
  ctx: CompletionContext,
): Completer | undefined => {
  if (ref.type === 'ref/prompt') {
    const prompt = ctx.prompts.get(ref.name)
    if (prompt === undefined)
      throw new JsonRpcError(invalidParams(`Unknown prompt: ${cut(ref.name)}`))
    if (!prompt.argumentNames.includes(argument)) {
      throw new JsonRpcError(
        invalidParams(`Prompt ${cut(ref.name)} has no argument ${cut(argument)}`),
      )
    }
    return prompt.completers.get(argument)
  }
  const template = ctx.resources.template(ref.uri)
  if (template === undefined) {
    throw new JsonRpcError(invalidParams(`Unknown resource template: ${cut(ref.uri)}`))
  }
  if (!template.variables.includes(argument)) {
    throw new JsonRpcError(
      invalidParams(`Resource template ${cut(ref.uri)} has no variable ${cut(argument)}`),
    )
  }
  return template.completers.get(argument)
}

/** `completion/complete`, in every revision (the `completions` capability is from 2025-03-26). */
export const complete = async (params: Params | undefined, ctx: CompletionContext) => {
  const { ref, argument, context } = parseParams(
    'completion/complete',
    CompleteParamsSchema,
    params,
  )
  const completer = completerFor(ref, argument.name, ctx)
  let returned: CompletionReturn = []
  if (completer !== undefined) {
    const run = completer
    const target = ref.type === 'ref/prompt' ? ref.name : ref.uri
    // R-JR-22: TOOL_TIMEOUT_MS, as for tools; then -32603 naming the method.
    const result = await runHandler(
      ctx,
      {
        method: 'completion/complete',
        target,
        args: {},
        params,
        asks: false,
        label: 'completion/complete',
        fail: failAsError('completion/complete'),
      },
      async (handler) => ({
        returned: await run(argument.value, {
          arguments: context?.arguments ?? {},
          env: handler.env,
          signal: handler.signal,
        }),
      }),
    )
    returned = result.returned as CompletionReturn
  }
  // R-SF-33: at most 100 values; `total` and `hasMore` say what was left out.
  const all = isList(returned) ? { values: returned } : returned
  const values = all.values.slice(0, MAX_COMPLETION_VALUES)
  const total = isList(returned) ? returned.length : all.total
  const hasMore =
    all.hasMore ??
    (all.values.length > values.length || (total !== undefined && total > values.length))
  return { completion: total === undefined ? { values, hasMore } : { values, total, hasMore } }
}

const isList = (value: CompletionReturn): value is readonly string[] => Array.isArray(value)
