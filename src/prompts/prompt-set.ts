// The prompts one request can see, in listing order, looked up by name.

import type { Prompt } from './define.ts'

export interface PromptSet {
  readonly list: readonly Prompt[]
  get(name: string): Prompt | undefined
}

/** Builds a prompt set; two prompts with one name are a programming error, caught at startup. */
export const promptSet = (prompts: readonly Prompt[] = []): PromptSet => {
  const byName = new Map<string, Prompt>()
  for (const prompt of prompts) {
    if (byName.has(prompt.name)) throw new TypeError(`Two prompts are named "${prompt.name}"`)
    byName.set(prompt.name, prompt)
  }
  return { list: prompts, get: (name) => byName.get(name) }
}
