// The knowledge base on the wire: `search` and `fetch` as ChatGPT and the Responses API see them
// (CLIENTS.md C3), the query language, citation URLs, the admin API and its limits, and the demo
// corpus. Every test names its own knowledge base (KB_NAME), so tests never see each other's
// documents.

import { env } from 'cloudflare:workers'
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, test } from 'vitest'
import { DEMO_CORPUS } from '../../src/kb/demo.ts'
import type { KnowledgeBase } from '../../src/kb/knowledge-base.ts'
import { createServer } from '../../src/server.ts'
import { TOOLS } from '../../src/tools/index.ts'
import {
  CLIENT_HEADERS,
  request,
  rpc,
  send,
  serverWith,
  toolCall,
  wireTable,
  type Target,
  type WireCase,
} from '../helpers/wire.ts'

const TOKEN = 'test-admin-token-0123456789'
const AUTH = { authorization: `Bearer ${TOKEN}` }
const JSON_TYPE = { 'content-type': 'application/json' }
const MARKDOWN = { 'content-type': 'text/markdown' }
const BASE = 'https://docs.example.com/kb'

let instances = 0
/** A server whose knowledge base is new and empty of uploads (it starts with the demo corpus). */
const kbServer = (settings: Record<string, string> = {}) => {
  const name = `test-${++instances}`
  return {
    name,
    target: serverWith(TOOLS, {
      KB_NAME: name,
      KB_ADMIN_TOKEN: TOKEN,
      KB_BASE_URL: BASE,
      ...settings,
    }),
  }
}

const NAMESPACE = (env as unknown as { KB: DurableObjectNamespace<KnowledgeBase> }).KB
const stubOf = (name: string) => NAMESPACE.get(NAMESPACE.idFromName(name))

const admin = (
  target: Target,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = JSON_TYPE,
) =>
  send(
    {
      method,
      path: `/admin/kb${path}`,
      headers: { ...AUTH, ...headers },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    },
    target,
  )

const upload = async (target: Target, docs: unknown[]) => {
  const res = await admin(target, 'POST', '/docs', docs)
  expect(res.status, await res.clone().text()).toBe(200)
  return res.json()
}

interface CallResult {
  content: { type: string; text: string }[]
  structuredContent?: Record<string, unknown>
  isError?: boolean
}

const call = async (
  target: Target,
  name: string,
  args: unknown,
  version = '2025-11-25',
): Promise<CallResult> => {
  const res = await rpc(
    request(1, 'tools/call', toolCall(name, args)),
    { 'mcp-protocol-version': version },
    target,
  )
  expect(res.status).toBe(200)
  return ((await res.json()) as { result: CallResult }).result
}

interface Result {
  id: string
  title: string
  url: string
  snippet: string
}

const searchIds = async (target: Target, query: string) => {
  const result = await call(target, 'search', { query })
  expect(result.isError, JSON.stringify(result)).toBeUndefined()
  return (result.structuredContent as { results: Result[] }).results.map((hit) => hit.id)
}

/** A corpus built so that each query rule has one clear answer. */
const CORPUS = [
  { id: 'foxes', title: 'Foxes', text: 'Small omnivores of the dog family with a bushy tail.' },
  {
    id: 'forest',
    title: 'Animals of the forest',
    text: 'Deer, badgers and owls live here; a fox is seen now and then near the river.',
  },
  {
    id: 'pangram',
    title: 'A pangram',
    text: 'The quick brown fox jumps over the lazy dog.',
    url: 'https://example.org/pangram',
    metadata: { kind: 'sentence', lang: 'en' },
  },
  { id: 'lazy', title: 'On rest', text: 'The dog was lazy all afternoon.' },
  { id: 'authz', title: 'Authorization', text: 'Who may do what, decided per request.' },
  { id: 'authn', title: 'Authentication', text: 'Who you are, proven with a token.' },
  { id: 'uber', title: 'Über alles', text: 'Ein Überblick über den Fluss.' },
  { id: 'cats', title: 'Cats', text: 'Cats sleep sixteen hours a day.' },
]

