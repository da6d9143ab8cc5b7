// Defining a tool: the one way to add a capability to bare-mcp.
//
//   export const add = defineTool({
//     name: 'add',
//     description: 'Adds two numbers.',
//     input: v.object({ a: v.number(), b: v.number() }),
//     output: v.object({ sum: v.number() }),
//     annotations: { readOnlyHint: true },
//     run: ({ a, b }) => ({ structuredContent: { sum: a + b } }),
//   })
//
// Arguments arrive already validated against `input`. The JSON Schemas clients see are generated
// from the valibot schemas, once per revision, in the dialect that revision expects.
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/tools

import type { Principal } from '../protocol/principal.ts'
import * as v from 'valibot'
import { toJsonSchema } from '@valibot/to-json-schema'
import type { LoggingLevel } from '../settings/config.ts'
import { HandlerError } from '../protocol/errors.ts'
import type { HandlerContext } from '../protocol/runner.ts'
import type { RevisionRules } from '../protocol/revisions.ts'
import type { ContentBlock, Icon } from '../protocol/content.ts'
import { TOOL_NAME } from './lint-rules.ts'

/** R-SF-5: hints about a tool's behaviour. Clients treat them as untrusted. */
export interface ToolAnnotations {
  title?: string
  readOnlyHint?: boolean
  destructiveHint?: boolean
  idempotentHint?: boolean
  openWorldHint?: boolean
}

/** What a tool's `run` gets besides its arguments: the runner's context (env, signal, ask,
 *  askAll, canAsk: src/protocol/runner.ts), and what only tools have. */
export interface ToolContext extends HandlerContext {
  /**
   * Who is calling, when AUTH=true: the signed-in user (`subject`, `name`, `email`) or API key,
   * the OAuth client, and the scopes the token holds. null when auth is off.
   */
  auth: Principal | null
  /** Reports progress; sent only when the client asked (progressToken), and only if increasing. */
  progress(progress: number, total?: number, message?: string): void
  /** Sends a log message to the client (`notifications/message`) at or above the set level. */
  log(level: LoggingLevel, data: unknown, logger?: string): void
  /**
   * SSE polling (2025-11-25, SEP-1699): closes the call's response stream now without ending
   * the call; the client reconnects with GET and `Last-Event-ID` and receives the rest, result
   * included. Resolves to false, doing nothing, where the client could not resume: no session,
   * a client that accepts only JSON, 2026-07-28, or before the client holds an event id.
   */
  closeStream(): Promise<boolean>
  /**
   * The legacy session's id (`Mcp-Session-Id`); null without one. Keep it server-side with a
   * URL elicitation's state to announce its completion later with `completeElicitation`
   * (src/pipeline/sessions.ts). Never put it in a URL, and never take it for who the user is.
   */
  sessionId: string | null
  /**
   * R-SF-42 (2025-11-25): tells the client that the URL elicitation `elicitationId`, sent to it
   * in this session (`ask` with `mode: "url"`, or `UrlElicitationRequired`), is done:
   * `notifications/elicitation/complete` on this call's stream, or on the session's GET stream
   * once the call has ended. False, doing nothing, where there is no such notification (no
   * session, another revision) or the id is not one this session's client was sent.
   */
  elicitationComplete(elicitationId: string): boolean
}

/** What `run` returns: plain text, or a result with content and/or structured output. */
export type ToolReturn<O> =
  | string
  | {
      content?: ContentBlock[]
      structuredContent?: O
      isError?: boolean
    }

/**
 * Thrown by a tool to fail with a message meant for the client ("City not found"): the call's
 * result is then a tool error with that text. Any other throw is reported with a generic message
 * and logged on the server.
 */
export class ToolError extends HandlerError {}

type ObjectSchema = v.GenericSchema<Record<string, unknown>, Record<string, unknown>>

export interface ToolSpec<I extends ObjectSchema, O extends ObjectSchema | undefined> {
  /** `^[a-zA-Z0-9_-]{1,64}$`: the names OpenAI accepts (a subset of what MCP allows). */
  name: string
  title?: string
  description: string
  input?: I
  output?: O
  annotations?: ToolAnnotations
  icons?: Icon[]
  /**
   * 2026-07-28: top-level string, integer or boolean arguments mirrored into `Mcp-Param-<Name>`
   * headers so intermediaries can route on them, e.g. `{ region: 'Region' }` (R-HT-38).
   * Never name a sensitive argument here.
   */
  headerParams?: Partial<Record<keyof v.InferOutput<I> & string, string>>
  /**
   * A hand-written JSON Schema to publish instead of the one generated from `input`, for
   * keywords valibot cannot express (`$defs`, `$ref`, `$schema`). `input` still validates.
   */
  inputJsonSchema?: Record<string, unknown>
  /**
   * OAuth scopes a caller's token must hold to call this tool when AUTH=true, e.g.
   * `['kb.write']`. A call without them gets 403 `insufficient_scope` (R-AU-14).
   */
  scopes?: readonly string[]
  run(
    args: v.InferOutput<I>,
    ctx: ToolContext,
  ):
    | ToolReturn<O extends ObjectSchema ? v.InferOutput<O> : never>
    | Promise<ToolReturn<O extends ObjectSchema ? v.InferOutput<O> : never>>
}

