// A knowledge-base document, as the admin API accepts it and `fetch` returns it:
//
//   {"id":"streamable-http","title":"Streamable HTTP","text":"One endpoint, POST ...",
//    "url":"https://example.com/docs/streamable-http","metadata":{"section":"transports"}}
//
// `id` is what `search` returns and `fetch` takes (CLIENTS.md C3). It is limited to URL-safe
// characters so it can sit in a path unescaped (`/admin/kb/docs/<id>`, `KB_BASE_URL/docs/<id>`).
// `url` is the citation link; a document without one is cited as `${KB_BASE_URL}/docs/<id>`.

import * as v from 'valibot'

/** URL-unreserved characters (RFC 3986 §2.3), starting with a letter or digit. */
export const DOC_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/

/** Limits on one document. SQLite rows in a Durable Object may hold at most 2 MB. */
export const LIMITS = {
  titleChars: 500,
  textBytes: 1_048_576,
  metadataKeys: 50,
  metadataKeyChars: 100,
  metadataValueChars: 2_000,
} as const

export const DocIdSchema = v.pipe(
  v.string('must be a string'),
  v.regex(DOC_ID, 'must be 1 to 128 of A-Z a-z 0-9 . _ ~ - starting with a letter or digit'),
)

const AbsoluteUrl = v.pipe(
  v.string('must be a string'),
  v.maxLength(2_048, 'must be at most 2048 characters'),
  v.check((value) => {
    try {
      return /^https?:$/.test(new URL(value).protocol)
    } catch {
      return false
    }
  }, 'must be an absolute http(s) URL'),
)

const MetadataSchema = v.pipe(
  v.record(
    v.pipe(
      v.string(),
      v.minLength(1, 'keys must not be empty'),
      v.maxLength(
        LIMITS.metadataKeyChars,
        `keys must be at most ${LIMITS.metadataKeyChars} characters`,
      ),
    ),
    v.pipe(
      v.string('values must be strings'),
      v.maxLength(
        LIMITS.metadataValueChars,
        `values must be at most ${LIMITS.metadataValueChars} characters`,
      ),
    ),
    'must be an object of strings',
  ),
  v.check(
    (metadata) => Object.keys(metadata).length <= LIMITS.metadataKeys,
    `must have at most ${LIMITS.metadataKeys} keys`,
  ),
)

/** The fields of a document other than its id (the body of `PUT /admin/kb/docs/<id>`). */
const fields = {
  title: v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(LIMITS.titleChars, `must be at most ${LIMITS.titleChars} characters`),
  ),
  text: v.pipe(
    v.string('must be a string'),
    v.maxBytes(LIMITS.textBytes, `must be at most ${LIMITS.textBytes} bytes of UTF-8`),
  ),
  url: v.optional(v.nullable(AbsoluteUrl)),
  metadata: v.optional(v.nullable(MetadataSchema)),
}

export const DocSchema = v.strictObject({ id: DocIdSchema, ...fields })

/** A PUT body: the id comes from the path; an id in the body must match it. */
export const DocBodySchema = v.strictObject({ id: v.optional(DocIdSchema), ...fields })

export type DocInput = v.InferOutput<typeof DocSchema>

/** A document as stored: absent url and metadata are null. */
export interface Doc {
  id: string
  title: string
  text: string
  url: string | null
  metadata: Record<string, string> | null
}

/** One `search` hit as the Durable Object returns it (before the citation URL is resolved). */
export interface Hit {
  id: string
  title: string
  url: string | null
  snippet: string
}

/** Normalises a validated input to the stored shape. */
export const toDoc = (input: DocInput): Doc => ({
  id: input.id,
  title: input.title,
  text: input.text,
  url: input.url ?? null,
  metadata: input.metadata ?? null,
})

/** The citation URL of a document: its own, else `${base}/docs/<id>` (C3: always absolute). */
export const citationUrl = (doc: { id: string; url: string | null }, base: string): string =>
  doc.url ?? `${base}/docs/${doc.id}`
