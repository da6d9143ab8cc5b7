// A resource list that changes at run time, and its announcement: the knowledge base's documents
// as resources (listed after the fixed ones, read through kb://docs/{id}), the capability that
// says the list changes, and `notifications/resources/list_changed` when a document is uploaded
// or deleted, on a 2025-11-25 session's GET stream, a 2024-11-05 /sse stream and a 2026-07-28
// `subscriptions/listen` stream that asked for it.
//
// Each test file runs in its own workerd instance, and its `env` is the one the Worker and the
// session shards read: the settings below reach both. One knowledge base serves this file.

import { env } from 'cloudflare:workers'
import { describe, expect, test } from 'vitest'
import { DEMO_CORPUS } from '../../src/kb/demo.ts'
import type { KnowledgeBase } from '../../src/kb/knowledge-base.ts'
import type { ResourceSource } from '../../src/resources/source.ts'
import { greeting } from '../../src/resources/greeting.ts'
import { logo } from '../../src/resources/logo.ts'
import { readme } from '../../src/resources/readme.ts'
import { echo } from '../../src/tools/echo.ts'
import { legacyRequest, modernRequest, rpcError } from '../helpers/eras.ts'
import {
  CLIENT_HEADERS,
  initializeRequest,
  parseSse,
  rpc,
  send,
  serverWith,
  workerWith,
  type ParsedEvent,
  type Target,
} from '../helpers/wire.ts'

const TOKEN = 'list-changed-admin-token-0123'
const POLL_MS = 500
Object.assign(env as unknown as Record<string, string>, {
  KB_ADMIN_TOKEN: TOKEN,
  KB_NAME: 'list-changed',
  LIST_CHANGED_POLL_MS: String(POLL_MS),
})

const LIST_CHANGED = 'notifications/resources/list_changed'
const SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId'

/** The demo corpus as resources/list shows it: ordered by id. */
const DEMO_IDS = DEMO_CORPUS.map((doc) => doc.id).sort()

