// Which tools a request sees: the catalog chosen by FIXTURES, narrowed by the path's profile.

// The conformance build registers its fixture pack; this file serves it.
import '../../src/conformance.ts'
import { env } from 'cloudflare:workers'
import { describe, expect, test } from 'vitest'
import { createServer } from '../../src/server.ts'
import { legacyRequest } from '../helpers/eras.ts'
import { CLIENT_HEADERS, send, toolCall, type Target } from '../helpers/wire.ts'

/** The deployed server (no fixed tools: the catalog decides) with other settings. */
const catalogServer = (settings: Record<string, string> = {}): Target => {
  const server = createServer()
  return { fetch: (request) => server.fetch(request, { ...env, ...settings }) }
}

const names = async (path: string, target: Target = catalogServer()) => {
  const res = await send({ path, ...legacyRequest('tools/list') }, target)
  expect(res.status).toBe(200)
  const body = (await res.json()) as { result: { tools: { name: string }[] } }
  return body.result.tools.map((tool) => tool.name)
}

describe('tool profiles', () => {
  test('BM-PROFILE-1 /mcp/research lists exactly search and fetch (ChatGPT deep research)', async () => {
    expect(await names('/mcp/research')).toEqual(['search', 'fetch'])
  })

  test('BM-PROFILE-1 /mcp/readonly lists only tools with readOnlyHint', async () => {
    const all = await names('/mcp')
    const readonly = await names('/mcp/readonly')
    expect(readonly.length).toBeGreaterThan(0)
    expect(readonly.every((name) => all.includes(name))).toBe(true)
  })

  test('BM-PROFILE-1 a tool outside the profile cannot be called through it', async () => {
    const res = await send({
      path: '/mcp/research',
      ...legacyRequest('tools/call', toolCall('echo', { text: 'x' })),
    })
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: 'Unknown tool: echo' },
    })
  })

  test('BM-PROFILE-1 TOOL_PROFILES defines the profiles; an unknown one is 404', async () => {
    const target = catalogServer({ TOOL_PROFILES: 'maths=add' })
    expect(await names('/mcp/maths', target)).toEqual(['add'])
    const res = await send({ path: '/mcp/research', headers: CLIENT_HEADERS, body: '{}' }, target)
    expect(res.status).toBe(404)
    await res.text()
  })
})

describe('fixture packs', () => {
  test('BM-FIXTURES-1 FIXTURES=conformance serves the conformance suite fixtures, not the demo', async () => {
    const listed = await names('/mcp', catalogServer({ FIXTURES: 'conformance' }))
    expect(listed).toContain('test_simple_text')
    expect(listed).not.toContain('echo')
  })
})
