// Turning what a model or a person typed into FTS5 queries. Models mostly send plain words
// ("how do I connect ChatGPT"); people sometimes use FTS5 syntax. Both must work, and no query
// may ever be an error:
//
//   mcp*                      prefix          -> taken as FTS5 syntax
//   "streamable http"         phrase          -> taken as FTS5 syntax
//   search OR fetch, NOT, NEAR(a b), title:x  -> taken as FTS5 syntax
//   connect chatgpt           plain words     -> "connect" "chatgpt" (all), else any of them
//   "unterminated, foo:bar    syntax FTS5 refuses -> searched as plain words
//
// https://www.sqlite.org/fts5.html#full_text_query_syntax

/** At most this many words are searched (the rest of a very long query is ignored). */
export const MAX_TERMS = 32

/** Whether a query uses FTS5 operators, so it is tried as written first. */
export const usesSyntax = (query: string): boolean =>
  /["*():^+]/.test(query) || /(^|\s)(AND|OR|NOT|NEAR)(\s|\(|$)/.test(query)

export interface Term {
  text: string
  prefix: boolean
}

/**
 * The words of a query: whitespace-separated chunks without double quotes, keeping a trailing
 * `*` as a prefix marker; chunks with no letter or digit are dropped. Inside quotes FTS5 never
 * sees an operator, and its tokenizer splits `bare-mcp` into the phrase `bare mcp`.
 */
export const terms = (query: string): Term[] =>
  query
    .split(/\s+/)
    .map((chunk) => {
      const bare = chunk.replaceAll('"', '')
      const prefix = /[\p{L}\p{N}]\*+$/u.test(bare)
      return { text: bare.replace(/\*+$/, ''), prefix }
    })
    .filter((term) => /[\p{L}\p{N}]/u.test(term.text))
    .slice(0, MAX_TERMS)

const quote = (term: Term): string => `"${term.text}"${term.prefix ? '*' : ''}`

/** Documents containing every term (a chunk such as `bare-mcp` as a phrase). */
export const allOf = (words: readonly Term[]): string => words.map(quote).join(' ')

/**
 * Documents containing any single word (bm25 ranks those with more, and rarer, words first).
 * Chunks are split into their words here, so `kind:cats` still finds "cats".
 */
export const anyOf = (words: readonly Term[]): string =>
  words
    .flatMap((term) => {
      const parts = term.text.match(/[\p{L}\p{N}]+/gu) ?? []
      return parts.map((text, i) => ({ text, prefix: term.prefix && i === parts.length - 1 }))
    })
    .slice(0, MAX_TERMS)
    .map(quote)
    .join(' OR ')
