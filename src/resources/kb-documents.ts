// The knowledge base's documents as resources: a source that lists every document (after the
// fixed resources) and a template that reads one. The list changes whenever documents are
// uploaded or deleted (src/kb/admin.ts), and the knowledge base's version says so, which is what
// `notifications/resources/list_changed` announces (R-SF-25).
//
//   resources/list  -> {"uri":"kb://docs/streamable-http","name":"streamable-http",
//                       "title":"Streamable HTTP transport","mimeType":"text/markdown",
//                       "size":812,"annotations":{"lastModified":"2026-..."}}
//   resources/read {"uri":"kb://docs/streamable-http"} -> the document's text
//
// The URI ends in `docs/<id>` like the citation URL `${KB_BASE_URL}/docs/<id>`, under a scheme of
// its own: the citation URL may point anywhere (or nowhere, by default), while these URIs are
// read from this server. Ids are URL-unreserved characters, so they sit in the URI unescaped.
//
// BM-KB-13 · https://modelcontextprotocol.io/specification/2025-11-25/server/resources

import { config } from '../settings/config.ts'
import { knowledgeBase, NoKnowledgeBase } from '../kb/binding.ts'
import { DOC_ID } from '../kb/document.ts'
import { defineResourceTemplate } from './define.ts'
import type { ResourceSource, SourceContext } from './source.ts'

const MIME_TYPE = 'text/markdown'

/** The knowledge base's stub, or null when the Worker has no KB binding (BM-KB-12). */
const stubOf = ({ env, config }: SourceContext) => {
  try {
    return knowledgeBase(env, config)
  } catch (error) {
    if (error instanceof NoKnowledgeBase) return null
    throw error
  }
}

/** Every document, ordered by id; without a knowledge base, none (and a version that stays). */
export const kbDocuments: ResourceSource = {
  list: async (ctx, offset, limit) => {
    const kb = stubOf(ctx)
    if (kb === null) return { resources: [], more: false }
    // One more than asked, to learn whether more follow.
    const rows = await kb.list(offset, limit + 1)
    return {
      resources: rows.slice(0, limit).map((row) => ({
        uri: `kb://docs/${row.id}`,
        name: row.id,
        title: row.title,
        mimeType: MIME_TYPE,
        size: row.bytes,
        annotations: { lastModified: new Date(row.updated).toISOString() },
      })),
      more: rows.length > limit,
    }
  },
  version: async (ctx) => String((await stubOf(ctx)?.version()) ?? 'none'),
}

export const kbDocument = defineResourceTemplate({
  uriTemplate: 'kb://docs/{id}',
  name: 'kb-document',
  title: 'Knowledge-base document',
  description: 'A knowledge-base document, by the id search returns.',
  mimeType: MIME_TYPE,
  read: async (_uri, { id }, ctx) => {
    // `id` comes from the client: only a well-formed id reaches the knowledge base.
    if (id === undefined || !DOC_ID.test(id)) return null
    const kb = stubOf({ env: ctx.env, config: config(ctx.env) })
    const doc = await kb?.get(id)
    return doc == null ? null : doc.text
  },
})
