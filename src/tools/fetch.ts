// fetch: one whole knowledge-base document by the id `search` returned (CLIENTS.md C3):
//
//   -> {"name":"fetch","arguments":{"id":"streamable-http"}}
//   <- structuredContent {"id":"streamable-http","title":"Streamable HTTP transport",
//        "text":"Streamable HTTP is ...","url":"https://...","metadata":{"source":"..."}}
//      and the same JSON as the single text item.
//
// An unknown id is a tool error the model can read (and recover from by searching again).

import * as v from 'valibot'
import { config } from '../settings/config.ts'
import { knowledgeBase } from '../kb/binding.ts'
import { citationUrl } from '../kb/document.ts'
import { defineTool, ToolError } from './define.ts'

export const fetchDocument = defineTool({
  name: 'fetch',
  title: 'Fetch a document',
  description:
    'Returns the full text of one knowledge-base document, with its title, citation url and ' +
    'metadata. Takes an id from the results of search.',
  input: v.strictObject({
    id: v.pipe(v.string(), v.maxLength(128), v.description('A document id from search.')),
  }),
  output: v.object({
    id: v.string(),
    title: v.string(),
    text: v.pipe(v.string(), v.description('The whole document.')),
    url: v.pipe(v.string(), v.description('Absolute URL, for citation.')),
    metadata: v.optional(v.record(v.string(), v.string())),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async ({ id }, ctx) => {
    const settings = config(ctx.env)
    const doc = await knowledgeBase(ctx.env, settings).get(id)
    if (doc === null) {
      throw new ToolError(`No document with id "${id}" in the knowledge base; search for its id`)
    }
    const { metadata, ...rest } = doc
    const structuredContent = { ...rest, url: citationUrl(doc, settings.KB_BASE_URL) }
    return {
      structuredContent: metadata === null ? structuredContent : { ...structuredContent, metadata },
    }
  },
})
