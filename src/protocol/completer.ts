// Completers: what a prompt argument or a resource-template variable declares to suggest values
// while the user is still typing them (`completion/complete`, src/completion/complete.ts). The
// others get no suggestions (an empty list), which is a valid answer.
//
//   -> {"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{
//       "ref":{"type":"ref/prompt","name":"code_review"},
//       "argument":{"name":"language","value":"py"},"context":{"arguments":{"code":"print(1)"}}}}
//   <- {"jsonrpc":"2.0","id":1,"result":{"completion":{"values":["python"],"total":1,
//       "hasMore":false}}}
//
// R-SF-33 · https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/completion

import type { Env } from '../settings/env.ts'

/** What a `complete` function gets besides the value typed so far. */
export interface CompletionContext {
  /** Values already chosen for the other arguments or variables (`context.arguments`). */
  arguments: Readonly<Record<string, string>>
  env: Env
  signal: AbortSignal
}

/** Candidates, best first: all of them, or a page with what is known about the rest. */
export type CompletionReturn =
  readonly string[] | { values: readonly string[]; total?: number; hasMore?: boolean }

/** Suggests values for one prompt argument or template variable. */
export type Completer = (
  value: string,
  context: CompletionContext,
) => CompletionReturn | Promise<CompletionReturn>

/** A completer offering the `options` that start with what was typed, ignoring case. */
export const completeFrom =
  (options: readonly string[]): Completer =>
  (value) => {
    const typed = value.toLowerCase()
    return options.filter((option) => option.toLowerCase().startsWith(typed))
  }

/** R-SF-33: a response carries at most 100 values. */
export const MAX_COMPLETION_VALUES = 100