const admin = async (method: string, path: string, body?: unknown) => {
  const res = await send({
    method,
    path: `/admin/kb${path}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  expect(res.status, await res.clone().text()).toBeLessThan(300)
  return res.json()
}

let uploads = 0
/** Uploads one new document; its id. */
const uploadOne = async () => {
  const id = `note-${++uploads}`
  await admin('PUT', `/docs/${id}`, { title: `Note ${uploads}`, text: `Text of note ${uploads}.` })
  return id
}

/** Reads an SSE body in steps: each `until` reads on until it holds or `ms` pass. */
const tap = (body: ReadableStream<Uint8Array>) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  // A read still waiting when a step timed out is the next step's first.
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null
  const events = () => parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2))
  return {
    async until(done: (events: ParsedEvent[]) => boolean, ms: number): Promise<ParsedEvent[]> {
      const deadline = Date.now() + ms
      while (!done(events()) && Date.now() < deadline) {
        pending ??= reader.read()
        const next = await Promise.race([
          pending,
          scheduler.wait(Math.max(0, deadline - Date.now())).then(() => null),
        ])
        if (next === null) break
        pending = null
        if (next.done) break
        text += decoder.decode(next.value, { stream: true })
      }
      return events()
    },
    cancel: () => reader.cancel(),
  }
}

/** The JSON-RPC messages among `events` (not priming events, not the /sse endpoint event). */
const jsonOf = (events: ParsedEvent[]) =>
  events
    .filter((event) => event.data !== '' && event.event !== 'endpoint')
    .map((event) => JSON.parse(event.data) as { method?: string; params?: unknown })

const changesIn = (events: ParsedEvent[]) =>
  jsonOf(events).filter((message) => message.method === LIST_CHANGED)

/** Initializes a 2025-11-25 session on `target`; its id. */
const openSession = async (target?: Target) => {
  const res = await rpc(initializeRequest('2025-11-25'), {}, target)
  const id = res.headers.get('mcp-session-id')
  await res.text()
  expect(id).not.toBeNull()
  return id!
}

/** The session's GET stream, read past its priming event. */
const getStream = async (session: string, target?: Target, lastEventId?: string) => {
  const res = await send(
    {
      method: 'GET',
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': session,
        ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
      },
    },
    target,
  )
  expect(res.status).toBe(200)
  return tap(res.body!)
}

const body = async (request: ReturnType<typeof legacyRequest>, target?: Target) =>
  (await (await send(request, target)).json()) as { result: Record<string, unknown> }

describe('BM-KB-13 knowledge-base documents are resources', () => {
  test('BM-KB-13 resources/list shows the fixed resources, then every document by id', async () => {
    const { result } = await body(legacyRequest('resources/list'))
    const resources = result.resources as Record<string, unknown>[]
    expect(resources.map((resource) => resource.uri)).toEqual([
      'bare-mcp://readme',
      'bare-mcp://logo.png',
      ...DEMO_IDS.map((id) => `kb://docs/${id}`),
    ])
    const doc = DEMO_CORPUS.find((item) => item.id === DEMO_IDS[0])!
    expect(resources[2]).toEqual({
      uri: `kb://docs/${doc.id}`,
      name: doc.id,
      title: doc.title,
      mimeType: 'text/markdown',
      size: new TextEncoder().encode(doc.text).length,
      annotations: { lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) },
    })
    expect(result).not.toHaveProperty('nextCursor')
  })

  test('BM-KB-13 2024-11-05 lists documents without title or lastModified', async () => {
    const { result } = await body(legacyRequest('resources/list', {}, '2024-11-05'))
    const [doc] = (result.resources as Record<string, unknown>[]).slice(2)
    expect(Object.keys(doc!).sort()).toEqual(['mimeType', 'name', 'size', 'uri'])
  })

  test('BM-KB-13 pages run from the fixed resources into the documents (R-SF-34)', async () => {
    const paged = workerWith({ PAGE_SIZE: '3' })
    const seen: unknown[] = []
    let cursor: string | undefined
    for (let pages = 0; pages < 10 && (pages === 0 || cursor !== undefined); pages++) {
      const { result } = await body(
        legacyRequest('resources/list', cursor === undefined ? {} : { cursor }),
        paged,
      )
      const items = result.resources as { uri: string }[]
      expect(items.length).toBeGreaterThan(0)
      expect(items.length).toBeLessThanOrEqual(3)
      seen.push(...items.map((item) => item.uri))
      cursor = result.nextCursor as string | undefined
    }
    expect(cursor).toBeUndefined()
    expect(seen).toEqual([
      'bare-mcp://readme',
      'bare-mcp://logo.png',
      ...DEMO_IDS.map((id) => `kb://docs/${id}`),
    ])
  })

  test('R-SF-34 with a source, one page at a time still reaches every fixed resource (an empty source)', async () => {
    const empty: ResourceSource = {
      list: async () => ({ resources: [], more: false }),
      version: async () => '1',
    }
    const server = serverWith(
      [],
      { PAGE_SIZE: '1' },
      { resources: [readme, logo], resourceSource: empty },
    )
    const first = await body(legacyRequest('resources/list'), server)
    expect((first.result.resources as { uri: string }[]).map((r) => r.uri)).toEqual([readme.uri])
    const cursor = first.result.nextCursor as string
    expect(cursor).toEqual(expect.any(String))
    const second = await body(legacyRequest('resources/list', { cursor }), server)
    expect(second.result).toEqual({ resources: [expect.objectContaining({ uri: logo.uri })] })
  })

  test('BM-KB-13 a cursor past the last document is -32602 (R-SF-34)', async () => {
    const past = btoa(JSON.stringify({ o: 2 + DEMO_IDS.length })).replace(/=+$/, '')
    const res = await send(legacyRequest('resources/list', { cursor: past }))
    expect(await res.json()).toEqual(rpcError(-32602, 'Invalid cursor'))
  })

  test('BM-KB-13 resources/templates/list names kb://docs/{id}', async () => {
    const { result } = await body(legacyRequest('resources/templates/list'))
    expect(result.resourceTemplates).toContainEqual({
      uriTemplate: 'kb://docs/{id}',
      name: 'kb-document',
      title: 'Knowledge-base document',
      description: 'A knowledge-base document, by the id search returns.',
      mimeType: 'text/markdown',
    })
  })

  test('BM-KB-13 resources/read of kb://docs/<id> is the document text (R-SF-23)', async () => {
    const doc = DEMO_CORPUS[0]!
    const uri = `kb://docs/${doc.id}`
    const { result } = await body(legacyRequest('resources/read', { uri }))
    expect(result).toEqual({ contents: [{ uri, mimeType: 'text/markdown', text: doc.text }] })
    const modern = await body(modernRequest('resources/read', { uri }))
    expect(modern.result.contents).toEqual([{ uri, mimeType: 'text/markdown', text: doc.text }])
  })

  test.each(['kb://docs/no-such-doc', 'kb://docs/%2E%2E', 'kb://docs/'])(
    'BM-KB-13 %s is not found (R-SF-23)',
    async (uri) => {
      const res = await send(legacyRequest('resources/read', { uri }))
      expect(await res.json()).toEqual(rpcError(-32002, 'Resource not found', { uri }))
    },
  )
})

