// README.md's example modules, used the way the README says: its tools listed with the demo's and
// put through the tool lint (no finding, no warning) and a real call; its resource template and
// prompt served and read. The modules come straight from the README's Markdown (`readme:` imports,
// vitest.config.ts). Their types and formatting are checked in test/node/readme.test.ts.

import { afterEach, describe, expect, test, vi } from 'vitest'
import * as deleteNoteExample from 'readme:src/tools/delete-note.ts'
import * as weatherExample from 'readme:src/tools/weather.ts'
import * as pageExample from 'readme:src/resources/page.ts'
import * as summarizeExample from 'readme:src/prompts/summarize.ts'
import type { Prompt } from '../../src/prompts/define.ts'
import type { ResourceTemplate } from '../../src/resources/define.ts'
import type { Tool } from '../../src/tools/define.ts'
import { TOOLS } from '../../src/tools/index.ts'
import { formatFindings, lintTools } from '../../src/tools/lint.ts'
import { legacyRequest, result, rpcError } from '../helpers/eras.ts'
import { messages, send, serverWith } from '../helpers/wire.ts'

/** The one export of an example module (each defines one thing). */
const only = <T>(module: Record<string, unknown>): T => {
  const values = Object.values(module)
  expect(values).toHaveLength(1)
  return values[0] as T
}

const weather = only<Tool>(weatherExample)
const deleteNote = only<Tool>(deleteNoteExample)
const page = only<ResourceTemplate>(pageExample)
const summarize = only<Prompt>(summarizeExample)

/** What `src/tools/index.ts` lists once the README's tools are added to it. */
const LISTED = [...TOOLS, weather, deleteNote]

describe('the README’s tools, added to src/tools/index.ts', () => {
  afterEach(() => vi.restoreAllMocks())

  test('BM-README-2 pass the tool lint with no finding, warnings included (as BM-LINT-8 asks)', () => {
    const findings = lintTools(LISTED)
    expect(findings, formatFindings(LISTED, findings)).toEqual([])
  })

  test('BM-README-2 get_weather: a real call fetches, reports progress, logs and answers structured', async () => {
    // The weather service is not ours: it is stood in for, the tool is not.
    const fetched: string[] = []
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input)
      fetched.push(url)
      return url === 'https://weather.example/Paris'
        ? Response.json({ c: 21.5 })
        : new Response('not found', { status: 404 })
    })
    const server = serverWith(LISTED)
    const call = (city: string) =>
      legacyRequest('tools/call', {
        name: 'get_weather',
        arguments: { city },
        _meta: { progressToken: 'w' },
      })
    const sent = await messages(await send(call('Paris'), server))
    expect(sent).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 'w', progress: 0, total: 1, message: 'Looking up' },
      },
      {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: 'Fetched Paris' },
      },
      result({
        content: [{ type: 'text', text: '{"celsius":21.5}' }],
        structuredContent: { celsius: 21.5 },
      }),
    ])
    const failed = await messages(await send(call('Atlantis'), server))
    expect(failed.at(-1)).toEqual(
      result({ content: [{ type: 'text', text: 'No weather for Atlantis' }], isError: true }),
    )
    expect(fetched).toEqual(['https://weather.example/Paris', 'https://weather.example/Atlantis'])
  })

  test('BM-README-2 delete_note: a real call runs (auth off: nobody), and its scope is declared', async () => {
    const res = await send(
      legacyRequest('tools/call', { name: 'delete_note', arguments: { id: 'n1' } }),
      serverWith(LISTED),
    )
    expect(await res.json()).toEqual(
      result({ content: [{ type: 'text', text: 'Deleted n1 for nobody' }] }),
    )
    expect(deleteNote.scopes).toEqual(['notes.write'])
  })
})

describe('the README’s resource template and prompt', () => {
  const server = serverWith([], {}, { templates: [page], prompts: [summarize] })
  const read = async (uri: string) =>
    (await send(legacyRequest('resources/read', { uri }), server)).json()

  test('BM-README-2 docs://pages/{slug}{?lang} reads its pages, in a language, and not others', async () => {
    const text = (uri: string, value: string) =>
      result({ contents: [{ uri, mimeType: 'text/markdown', text: value }] })
    expect(await read('docs://pages/intro')).toEqual(
      text('docs://pages/intro', '# Introduction\n\nWhat this is.'),
    )
    expect(await read('docs://pages/intro?lang=de')).toEqual(
      text('docs://pages/intro?lang=de', '# Einführung\n\nWas das ist.'),
    )
    expect(await read('docs://pages/nope')).toEqual(
      rpcError(-32002, 'Resource not found', { uri: 'docs://pages/nope' }),
    )
    const completed = await send(
      legacyRequest('completion/complete', {
        ref: { type: 'ref/resource', uri: 'docs://pages/{slug}{?lang}' },
        argument: { name: 'slug', value: 'in' },
      }),
      server,
    )
    expect(await completed.json()).toEqual(
      result({ completion: { values: ['intro', 'install'], total: 2, hasMore: false } }),
    )
  })

  test('BM-README-2 summarize is listed with its argument and gets its message', async () => {
    const got = await send(
      legacyRequest('prompts/get', { name: 'summarize', arguments: { text: 'A long text.' } }),
      server,
    )
    expect(await got.json()).toEqual(
      result({
        description: 'Summarizes a text.',
        messages: [{ role: 'user', content: { type: 'text', text: 'Summarize:\n\nA long text.' } }],
      }),
    )
  })
})