describe('search and fetch as CLIENTS.md C3 describes them', () => {
  const ANNOTATIONS = {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  }

  test('BM-KB-1 tools/list shows search and fetch with input, outputSchema and annotations', async () => {
    const res = await rpc(
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-protocol-version': '2025-11-25' },
    )
    const { tools } = ((await res.json()) as { result: { tools: Record<string, unknown>[] } })
      .result
    const search = tools.find((tool) => tool.name === 'search')!
    const fetch = tools.find((tool) => tool.name === 'fetch')!
    expect(search.inputSchema).toEqual({
      type: 'object',
      properties: {
        query: { type: 'string', maxLength: 1000, description: expect.any(String) },
      },
      required: ['query'],
      additionalProperties: false,
    })
    expect(search.outputSchema).toMatchObject({
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: {}, title: {}, url: {}, snippet: {} },
            required: ['id', 'title', 'url', 'snippet'],
          },
        },
      },
      required: ['results'],
    })
    expect(fetch.inputSchema).toEqual({
      type: 'object',
      properties: { id: { type: 'string', maxLength: 128, description: expect.any(String) } },
      required: ['id'],
      additionalProperties: false,
    })
    expect(fetch.outputSchema).toMatchObject({
      type: 'object',
      properties: {
        id: { type: 'string' },
        title: { type: 'string' },
        text: { type: 'string' },
        url: { type: 'string' },
        metadata: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['id', 'title', 'text', 'url'],
    })
    expect(search.annotations).toEqual(ANNOTATIONS)
    expect(fetch.annotations).toEqual(ANNOTATIONS)
  })

  test('BM-KB-2 search answers structuredContent and the same JSON as the single text item', async () => {
    const { target } = kbServer()
    await upload(target, CORPUS)
    const result = await call(target, 'search', { query: 'pangram' })
    expect(result).toEqual({
      content: [{ type: 'text', text: JSON.stringify(result.structuredContent) }],
      structuredContent: {
        results: [
          {
            id: 'pangram',
            title: 'A pangram',
            url: 'https://example.org/pangram',
            snippet: 'The quick brown fox jumps over the lazy dog.',
          },
        ],
      },
    })
  })

  test('BM-KB-2 fetch answers the whole document, as structuredContent and as text', async () => {
    const { target } = kbServer()
    await upload(target, CORPUS)
    const result = await call(target, 'fetch', { id: 'pangram' })
    const doc = {
      id: 'pangram',
      title: 'A pangram',
      text: 'The quick brown fox jumps over the lazy dog.',
      url: 'https://example.org/pangram',
      metadata: { kind: 'sentence', lang: 'en' },
    }
    expect(result).toEqual({
      content: [{ type: 'text', text: JSON.stringify(doc) }],
      structuredContent: doc,
    })
  })

  test('BM-KB-2 a document without metadata is fetched without the key', async () => {
    const { target } = kbServer()
    await upload(target, CORPUS)
    const result = await call(target, 'fetch', { id: 'cats' })
    expect(result.structuredContent).toEqual({
      id: 'cats',
      title: 'Cats',
      text: 'Cats sleep sixteen hours a day.',
      url: `${BASE}/docs/cats`,
    })
  })

  test('BM-KB-2 before 2025-06-18 only the JSON text is sent', async () => {
    const { target } = kbServer()
    await upload(target, CORPUS)
    const result = await call(target, 'fetch', { id: 'cats' }, '2025-03-26')
    expect(result.structuredContent).toBeUndefined()
    expect(JSON.parse(result.content[0]!.text)).toMatchObject({ id: 'cats' })
  })

  test('BM-KB-5 every url is absolute: the document own, else KB_BASE_URL/docs/<id>', async () => {
    const { target } = kbServer()
    await upload(target, CORPUS)
    const result = await call(target, 'search', { query: 'dog' })
    const urls = (result.structuredContent as { results: Result[] }).results.map((r) => r.url)
    expect(urls.length).toBeGreaterThan(1)
    for (const url of urls) expect(url).toMatch(/^https:\/\//)
    expect(urls).toContain('https://example.org/pangram')
    expect(urls).toContain(`${BASE}/docs/lazy`)
  })

  test('BM-KB-5 without KB_BASE_URL, documents are cited under https://kb.example.invalid', async () => {
    const { target, name } = kbServer()
    await upload(target, CORPUS)
    const plain = serverWith(TOOLS, { KB_NAME: name })
    const result = await call(plain, 'fetch', { id: 'cats' })
    expect(result.structuredContent?.url).toBe('https://kb.example.invalid/docs/cats')
  })

  test('BM-KB-5 a KB_BASE_URL that is not an absolute URL is a named setting error', async () => {
    const res = await rpc(
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      {},
      serverWith(TOOLS, { KB_BASE_URL: 'docs/here' }),
    )
    expect(res.status).toBe(500)
    expect(await res.text()).toContain('KB_BASE_URL')
  })

  test.each([
    ['an unknown id', { id: 'no-such-doc' }],
    ['an id no document can have', { id: '../etc/passwd' }],
  ])('BM-KB-6 fetch of %s is a tool error the model can read', async (_, args) => {
    const { target } = kbServer()
    expect(await call(target, 'fetch', args)).toEqual({
      content: [
        {
          type: 'text',
          text: `No document with id "${args.id}" in the knowledge base; search for its id`,
        },
      ],
      isError: true,
    })
  })

  test('BM-KB-12 without the KB binding, search is a tool error that says so', async () => {
    const server = createServer(TOOLS)
    const res = await server.fetch(
      new Request('http://localhost/mcp', {
        method: 'POST',
        headers: { ...CLIENT_HEADERS, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'search', arguments: { query: 'x' } },
        }),
      }),
      { ...env, KB: undefined },
    )
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        content: [
          {
            type: 'text',
            text: 'The knowledge base is not configured: the Worker has no KB Durable Object binding',
          },
        ],
        isError: true,
      },
    })
  })
})