test('R-SF-25 the knowledge base bumps its version on every write of the list, and only then', async () => {
  const namespace = (env as unknown as { KB: DurableObjectNamespace<KnowledgeBase> }).KB
  const kb = namespace.get(namespace.idFromName('versions'))
  const doc = { id: 'a', title: 'A', text: 'a', url: null, metadata: null }
  const steps: [string, () => Promise<unknown>][] = [
    ['seeded with the demo corpus', async () => undefined],
    ['upsert', () => kb.upsert([doc])],
    ['upsert again (replaced)', () => kb.upsert([doc])],
    ['remove', () => kb.remove('a')],
    ['remove what is not there', () => kb.remove('a')],
    ['search (a read)', () => kb.search('a', 5)],
    ['upsert', () => kb.upsert([doc])],
    ['clear', () => kb.clear()],
    ['clear what is empty', () => kb.clear()],
  ]
  const versions: [string, number][] = []
  for (const [step, run] of steps) {
    await run()
    versions.push([step, await kb.version()])
  }
  expect(versions).toEqual([
    ['seeded with the demo corpus', 1],
    ['upsert', 2],
    ['upsert again (replaced)', 3],
    ['remove', 4],
    ['remove what is not there', 4],
    ['search (a read)', 4],
    ['upsert', 5],
    ['clear', 6],
    ['clear what is empty', 6],
  ])
})

describe('R-SF-25 the capability says the resource list changes', () => {
  const declared = async (target?: Target) => {
    const init = await rpc(initializeRequest('2025-11-25'), {}, target)
    const discover = await send(modernRequest('server/discover'), target)
    return [
      ((await init.json()) as { result: { capabilities: Record<string, unknown> } }).result
        .capabilities.resources,
      ((await discover.json()) as { result: { capabilities: Record<string, unknown> } }).result
        .capabilities.resources,
    ]
  }

  test('R-SF-25 the demo catalog (a resource source) declares resources.listChanged', async () => {
    const both = { subscribe: true, listChanged: true }
    expect(await declared()).toEqual([both, both])
  })

  test('R-SF-25 a server without a source never declares listChanged', async () => {
    expect(await declared(serverWith([echo], {}, { templates: [greeting] }))).toEqual([
      { subscribe: true },
      { subscribe: true },
    ])
  })

  test('R-SF-25 with SESSIONS=false nothing carries it in the initialize era; listen still does', async () => {
    expect(await declared(workerWith({ SESSIONS: 'false' }))).toEqual([
      {},
      { subscribe: true, listChanged: true },
    ])
  })

  test('R-SF-25 tools and prompts lists stay fixed: listChanged false or absent', async () => {
    const res = await rpc(initializeRequest('2025-11-25'))
    const { capabilities } = (
      (await res.json()) as { result: { capabilities: Record<string, unknown> } }
    ).result
    expect(capabilities.tools).toEqual({ listChanged: false })
    expect(capabilities.prompts).toEqual({})
  })
})

