// search: full-text search over the knowledge base (src/kb/), in the shape ChatGPT deep research,
// company knowledge and the Responses API expect (CLIENTS.md C3):
//
//   -> {"name":"search","arguments":{"query":"streamable http"}}
//   <- structuredContent {"results":[{"id":"streamable-http","title":"Streamable HTTP transport",
//        "url":"https://modelcontextprotocol.io/...","snippet":"... **Streamable** **HTTP** is ..."}]}
//      and the same JSON as the single text item (done by the framework, R-SF-8).
//
// Each result also carries a `snippet` (C3 requires only id, title and url; more is allowed), so
// a model can choose what to `fetch` without fetching everything.

import * as v from 'valibot'
import { config } from '../settings/config.ts'
import { knowledgeBase } from '../kb/binding.ts'
import { citationUrl } from '../kb/document.ts'
import { defineTool } from './define.ts'

export const search = defineTool({
  name: 'search',
  title: 'Search the knowledge base',
  description:
    'Searches the knowledge base and returns the best matching documents (id, title, url and a ' +
    'snippet with matches in **bold**), best first. Pass an id to fetch for the full text. ' +
    'Plain words find documents with all of them, else any of them; "quotes" match a phrase, ' +
    'a trailing * a prefix, and OR / NOT combine terms.',
  input: v.strictObject({
    query: v.pipe(
      v.string(),
      v.maxLength(1_000),
      v.description('What to look for: words, a "quoted phrase", or prefix*.'),
    ),
  }),
  output: v.object({
    results: v.array(
      v.object({
        id: v.pipe(v.string(), v.description('Pass to fetch for the full document.')),
        title: v.string(),
        url: v.pipe(v.string(), v.description('Absolute URL, for citation.')),
        snippet: v.pipe(v.string(), v.description('Text around the matches.')),
      }),
    ),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async ({ query }, ctx) => {
    const settings = config(ctx.env)
    const hits = await knowledgeBase(ctx.env, settings).search(query, settings.KB_SEARCH_LIMIT)
    const results = hits.map((hit) => ({
      id: hit.id,
      title: hit.title,
      url: citationUrl(hit, settings.KB_BASE_URL),
      snippet: hit.snippet,
    }))
    return { structuredContent: { results } }
  },
})