test('BM-KB-12 without the KB binding, the admin API answers 503', async () => {
  const res = await createServer(TOOLS).fetch(
    new Request('http://localhost/admin/kb/stats', { headers: AUTH }),
    { ...env, KB: undefined, KB_ADMIN_TOKEN: TOKEN },
  )
  expect(res.status).toBe(503)
  expect(await res.json()).toEqual({
    error: 'no_knowledge_base',
    message: 'The knowledge base is not configured: the Worker has no KB Durable Object binding',
  })
})

describe('ranking, snippets and the query language', () => {
  const { target } = kbServer()
  const ready = upload(target, CORPUS)

  // [rule, what, query, ids in rank order]
  const cases: [string, string, string, string[]][] = [
    ['BM-KB-3', 'a title match outranks a text match', 'fox', ['foxes', 'pangram', 'forest']],
    ['BM-KB-3', 'words are stemmed', 'jumping', ['pangram']],
    ['BM-KB-3', 'accents are ignored', 'uberblick', ['uber']],
    ['BM-KB-4', 'a phrase matches only those words in a row', '"lazy dog"', ['pangram']],
    ['BM-KB-4', 'a trailing star matches a prefix', 'auth*', ['authn', 'authz']],
    ['BM-KB-4', 'OR matches either', 'cats OR badgers', ['cats', 'forest']],
    ['BM-KB-4', 'NOT excludes', 'fox NOT dog', ['forest']],
    ['BM-KB-4', 'plain words match documents having all of them', 'lazy dog', ['lazy', 'pangram']],
    [
      'BM-KB-4',
      'else documents having any, most matched first',
      'cats owls zebra',
      ['cats', 'forest'],
    ],
    ['BM-KB-4', 'a phrase that matches nothing finds nothing', '"dog lazy fox"', []],
    ['BM-KB-4', 'an unterminated quote is searched as words', '"lazy dog', ['lazy', 'pangram']],
    ['BM-KB-4', 'an unknown column filter is searched as words', 'kind:cats', ['cats']],
    ['BM-KB-4', 'a lone operator is searched as a word', 'AND', ['forest']],
    ['BM-KB-4', 'unbalanced brackets are searched as words', 'cats)', ['cats']],
    ['BM-KB-4', 'hyphenated words match as a phrase', 'lazy-dog', ['pangram']],
    ['BM-KB-4', 'punctuation alone finds nothing', '?!* ()', []],
    ['BM-KB-4', 'an empty query finds nothing', '', []],
    ['BM-KB-4', 'a blank query finds nothing', ' \t ', []],
  ]
  test.each(cases)('%s %s: %j', async (_rule, _what, query, ids) => {
    await ready
    expect(await searchIds(target, query)).toEqual(ids)
  })

  test('BM-KB-3 snippets show the text around the matches, matches in bold', async () => {
    await ready
    const result = await call(target, 'search', { query: '"lazy dog"' })
    const [hit] = (result.structuredContent as { results: Result[] }).results
    expect(hit?.snippet).toBe('The quick brown fox jumps over the **lazy dog**.')
  })

  test('BM-KB-3 long texts are cut to about 24 words around the match', async () => {
    const { target } = kbServer()
    const filler = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ')
    await upload(target, [{ id: 'long', title: 'Long', text: `${filler} needle ${filler}` }])
    const result = await call(target, 'search', { query: 'needle' })
    const snippet = (result.structuredContent as { results: Result[] }).results[0]!.snippet
    expect(snippet).toMatch(/^….* \*\*needle\*\* .*…$/)
    expect(snippet.split(' ').length).toBeLessThanOrEqual(24)
  })

  test('BM-KB-3 at most KB_SEARCH_LIMIT results, best first', async () => {
    const { target } = kbServer({ KB_SEARCH_LIMIT: '2' })
    await upload(target, CORPUS)
    expect(await searchIds(target, 'fox')).toEqual(['foxes', 'pangram'])
  })

  test('BM-KB-4 a query longer than 1000 characters is refused as invalid arguments', async () => {
    const result = await call(target, 'search', { query: 'x'.repeat(1001) })
    expect(result.isError).toBe(true)
    expect(result.content[0]?.text).toMatch(/^Invalid arguments for tool search: "arguments.query"/)
  })
})