describe('R-SF-25 notifications/resources/list_changed in legacy sessions', () => {
  test(
    'R-SF-25 R-SF-40 an upload, then a delete, each reach the open GET stream once, logged for resumption',
    { timeout: 15_000 },
    async () => {
      const session = await openSession()
      const stream = await getStream(session)
      const primed = await stream.until((events) => events.length >= 1, POLL_MS * 4)
      expect(primed[0]!.data).toBe('')
      const id = await uploadOne()
      let events = await stream.until((seen) => changesIn(seen).length >= 1, POLL_MS * 4)
      expect(changesIn(events)).toEqual([{ jsonrpc: '2.0', method: LIST_CHANGED }])
      // The new document is there to be listed.
      const { result } = await body(legacyRequest('resources/list'))
      expect((result.resources as { uri: string }[]).map((r) => r.uri)).toContain(`kb://docs/${id}`)
      await admin('DELETE', `/docs/${id}`)
      events = await stream.until((seen) => changesIn(seen).length >= 2, POLL_MS * 4)
      // Then nothing more: one notification per change, not one per poll.
      events = await stream.until(() => false, POLL_MS * 2.5)
      expect(changesIn(events)).toHaveLength(2)
      const notified = events.filter((event) => event.data.includes(LIST_CHANGED))
      expect(notified.every((event) => event.id !== undefined)).toBe(true)
      await stream.cancel()
      // Stored like any GET-stream event: resuming from the priming event replays both.
      const resumed = await getStream(session, undefined, primed[0]!.id)
      const replayed = await resumed.until((seen) => changesIn(seen).length >= 2, POLL_MS * 4)
      expect(changesIn(replayed)).toHaveLength(2)
      await resumed.cancel()
    },
  )

  test(
    'R-SF-25 R-SF-40 a 2024-11-05 /sse stream gets exactly one list_changed for an upload',
    { timeout: 10_000 },
    async () => {
      const res = await send({
        method: 'GET',
        path: '/sse',
        headers: { accept: 'text/event-stream' },
      })
      const stream = tap(res.body!)
      const endpoint = (await stream.until((events) => events.length >= 1, POLL_MS * 4))[0]!.data
      const post = (message: unknown) =>
        send({ path: `/${endpoint}`, headers: CLIENT_HEADERS, body: JSON.stringify(message) })
      await (await post(initializeRequest('2024-11-05'))).text()
      await stream.until((events) => jsonOf(events).length >= 1, POLL_MS * 4)
      await uploadOne()
      await stream.until((events) => changesIn(events).length >= 1, POLL_MS * 4)
      const events = await stream.until(() => false, POLL_MS * 2.5)
      expect(changesIn(events)).toEqual([{ jsonrpc: '2.0', method: LIST_CHANGED }])
      await stream.cancel()
    },
  )

  test('R-SF-25 nothing is announced while nothing changes', { timeout: 10_000 }, async () => {
    const session = await openSession()
    const stream = await getStream(session)
    const events = await stream.until(() => false, POLL_MS * 3)
    expect(events).toHaveLength(1)
    expect(changesIn(events)).toEqual([])
    await stream.cancel()
  })

  test(
    'R-SF-25 a change while the GET stream was away is announced when it comes back',
    { timeout: 10_000 },
    async () => {
      const session = await openSession()
      const first = await getStream(session)
      await first.until((events) => events.length >= 1, POLL_MS * 4)
      await first.cancel()
      await scheduler.wait(POLL_MS)
      await uploadOne()
      const again = await getStream(session)
      const events = await again.until((seen) => changesIn(seen).length >= 1, POLL_MS * 4)
      expect(changesIn(events)).toHaveLength(1)
      await again.cancel()
    },
  )

  test(
    'R-SF-25 the shard polls only while a stream is open, every LIST_CHANGED_POLL_MS',
    { timeout: 10_000 },
    async () => {
      let reads = 0
      let version = 1
      const counting: ResourceSource = {
        list: async () => ({ resources: [], more: false }),
        version: async () => (reads++, String(version)),
      }
      const server = serverWith([echo], {}, { resourceSource: counting })
      const session = await openSession(server)
      await scheduler.wait(POLL_MS * 2)
      expect(reads).toBe(0)
      const stream = await getStream(session, server)
      await stream.until(() => false, POLL_MS * 2.5)
      // One read when the stream opened, then one per interval.
      expect(reads).toBeGreaterThanOrEqual(3)
      expect(reads).toBeLessThanOrEqual(5)
      version = 2
      const events = await stream.until((seen) => changesIn(seen).length >= 1, POLL_MS * 3)
      expect(changesIn(events)).toHaveLength(1)
      await stream.cancel()
      await scheduler.wait(POLL_MS * 1.5)
      const stopped = reads
      await scheduler.wait(POLL_MS * 3)
      expect(reads).toBe(stopped)
    },
  )
})

