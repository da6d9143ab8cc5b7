// The knowledge base's admin API: how documents get in. Not MCP; plain JSON over HTTP, for
// `npm run kb:import` and curl. Every request carries `Authorization: Bearer <KB_ADMIN_TOKEN>`.
//
//   GET    /admin/kb/stats          counts and sizes
//   POST   /admin/kb/docs           application/json: an array of up to 500 documents (upsert)
//                                   text/markdown: one document (?id=, ?url=, ?title=)
//   DELETE /admin/kb/docs           every document
//   GET    /admin/kb/docs/<id>      one document
//   PUT    /admin/kb/docs/<id>      create or replace one (JSON fields, or Markdown)
//   DELETE /admin/kb/docs/<id>      delete one
//
// Without the KB_ADMIN_TOKEN secret the whole API answers 503: it is off, never open.

import * as v from 'valibot'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { adminGate } from '../http/admin-gate.ts'
import { readBody } from '../http/body.ts'
import { parseMediaType } from '../http/media-type.ts'
import { failure, json, methodNotAllowed } from '../http/responses.ts'
import { describeIssues } from '../jsonrpc/issues.ts'
import { knowledgeBase, NoKnowledgeBase } from './binding.ts'
import { DocBodySchema, DocIdSchema, DocSchema, toDoc, type Doc } from './document.ts'
import { parseMarkdown, slug } from './markdown.ts'

/** Where the admin API lives; src/server.ts hands every path under it here. */
export const ADMIN_PREFIX = '/admin/kb'

export const isAdminPath = (path: string): boolean =>
  path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)

/** Most documents in one bulk upload: bounds one request's work and one transaction's size. */
export const MAX_BATCH = 500

const GATE = { setting: 'KB_ADMIN_TOKEN', what: 'knowledge-base admin API', realm: 'kb-admin' }

/** Answers a request under `/admin/kb`. */
export const admin = async (request: Request, env: Env, settings: Config): Promise<Response> => {
  const refused = await adminGate(request, env.KB_ADMIN_TOKEN, GATE)
  if (refused !== null) return refused
  try {
    return await route(request, env, settings)
  } catch (error) {
    if (error instanceof NoKnowledgeBase) return failure(503, 'no_knowledge_base', error.message)
    throw error
  }
}

type Stub = ReturnType<typeof knowledgeBase>