describe('admin API: authentication', () => {
  const { target } = kbServer()
  const stats = (headers: Record<string, string>): WireCase['request'] => ({
    method: 'GET',
    path: '/admin/kb/stats',
    headers,
  })
  wireTable([
    {
      rule: 'BM-KB-7',
      name: 'without the KB_ADMIN_TOKEN secret the API is off (503, JSON)',
      request: stats(AUTH),
      target: serverWith(TOOLS, { KB_ADMIN_TOKEN: '' }),
      expect: {
        status: 503,
        json: {
          error: 'admin_disabled',
          message:
            'The knowledge-base admin API is off: set the KB_ADMIN_TOKEN secret (at least 16 characters) to enable it, e.g. wrangler secret put KB_ADMIN_TOKEN',
        },
      },
    },
    {
      rule: 'BM-KB-7',
      name: 'a KB_ADMIN_TOKEN shorter than 16 characters keeps it off',
      request: stats({ authorization: 'Bearer short' }),
      target: serverWith(TOOLS, { KB_ADMIN_TOKEN: 'short' }),
      expect: {
        status: 503,
        json: {
          error: 'admin_disabled',
          message:
            'The knowledge-base admin API is off: KB_ADMIN_TOKEN must be at least 16 characters',
        },
      },
    },
    {
      rule: 'BM-KB-7',
      name: 'no Authorization header is 401 with WWW-Authenticate: Bearer',
      request: stats({}),
      target,
      expect: {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="kb-admin"' },
        json: { error: 'unauthorized', message: 'Send Authorization: Bearer <KB_ADMIN_TOKEN>' },
      },
    },
    {
      rule: 'BM-KB-7',
      name: 'a wrong token is 401 with error="invalid_token"',
      request: stats({ authorization: `Bearer ${TOKEN}x` }),
      target,
      expect: {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="kb-admin", error="invalid_token"' },
        json: { error: 'unauthorized', message: 'The bearer token is not KB_ADMIN_TOKEN' },
      },
    },
    {
      rule: 'BM-KB-7',
      name: 'another scheme is 401',
      request: stats({ authorization: `Basic ${btoa(`admin:${TOKEN}`)}` }),
      target,
      expect: { status: 401, headers: { 'www-authenticate': 'Bearer realm="kb-admin"' } },
    },
    {
      rule: 'BM-KB-7',
      name: 'unknown admin paths are 401 too before the token is checked',
      request: { method: 'GET', path: '/admin/kb/nothing', headers: {} },
      target,
      expect: { status: 401 },
    },
    {
      rule: 'BM-KB-7',
      name: 'the right token is let in (scheme case-insensitive)',
      request: stats({ authorization: `bearer ${TOKEN}` }),
      target,
      expect: { status: 200 },
    },
    {
      rule: 'BM-KB-7',
      name: 'a path that only starts like the admin prefix is not the admin API',
      request: { method: 'GET', path: '/admin/kbx', headers: {} },
      target,
      expect: { status: 404 },
    },
  ])
})