describe('R-SF-25 notifications/resources/list_changed on subscriptions/listen (2026-07-28)', () => {
  const listen = (id: number | string, notifications: Record<string, unknown>, target?: Target) =>
    send(modernRequest('subscriptions/listen', { notifications }, { id }), target)

  test(
    'R-SF-25 R-SF-40 resourcesListChanged is granted, and an upload is announced with the subscription id',
    { timeout: 10_000 },
    async () => {
      const res = await listen('listen-7', { resourcesListChanged: true, toolsListChanged: true })
      expect(res.status).toBe(200)
      const stream = tap(res.body!)
      const [ack] = jsonOf(await stream.until((events) => events.length >= 1, POLL_MS * 4))
      expect(ack).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: {
          _meta: { [SUBSCRIPTION]: 'listen-7' },
          notifications: { resourcesListChanged: true },
        },
      })
      await uploadOne()
      await stream.until((events) => changesIn(events).length >= 1, POLL_MS * 4)
      const events = await stream.until(() => false, POLL_MS * 2.5)
      expect(changesIn(events)).toEqual([
        { jsonrpc: '2.0', method: LIST_CHANGED, params: { _meta: { [SUBSCRIPTION]: 'listen-7' } } },
      ])
      await stream.cancel()
    },
  )

  test(
    'R-SF-47 R-SF-40 a stream that did not ask for resourcesListChanged is never sent list_changed',
    { timeout: 10_000 },
    async () => {
      const res = await listen(8, { toolsListChanged: true })
      const stream = tap(res.body!)
      await stream.until((events) => events.length >= 1, POLL_MS * 4)
      await uploadOne()
      const events = await stream.until(() => false, POLL_MS * 3)
      expect(jsonOf(events).map((message) => message.method)).toEqual([
        'notifications/subscriptions/acknowledged',
      ])
      await stream.cancel()
    },
  )

  test('R-SF-47 a server without a resource source does not grant resourcesListChanged', async () => {
    const res = await listen(9, { resourcesListChanged: true }, serverWith([echo]))
    const stream = tap(res.body!)
    const [ack] = jsonOf(await stream.until((events) => events.length >= 1, POLL_MS * 4))
    expect(ack!.params).toEqual({ _meta: { [SUBSCRIPTION]: 9 }, notifications: {} })
    await stream.cancel()
  })
})