/** A defined tool, its types erased so tools of any shape sit in one list. */
export interface Tool {
  name: string
  input: ObjectSchema
  output: ObjectSchema | undefined
  /** Argument name -> header name portion (`Mcp-Param-<name>`), 2026-07-28 only. */
  headerParams: ReadonlyMap<string, string>
  annotations: ToolAnnotations
  /** Scopes a token needs to call it (AUTH=true); empty: any valid token. */
  scopes: readonly string[]
  /** The author's `run` (its value, or a promise of it: src/tools/call.ts awaits either). */
  run(
    args: Record<string, unknown>,
    ctx: ToolContext,
  ): ToolReturn<unknown> | Promise<ToolReturn<unknown>>
  /** The `Tool` object `tools/list` shows in a revision. */
  describe(allowed: RevisionRules): Record<string, unknown>
}

const NO_ARGUMENTS = v.strictObject({})

/**
 * JSON Schema for a valibot object schema; `$schema` is left out (the revision implies it).
 * Checks JSON Schema cannot express (`v.check`, `v.finite`) are left out too: valibot still
 * enforces them on every call.
 */
const jsonSchema = (schema: ObjectSchema, target: RevisionRules['jsonSchema']) => {
  const { $schema: _, ...rest } = toJsonSchema(schema, { target, errorMode: 'ignore' })
  return rest as Record<string, unknown>
}

/** RFC 6749 §3.3 scope tokens: printable ASCII without space, `"` or `\`. */
const checkScopes = (tool: string, scopes: readonly string[]): readonly string[] => {
  for (const scope of scopes) {
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) {
      throw new TypeError(`Tool "${tool}": "${scope}" is not an OAuth scope token (RFC 6749 §3.3)`)
    }
  }
  return [...scopes]
}

export const defineTool = <
  I extends ObjectSchema = typeof NO_ARGUMENTS,
  O extends ObjectSchema | undefined = undefined,
>(
  spec: ToolSpec<I, O>,
): Tool => {
  if (!TOOL_NAME.test(spec.name)) {
    throw new TypeError(`Tool name "${spec.name}" must match ${TOOL_NAME} (OpenAI rejects others)`)
  }
  if (spec.description.trim() === '') throw new TypeError(`Tool "${spec.name}" needs a description`)
  const input = spec.input ?? NO_ARGUMENTS
  const output = spec.output
  // R-SF-3: the input schema's root is an object; fail at definition time, not at the client.
  for (const [label, schema] of [
    ['input', input],
    ['output', output],
  ] as const) {
    if (schema !== undefined && jsonSchema(schema, 'draft-2020-12').type !== 'object') {
      throw new TypeError(`Tool "${spec.name}": the ${label} schema must be an object schema`)
    }
  }
  if (spec.inputJsonSchema !== undefined && spec.inputJsonSchema.type !== 'object') {
    throw new TypeError(`Tool "${spec.name}": inputJsonSchema must have type "object"`)
  }
  const headerParams = checkHeaderParams(spec.name, input, spec.headerParams ?? {})
  const described = new Map<string, Record<string, unknown>>()
  return {
    name: spec.name,
    input,
    output,
    headerParams,
    annotations: spec.annotations ?? {},
    scopes: checkScopes(spec.name, spec.scopes ?? []),
    // Not async: a synchronous throw is caught where src/tools/call.ts runs it (inside
    // runHandler), and still becomes the tool's error result.
    run: (args, ctx) => spec.run(args as v.InferOutput<I>, ctx),
    describe: (allowed) => {
      const cached = described.get(allowed.revision)
      if (cached !== undefined) return cached
      const tool: Record<string, unknown> = { name: spec.name }
      if (allowed.titles && spec.title !== undefined) tool.title = spec.title
      tool.description = spec.description
      tool.inputSchema =
        spec.inputJsonSchema ??
        withHeaderParams(jsonSchema(input, allowed.jsonSchema), headerParams, allowed)
      if (allowed.structuredContent && output !== undefined) {
        tool.outputSchema = jsonSchema(output, allowed.jsonSchema)
      }
      if (allowed.toolAnnotations && spec.annotations !== undefined)
        tool.annotations = spec.annotations
      if (allowed.icons && spec.icons !== undefined) tool.icons = spec.icons
      described.set(allowed.revision, tool)
      return tool
    },
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * R-HT-38: an `x-mcp-header` name is an RFC 9110 token, case-insensitively unique, on a
 * top-level string, integer or boolean property (never `number`). Checked at definition time.
 */
const checkHeaderParams = (
  tool: string,
  input: ObjectSchema,
  declared: Record<string, string | undefined>,
): ReadonlyMap<string, string> => {
  const properties = (jsonSchema(input, 'draft-2020-12').properties ?? {}) as Record<
    string,
    { type?: unknown }
  >
  const params = new Map<string, string>()
  const seen = new Set<string>()
  for (const [argument, header] of Object.entries(declared)) {
    if (header === undefined) continue
    const type = properties[argument]?.type
    if (type !== 'string' && type !== 'integer' && type !== 'boolean') {
      throw new TypeError(
        `Tool "${tool}": header parameter "${argument}" must be a string, integer or boolean argument`,
      )
    }
    if (!TOKEN.test(header) || seen.has(header.toLowerCase())) {
      throw new TypeError(`Tool "${tool}": header name "${header}" must be a unique HTTP token`)
    }
    seen.add(header.toLowerCase())
    params.set(argument, header)
  }
  return params
}

/** Adds `x-mcp-header` to the mirrored properties, for 2026-07-28 listings only. */
const withHeaderParams = (
  schema: Record<string, unknown>,
  params: ReadonlyMap<string, string>,
  allowed: RevisionRules,
): Record<string, unknown> => {
  if (params.size === 0 || !allowed.headerParams) return schema
  const properties = { ...(schema.properties as Record<string, Record<string, unknown>>) }
  for (const [argument, header] of params)
    properties[argument] = { ...properties[argument], 'x-mcp-header': header }
  return { ...schema, properties }
}