describe('admin API: uploads and their limits', () => {
  const { target } = kbServer({ KB_MAX_UPLOAD_BYTES: '4096' })
  const post = (
    body: string,
    headers: Record<string, string> = JSON_TYPE,
  ): WireCase['request'] => ({
    method: 'POST',
    path: '/admin/kb/docs',
    headers: { ...AUTH, ...headers },
    body,
  })
  const doc = (id: string) => ({ id, title: `Doc ${id}`, text: 'x' })
  const invalid = (message: string) => ({ error: 'invalid_document', message })
  wireTable([
    {
      rule: 'BM-KB-8',
      name: 'more than 500 documents in one upload is 413',
      request: post(JSON.stringify(Array.from({ length: 501 }, (_, i) => ({ id: `d${i}` })))),
      target: kbServer().target,
      expect: {
        status: 413,
        json: {
          error: 'too_many_documents',
          message:
            'At most 500 documents per request (got 501); send them in batches, as npm run kb:import does',
        },
      },
    },
    {
      rule: 'BM-KB-8',
      name: 'a body over KB_MAX_UPLOAD_BYTES is 413',
      request: post(JSON.stringify([{ id: 'big', title: 'Big', text: 'x'.repeat(5000) }])),
      target,
      expect: {
        status: 413,
        json: {
          error: 'body_too_large',
          message:
            'The body is larger than KB_MAX_UPLOAD_BYTES (4096 bytes); send fewer documents per request',
        },
      },
    },
    {
      rule: 'BM-KB-8',
      name: 'a body that is not JSON is 400',
      request: post('[{"id":'),
      target,
      expect: {
        status: 400,
        json: { error: 'invalid_json', message: 'The body is not valid JSON' },
      },
    },
    {
      rule: 'BM-KB-8',
      name: 'a body that is not an array is 400',
      request: post(JSON.stringify(doc('a'))),
      target,
      expect: {
        status: 400,
        json: invalid('The body must be a JSON array of documents'),
      },
    },
    {
      rule: 'BM-KB-8',
      name: 'a document missing its title is 400 naming it',
      request: post(JSON.stringify([doc('a'), { id: 'b', text: 't' }])),
      target,
      expect: { status: 400, json: invalid('"documents.1.title" is required') },
    },
    {
      rule: 'BM-KB-8',
      name: 'an id with characters a URL would escape is 400',
      request: post(JSON.stringify([{ ...doc('a'), id: 'a b/c' }])),
      target,
      expect: {
        status: 400,
        json: invalid(
          '"documents.0.id" must be 1 to 128 of A-Z a-z 0-9 . _ ~ - starting with a letter or digit',
        ),
      },
    },
    {
      rule: 'BM-KB-8',
      name: 'a url that is not absolute is 400',
      request: post(JSON.stringify([{ ...doc('a'), url: '/docs/a' }])),
      target,
      expect: {
        status: 400,
        json: invalid('"documents.0.url" must be an absolute http(s) URL'),
      },
    },
    {
      rule: 'BM-KB-8',
      name: 'metadata values must be strings',
      request: post(JSON.stringify([{ ...doc('a'), metadata: { year: 2026 } }])),
      target,
      expect: {
        status: 400,
        json: invalid('"documents.0.metadata.year" values must be strings'),
      },
    },
    {
      rule: 'BM-KB-8',
      name: 'unknown fields are refused (a typo must not lose data silently)',
      request: post(JSON.stringify([{ ...doc('a'), body: 'text' }])),
      target,
      expect: { status: 400 },
    },
    {
      rule: 'BM-KB-8',
      name: 'one id twice in an upload is 400',
      request: post(JSON.stringify([doc('a'), doc('a')])),
      target,
      expect: { status: 400, json: invalid('The id "a" appears twice in this upload') },
    },
    {
      rule: 'BM-KB-8',
      name: 'a body neither JSON nor Markdown is 415',
      request: post('hello', { 'content-type': 'text/plain' }),
      target,
      expect: {
        status: 415,
        json: {
          error: 'unsupported_media_type',
          message:
            'Send Content-Type: application/json (documents) or text/markdown (one document)',
        },
      },
    },
    {
      rule: 'BM-KB-9',
      name: 'Markdown without a # heading or ?title= is 400',
      request: post('just text', MARKDOWN),
      target,
      expect: {
        status: 400,
        json: invalid('The Markdown has no "# Title" heading; add one or send ?title='),
      },
    },
    {
      rule: 'BM-KB-9',
      name: 'Markdown whose title makes no id, without ?id=, is 400',
      request: post('# 日本語\n\ntext', MARKDOWN),
      target,
      expect: { status: 400, json: invalid('No id can be made from this title; send ?id=') },
    },
    {
      rule: 'BM-KB-10',
      name: 'PUT with a body id other than the path id is 400',
      request: {
        method: 'PUT',
        path: '/admin/kb/docs/a',
        headers: { ...AUTH, ...JSON_TYPE },
        body: JSON.stringify(doc('b')),
      },
      target,
      expect: { status: 400, json: invalid('The body\'s id "b" is not the path\'s "a"') },
    },
    {
      rule: 'BM-KB-10',
      name: 'an unknown admin path is 404',
      request: { method: 'GET', path: '/admin/kb/docs/a/b', headers: AUTH },
      target,
      expect: { status: 404 },
    },
    {
      rule: 'BM-KB-10',
      name: 'a wrong method is 405 with Allow',
      request: { method: 'POST', path: '/admin/kb/stats', headers: AUTH },
      target,
      expect: { status: 405, headers: { allow: 'GET' } },
    },
    {
      rule: 'BM-KB-10',
      name: 'GET of an unknown document is 404',
      request: { method: 'GET', path: '/admin/kb/docs/nope', headers: AUTH },
      target,
      expect: {
        status: 404,
        json: { error: 'not_found', message: 'No document with id "nope"' },
      },
    },
    {
      rule: 'BM-KB-10',
      name: 'DELETE of an unknown document is 404',
      request: { method: 'DELETE', path: '/admin/kb/docs/nope', headers: AUTH },
      target,
      expect: { status: 404 },
    },
  ])

  test('BM-KB-8 a refused upload changes nothing (all or none)', async () => {
    const { target } = kbServer()
    await upload(target, [doc('kept')])
    const res = await admin(target, 'POST', '/docs', [doc('new'), { id: 'bad' }])
    expect(res.status).toBe(400)
    expect(await (await admin(target, 'GET', '/stats')).json()).toMatchObject({ documents: 1 })
  })

  test('BM-KB-8 exactly 500 documents is one upload', async () => {
    const { target } = kbServer()
    const docs = Array.from({ length: 500 }, (_, i) => ({
      id: `d${i}`,
      title: `Document ${i}`,
      text: `Body of document ${i} about topic${i % 7}.`,
    }))
    expect(await upload(target, docs)).toEqual({ created: 500, updated: 0, documents: 500 })
    expect(await searchIds(target, 'topic3')).toHaveLength(10)
  })
})