const route = async (request: Request, env: Env, settings: Config): Promise<Response> => {
  const url = new URL(request.url)
  const path = url.pathname.slice(ADMIN_PREFIX.length).replace(/\/+$/, '')
  const method = request.method
  const kb = () => knowledgeBase(env, settings)

  if (path === '/stats') {
    if (method !== 'GET') return methodNotAllowed('GET')
    return json({ ...(await kb().stats()), name: settings.KB_NAME, baseUrl: settings.KB_BASE_URL })
  }
  if (path === '/docs') {
    if (method === 'POST') return upload(request, url, kb(), settings)
    if (method === 'DELETE') return json({ deleted: await kb().clear() })
    return methodNotAllowed('POST, DELETE')
  }
  const match = /^\/docs\/([^/]+)$/.exec(path)
  if (match === null) {
    return failure(
      404,
      'not_found',
      `Nothing at ${url.pathname}; see ${ADMIN_PREFIX}/stats and ${ADMIN_PREFIX}/docs`,
    )
  }
  const id = v.safeParse(DocIdSchema, safeDecode(match[1]!))
  if (!id.success) return failure(400, 'invalid_id', `The document id ${describeIssues(id.issues)}`)
  if (method === 'GET') {
    const doc = await kb().get(id.output)
    return doc === null ? noDocument(id.output) : json(doc)
  }
  if (method === 'PUT') return put(request, url, id.output, kb(), settings)
  if (method === 'DELETE') {
    return (await kb().remove(id.output)) ? json({ deleted: id.output }) : noDocument(id.output)
  }
  return methodNotAllowed('GET, PUT, DELETE')
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const noDocument = (id: string) => failure(404, 'not_found', `No document with id "${id}"`)

type Body = { ok: true; text: string; markdown: boolean } | { ok: false; response: Response }

/** Reads a JSON or Markdown body within KB_MAX_UPLOAD_BYTES. */
const readUpload = async (request: Request, settings: Config): Promise<Body> => {
  const type = parseMediaType(request.headers.get('content-type') ?? '')?.essence
  const markdown = type === 'text/markdown' || type === 'text/x-markdown'
  if (type !== 'application/json' && !markdown) {
    return {
      ok: false,
      response: failure(
        415,
        'unsupported_media_type',
        'Send Content-Type: application/json (documents) or text/markdown (one document)',
      ),
    }
  }
  const body = await readBody(request, settings.KB_MAX_UPLOAD_BYTES)
  if (body.ok) return { ok: true, text: body.text, markdown }
  return {
    ok: false,
    response:
      body.reason === 'too-large'
        ? failure(
            413,
            'body_too_large',
            `The body is larger than KB_MAX_UPLOAD_BYTES (${settings.KB_MAX_UPLOAD_BYTES} bytes); send fewer documents per request`,
          )
        : failure(400, 'invalid_body', 'The body is not valid UTF-8'),
  }
}

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const invalidJson = () => failure(400, 'invalid_json', 'The body is not valid JSON')

/** A Markdown body as a document; the id, when not fixed by the path, comes from ?id= or the title. */
const markdownDoc = (text: string, url: URL, pathId?: string): Doc | Response => {
  const parsed = parseMarkdown(text)
  const title = url.searchParams.get('title') ?? parsed.title
  if (title === null) {
    return failure(
      400,
      'invalid_document',
      'The Markdown has no "# Title" heading; add one or send ?title=',
    )
  }
  const id = pathId ?? url.searchParams.get('id') ?? slug(title)
  if (id === '') {
    return failure(400, 'invalid_document', 'No id can be made from this title; send ?id=')
  }
  const input = { id, title, text: parsed.text, url: url.searchParams.get('url') }
  const checked = v.safeParse(DocSchema, input)
  if (!checked.success) {
    return failure(400, 'invalid_document', `The document ${describeIssues(checked.issues)}`)
  }
  return toDoc(checked.output)
}

const BulkSchema = v.array(DocSchema)

const upload = async (request: Request, url: URL, kb: Stub, settings: Config) => {
  const body = await readUpload(request, settings)
  if (!body.ok) return body.response
  if (body.markdown) {
    const doc = markdownDoc(body.text, url)
    if (doc instanceof Response) return doc
    const done = await kb.upsert([doc])
    return json({ id: doc.id, ...done }, done.created === 1 ? 201 : 200)
  }
  const parsed = parseJson(body.text)
  if (!parsed.ok) return invalidJson()
  if (!Array.isArray(parsed.value)) {
    return failure(400, 'invalid_document', 'The body must be a JSON array of documents')
  }
  if (parsed.value.length > MAX_BATCH) {
    return failure(
      413,
      'too_many_documents',
      `At most ${MAX_BATCH} documents per request (got ${parsed.value.length}); send them in batches, as npm run kb:import does`,
    )
  }
  const checked = v.safeParse(BulkSchema, parsed.value)
  if (!checked.success) {
    return failure(400, 'invalid_document', describeIssues(checked.issues, 'documents'))
  }
  const seen = new Set<string>()
  for (const doc of checked.output) {
    if (seen.has(doc.id)) {
      return failure(400, 'invalid_document', `The id "${doc.id}" appears twice in this upload`)
    }
    seen.add(doc.id)
  }
  return json(await kb.upsert(checked.output.map(toDoc)))
}

const put = async (request: Request, url: URL, id: string, kb: Stub, settings: Config) => {
  const body = await readUpload(request, settings)
  if (!body.ok) return body.response
  let doc: Doc
  if (body.markdown) {
    const made = markdownDoc(body.text, url, id)
    if (made instanceof Response) return made
    doc = made
  } else {
    const parsed = parseJson(body.text)
    if (!parsed.ok) return invalidJson()
    const checked = v.safeParse(DocBodySchema, parsed.value)
    if (!checked.success) {
      return failure(400, 'invalid_document', `The document ${describeIssues(checked.issues)}`)
    }
    if (checked.output.id !== undefined && checked.output.id !== id) {
      return failure(
        400,
        'invalid_document',
        `The body's id "${checked.output.id}" is not the path's "${id}"`,
      )
    }
    doc = toDoc({ ...checked.output, id })
  }
  const done = await kb.upsert([doc])
  return json({ id, ...done }, done.created === 1 ? 201 : 200)
}
