// Defining prompts: message templates a user picks (a slash command, a menu), filled in with
// arguments and handed to the model.
//
//   export const codeReview = definePrompt({
//     name: 'code_review',
//     description: 'Asks for a review of a piece of code.',
//     arguments: v.object({
//       code: v.pipe(v.string(), v.description('The code to review.')),
//       language: v.optional(v.pipe(v.string(), v.description('Its language.'))),
//     }),
//     complete: { language: completeFrom(['python', 'rust', 'typescript']) },
//     get: ({ code, language }) => [user(`Please review this ${language ?? ''} code:\n${code}`)],
//   })
//
// Arguments are strings on the wire. They are declared as a valibot object of string schemas,
// listed from it (name, title, description, required), and validated with it before `get` runs,
// as tool arguments are.
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/prompts

import * as v from 'valibot'
import { toJsonSchema } from '@valibot/to-json-schema'
import type { Completer } from '../protocol/completer.ts'
import type { HandlerContext } from '../protocol/runner.ts'
import type { RevisionRules } from '../protocol/revisions.ts'
import { text, type ContentBlock } from '../protocol/content.ts'
import type { Icon } from '../protocol/content.ts'

/** What `get` gets besides its arguments: env, signal and `ask`. */
export type PromptContext = HandlerContext

/** One message of a prompt: who says it, and one content block (text, image, resource, ...). */
export interface PromptMessage {
  role: 'user' | 'assistant'
  content: ContentBlock
}

/** A message from the user; a string becomes a text block. */
export const user = (content: string | ContentBlock): PromptMessage => ({
  role: 'user',
  content: typeof content === 'string' ? text(content) : content,
})

/** A message from the assistant (to prefill part of the conversation). */
export const assistant = (content: string | ContentBlock): PromptMessage => ({
  role: 'assistant',
  content: typeof content === 'string' ? text(content) : content,
})

/** What `get` returns: one user message as text, the messages, or messages with a description. */
export type PromptReturn =
  string | readonly PromptMessage[] | { description?: string; messages: readonly PromptMessage[] }

/** A valibot object whose properties are all strings (optional or not). */
type ArgumentsSchema = v.GenericSchema<Record<string, string | undefined>, Record<string, unknown>>

export interface PromptSpec<I extends ArgumentsSchema> {
  /** Unique on this server; clients show it when there is no title. */
  name: string
  title?: string
  description: string
  arguments?: I
  icons?: Icon[]
  /** Suggestions per argument for `completion/complete` (R-SF-33). */
  complete?: { [K in keyof v.InferOutput<I> & string]?: Completer }
  get(args: v.InferOutput<I>, ctx: PromptContext): PromptReturn | Promise<PromptReturn>
}

/** A defined prompt, its types erased so prompts of any shape sit in one list. */
export interface Prompt {
  readonly name: string
  readonly description: string
  readonly arguments: ArgumentsSchema
  readonly argumentNames: readonly string[]
  readonly completers: ReadonlyMap<string, Completer>
  get(args: Record<string, unknown>, ctx: PromptContext): Promise<PromptReturn>
  /** The `Prompt` object of `prompts/list` in a revision. */
  describe(allowed: RevisionRules): Record<string, unknown>
}

const NO_ARGUMENTS = v.strictObject({})

interface ArgumentSchema {
  type?: unknown
  title?: string
  description?: string
}

export const definePrompt = <I extends ArgumentsSchema = typeof NO_ARGUMENTS>(
  spec: PromptSpec<I>,
): Prompt => {
  const label = `Prompt "${spec.name}"`
  if (spec.name.trim() === '') throw new TypeError('A prompt needs a name')
  if (spec.description.trim() === '') throw new TypeError(`${label} needs a description`)
  const schema: ArgumentsSchema = spec.arguments ?? NO_ARGUMENTS
  const json = toJsonSchema(schema, { errorMode: 'ignore' }) as {
    type?: unknown
    properties?: Record<string, ArgumentSchema>
    required?: string[]
  }
  if (json.type !== 'object') throw new TypeError(`${label}: arguments must be an object schema`)
  const properties = Object.entries(json.properties ?? {})
  // R-SF-30: prompt arguments are strings on the wire; anything else could never validate.
  for (const [name, property] of properties) {
    if (property.type !== 'string') {
      throw new TypeError(`${label}: argument "${name}" must be a string schema`)
    }
  }
  const required = new Set(json.required ?? [])
  const argumentNames = properties.map(([name]) => name)
  const completers = new Map<string, Completer>()
  for (const [name, completer] of Object.entries(spec.complete ?? {})) {
    if (!argumentNames.includes(name)) {
      throw new TypeError(`${label}: complete names "${name}", which is not one of its arguments`)
    }
    if (typeof completer === 'function') completers.set(name, completer as Completer)
  }

  const described = new Map<string, Record<string, unknown>>()
  return {
    name: spec.name,
    description: spec.description,
    arguments: schema,
    argumentNames,
    completers,
    get: async (args, ctx) => spec.get(args as v.InferOutput<I>, ctx),
    describe: (allowed) => {
      const cached = described.get(allowed.revision)
      if (cached !== undefined) return cached
      const prompt: Record<string, unknown> = { name: spec.name }
      if (allowed.titles && spec.title !== undefined) prompt.title = spec.title
      prompt.description = spec.description
      if (properties.length > 0) {
        prompt.arguments = properties.map(([name, property]) => {
          const argument: Record<string, unknown> = { name }
          if (allowed.titles && property.title !== undefined) argument.title = property.title
          if (property.description !== undefined) argument.description = property.description
          argument.required = required.has(name)
          return argument
        })
      }
      if (allowed.icons && spec.icons !== undefined) prompt.icons = spec.icons
      described.set(allowed.revision, prompt)
      return prompt
    },
  }
}