describe('admin API: the life of a document', () => {
  test('BM-KB-8 bulk upload creates, then updates, by id', async () => {
    const { target } = kbServer()
    expect(await upload(target, CORPUS)).toEqual({ created: 8, updated: 0, documents: 8 })
    expect(
      await upload(target, [
        { id: 'cats', title: 'Cats', text: 'Cats purr.' },
        { id: 'dogs', title: 'Dogs', text: 'Dogs bark.' },
      ]),
    ).toEqual({ created: 1, updated: 1, documents: 9 })
    expect(await searchIds(target, 'purr')).toEqual(['cats'])
    expect(await searchIds(target, 'sixteen')).toEqual([])
  })

  test('BM-KB-9 Markdown: title from the first # heading, id from ?id= or the title', async () => {
    const { target } = kbServer()
    const markdown = [
      '```sh',
      '# not a heading: inside a code fence',
      '```',
      '',
      '# Über die Streams ##',
      '',
      'Server-Sent Events carry *progress*.',
      '',
      '## Details',
    ].join('\n')
    const byTitle = await admin(target, 'POST', '/docs', markdown, MARKDOWN)
    expect(byTitle.status).toBe(201)
    expect(await byTitle.json()).toEqual({
      id: 'uber-die-streams',
      created: 1,
      updated: 0,
      documents: 1,
    })
    const fetched = await call(target, 'fetch', { id: 'uber-die-streams' })
    expect(fetched.structuredContent).toEqual({
      id: 'uber-die-streams',
      title: 'Über die Streams',
      text: '```sh\n# not a heading: inside a code fence\n```\n\nServer-Sent Events carry *progress*.\n\n## Details',
      url: `${BASE}/docs/uber-die-streams`,
    })

    const byId = await admin(
      target,
      'POST',
      '/docs?id=sse&url=https%3A%2F%2Fexample.org%2Fsse',
      '# SSE\n\nEvents.',
      { 'content-type': 'text/markdown; charset=utf-8' },
    )
    expect(byId.status).toBe(201)
    expect((await call(target, 'fetch', { id: 'sse' })).structuredContent).toEqual({
      id: 'sse',
      title: 'SSE',
      text: 'Events.',
      url: 'https://example.org/sse',
    })
    const again = await admin(target, 'POST', '/docs?id=sse', '# SSE\n\nEvents, again.', MARKDOWN)
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ id: 'sse', created: 0, updated: 1 })
  })

  test('BM-KB-10 PUT creates (201) then replaces (200); GET and DELETE by id', async () => {
    const { target } = kbServer()
    const put = (body: unknown, headers = JSON_TYPE) =>
      admin(target, 'PUT', '/docs/guide', body, headers)
    const created = await put({ title: 'Guide', text: 'First edition.' })
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ id: 'guide', created: 1, updated: 0, documents: 1 })

    const replaced = await put({ id: 'guide', title: 'Guide', text: 'Second edition.' })
    expect(replaced.status).toBe(200)
    expect(await searchIds(target, 'second')).toEqual(['guide'])
    expect(await searchIds(target, 'first')).toEqual([])

    const markdown = await put('# Guide\n\nThird edition.', MARKDOWN)
    expect(markdown.status).toBe(200)
    expect(await (await admin(target, 'GET', '/docs/guide')).json()).toEqual({
      id: 'guide',
      title: 'Guide',
      text: 'Third edition.',
      url: null,
      metadata: null,
    })

    const deleted = await admin(target, 'DELETE', '/docs/guide')
    expect(await deleted.json()).toEqual({ deleted: 'guide' })
    expect((await call(target, 'fetch', { id: 'guide' })).isError).toBe(true)
    expect(await searchIds(target, 'edition')).toEqual([])
  })

  test('BM-KB-10 stats count documents and bytes', async () => {
    const { target, name } = kbServer()
    await upload(target, [
      { id: 'a', title: 'Ab', text: 'cdé' },
      { id: 'b', title: 'B', text: '' },
    ])
    const stats = await (await admin(target, 'GET', '/stats')).json()
    expect(stats).toEqual({
      documents: 2,
      demo: false,
      textBytes: 2 + 4 + 1,
      databaseBytes: expect.any(Number),
      lastUpdated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      name,
      baseUrl: BASE,
    })
  })

  test('BM-KB-10 the full-text index stays in step with the documents', async () => {
    const { target, name } = kbServer()
    await upload(target, CORPUS)
    await upload(target, [{ id: 'cats', title: 'Cats', text: 'Changed.' }])
    await admin(target, 'DELETE', '/docs/foxes')
    await admin(target, 'PUT', '/docs/new', { title: 'New', text: 'Fresh.' })
    const counts = await runInDurableObject(stubOf(name), (_, state) => {
      const sql = state.storage.sql
      // FTS5's own consistency check of an external-content index; throws when out of step.
      sql.exec(`INSERT INTO docs_fts(docs_fts, rank) VALUES ('integrity-check', 1)`)
      return {
        docs: sql.exec('SELECT count(*) AS n FROM docs').one().n,
        indexed: sql
          .exec(`SELECT count(*) AS n FROM docs_fts WHERE docs_fts MATCH 'changed OR fresh'`)
          .one().n,
      }
    })
    expect(counts).toEqual({ docs: 8, indexed: 2 })
  })
})

describe('the demo corpus', () => {
  test('BM-KB-11 a new knowledge base answers at once from the demo corpus', async () => {
    const { target } = kbServer()
    expect(await searchIds(target, 'streamable http')).toContain('streamable-http')
    const fetched = await call(target, 'fetch', { id: 'what-is-bare-mcp' })
    expect(fetched.structuredContent).toMatchObject({
      title: 'What is bare-mcp?',
      url: `${BASE}/docs/what-is-bare-mcp`,
      metadata: { source: 'bare-mcp demo corpus' },
    })
    expect(await (await admin(target, 'GET', '/stats')).json()).toMatchObject({
      documents: DEMO_CORPUS.length,
      demo: true,
    })
  })

  test('BM-KB-11 the first upload replaces it', async () => {
    const { target } = kbServer()
    await upload(target, [{ id: 'mine', title: 'Mine', text: 'My own document.' }])
    expect(await (await admin(target, 'GET', '/stats')).json()).toMatchObject({
      documents: 1,
      demo: false,
    })
    expect(await searchIds(target, 'streamable http')).toEqual([])
  })

  test('BM-KB-11 after clearing, it is not seeded again, even after a restart', async () => {
    const { target, name } = kbServer()
    const cleared = await admin(target, 'DELETE', '/docs')
    expect(await cleared.json()).toEqual({ deleted: DEMO_CORPUS.length })
    await evictDurableObject(stubOf(name))
    expect(await searchIds(target, 'mcp')).toEqual([])
    expect(await (await admin(target, 'GET', '/stats')).json()).toMatchObject({
      documents: 0,
      demo: false,
      lastUpdated: null,
    })
  })

  test.each(DEMO_CORPUS.map((doc) => [doc.id, doc.title]))(
    'BM-KB-11 demo document %s is found by its title',
    async (id, title) => {
      const { target } = kbServer()
      expect((await searchIds(target, title))[0]).toBe(id)
    },
  )
})
