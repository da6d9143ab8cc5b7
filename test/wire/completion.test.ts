// Completion on the wire: suggestions for prompt arguments and resource-template variables, the
// 100-value cap with total and hasMore, context.arguments, errors, both eras.

import { describe, expect, test } from 'vitest'
import { echo } from '../../src/tools/echo.ts'
import {
  legacyRequest,
  modernRequest,
  requestIn,
  result,
  resultIn,
  REVISIONS,
  rpcError,
  SERVER_META,
  statusIn,
} from '../helpers/eras.ts'
import { TEST_PROMPTS, TEST_TEMPLATES } from '../helpers/features.ts'
import {
  initializeRequest,
  post,
  reply,
  rpc,
  send,
  serverWith,
  wireTable,
} from '../helpers/wire.ts'

const TEST_SERVER = serverWith([], {}, { templates: TEST_TEMPLATES, prompts: TEST_PROMPTS })

const prompt = (name: string) => ({ type: 'ref/prompt', name })
const template = (uri: string) => ({ type: 'ref/resource', uri })

/** completion/complete params: what is completed, the value so far, optional context. */
const completing = (
  ref: Record<string, unknown>,
  name: string,
  value: string,
  context?: Record<string, string>,
) =>
  context === undefined
    ? { ref, argument: { name, value } }
    : { ref, argument: { name, value }, context: { arguments: context } }

const completion = (values: string[], total?: number, hasMore = false) =>
  result({ completion: total === undefined ? { values, hasMore } : { values, total, hasMore } })

describe('the completions capability', () => {
  test('R-SF-33 initialize and server/discover declare completions', async () => {
    const res = await rpc(initializeRequest('2025-11-25'))
    const init = (await res.json()) as { result: { capabilities: Record<string, unknown> } }
    expect(init.result.capabilities.completions).toEqual({})
    const discovered = (await (await send(modernRequest('server/discover'))).json()) as {
      result: { capabilities: Record<string, unknown> }
    }
    expect(discovered.result.capabilities.completions).toEqual({})
  })
})

describe('completion/complete', () => {
  // R-SF-33: "Method not found: -32601 (Capability not supported)". A server with nothing to
  // complete declares no `completions` and offers no completion/complete (R-JR-12).
  const TOOLS_ONLY = serverWith([echo])
  const NOT_OFFERED = rpcError(-32601, 'Method not found: completion/complete', {
    reason: 'This server does not declare the completions capability',
  })
  wireTable([
    {
      rule: 'R-SF-33',
      name: 'a server without prompts or templates does not declare completions',
      request: post(initializeRequest('2025-11-25')),
      target: TOOLS_ONLY,
      expect: {
        status: 200,
        json: expect.objectContaining({
          result: expect.objectContaining({
            capabilities: { logging: {}, tools: { listChanged: false } },
          }),
        }),
      },
    },
  ])

  describe.each(REVISIONS)('%s', (revision) => {
    test('R-SF-33 a server without prompts or templates answers completion/complete with -32601 (not "Unknown prompt"), with the status of its revision', async () => {
      const request = requestIn(
        revision,
        'completion/complete',
        completing(prompt('code_review'), 'language', ''),
      )
      const { status, body } = await reply(request, TOOLS_ONLY)
      expect({ status, body }).toEqual({ status: statusIn(revision, -32601), body: NOT_OFFERED })
    })

    test('R-SF-33 a prompt argument (code_review language "py")', async () => {
      const request = requestIn(
        revision,
        'completion/complete',
        completing(prompt('code_review'), 'language', 'py'),
      )
      const { status, body } = await reply(request)
      expect({ status, body }).toEqual({
        status: 200,
        body: resultIn(revision, { completion: { values: ['python'], total: 1, hasMore: false } }),
      })
    })

    test('R-SF-33 an unknown prompt is -32602, with the status of its revision', async () => {
      const request = requestIn(
        revision,
        'completion/complete',
        completing(prompt('nope'), 'x', ''),
      )
      const { status, body } = await reply(request)
      expect({ status, body }).toEqual({
        status: statusIn(revision, -32602),
        body: rpcError(-32602, 'Unknown prompt: nope'),
      })
    })
  })

  wireTable([
    {
      rule: 'R-SF-33',
      name: 'a resource-template variable, matched ignoring case',
      request: legacyRequest(
        'completion/complete',
        completing(template('bare-mcp://greeting/{name}'), 'name', 'a'),
      ),
      expect: { status: 200, json: completion(['Ada', 'Alan'], 2) },
    },
    {
      rule: 'R-SF-33',
      name: 'an empty value lists every candidate',
      request: legacyRequest(
        'completion/complete',
        completing(template('bare-mcp://greeting/{name}'), 'name', ''),
      ),
      expect: {
        status: 200,
        json: completion(
          ['Ada', 'Alan', 'Barbara', 'Donald', 'Edsger', 'Grace', 'Katherine', 'Margaret'],
          8,
        ),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'nothing matches: no values, total 0',
      request: legacyRequest(
        'completion/complete',
        completing(prompt('code_review'), 'language', 'zz'),
      ),
      expect: { status: 200, json: completion([], 0) },
    },
    {
      rule: 'R-SF-33',
      name: 'an argument without a completer gets no suggestions (a valid answer)',
      request: legacyRequest('completion/complete', completing(prompt('code_review'), 'code', 'x')),
      expect: { status: 200, json: completion([], 0) },
    },
    {
      rule: 'R-SF-33',
      name: 'at most 100 values; total counts them all and hasMore says so',
      request: legacyRequest(
        'completion/complete',
        completing(template('test://template/{id}/data'), 'id', ''),
      ),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: completion(
          Array.from({ length: 100 }, (_, i) => String(i)),
          150,
          true,
        ),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'a completer that knows there is more but not how much: hasMore, no total',
      request: legacyRequest(
        'completion/complete',
        completing(template('test://paged/{word}'), 'word', ''),
      ),
      target: TEST_SERVER,
      expect: { status: 200, json: completion(['alpha', 'beta'], undefined, true) },
    },
    {
      rule: 'R-SF-33',
      name: 'context.arguments narrows a later variable (2025-06-18+)',
      request: legacyRequest(
        'completion/complete',
        completing(template('test://repo/{owner}/{repo}'), 'repo', '', { owner: 'cloudflare' }),
        '2025-06-18',
      ),
      target: TEST_SERVER,
      expect: { status: 200, json: completion(['workers-sdk', 'workerd'], undefined, false) },
    },
    {
      rule: 'R-SF-33',
      name: 'without context the same variable offers everything',
      request: legacyRequest(
        'completion/complete',
        completing(template('test://repo/{owner}/{repo}'), 'repo', 'w'),
      ),
      target: TEST_SERVER,
      expect: { status: 200, json: completion(['workers-sdk', 'workerd'], undefined, false) },
    },
    {
      rule: 'R-SF-33',
      name: 'context.arguments reach a prompt argument completer',
      request: legacyRequest(
        'completion/complete',
        completing(prompt('test_prompt_with_arguments'), 'arg3', 'v', { arg1: 'testValue1' }),
      ),
      target: TEST_SERVER,
      expect: { status: 200, json: completion(['testValue1-v'], 1) },
    },
    {
      rule: 'R-SF-33',
      name: 'the conformance target: test_prompt_with_arguments arg1',
      request: legacyRequest(
        'completion/complete',
        completing(prompt('test_prompt_with_arguments'), 'arg1', 'test'),
      ),
      target: TEST_SERVER,
      expect: { status: 200, json: completion(['testValue1', 'testValue2'], 2) },
    },
    {
      rule: 'R-SF-33',
      name: 'an argument the prompt does not have is -32602',
      request: legacyRequest('completion/complete', completing(prompt('code_review'), 'lang', '')),
      expect: { status: 200, json: rpcError(-32602, 'Prompt code_review has no argument lang') },
    },
    {
      rule: 'R-SF-33',
      name: 'an unknown resource template is -32602',
      request: legacyRequest(
        'completion/complete',
        completing(template('bare-mcp://readme'), 'x', ''),
      ),
      expect: {
        status: 200,
        json: rpcError(-32602, 'Unknown resource template: bare-mcp://readme'),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'a variable the template does not have is -32602',
      request: legacyRequest(
        'completion/complete',
        completing(template('bare-mcp://greeting/{name}'), 'nom', ''),
      ),
      expect: {
        status: 200,
        json: rpcError(-32602, 'Resource template bare-mcp://greeting/{name} has no variable nom'),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'a ref of an unknown type is -32602',
      request: legacyRequest('completion/complete', {
        ref: { type: 'ref/tool', name: 'echo' },
        argument: { name: 'text', value: '' },
      }),
      expect: {
        status: 200,
        json: rpcError(
          -32602,
          'completion/complete: "params.ref.type" must be "ref/prompt" or "ref/resource"',
        ),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'a missing argument is -32602',
      request: legacyRequest('completion/complete', { ref: prompt('code_review') }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'completion/complete: "params.argument" is required'),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'an argument value that is not a string is -32602',
      request: legacyRequest('completion/complete', {
        ref: prompt('code_review'),
        argument: { name: 'language', value: 1 },
      }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'completion/complete: "params.argument.value" must be a string'),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'context.arguments that are not strings are -32602',
      request: legacyRequest('completion/complete', {
        ...completing(prompt('code_review'), 'language', ''),
        context: { arguments: { code: 1 } },
      }),
      expect: {
        status: 200,
        json: rpcError(
          -32602,
          'completion/complete: "params.context.arguments.code" must be a string',
        ),
      },
    },
    {
      rule: 'R-SF-33',
      name: 'a completer that throws is -32603 with no details',
      request: legacyRequest(
        'completion/complete',
        completing(template('test://throwing/{x}'), 'x', ''),
      ),
      target: TEST_SERVER,
      expect: {
        status: 200,
        body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error"}}',
      },
    },
  ])

  test('R-SF-33 2026-07-28: completion/complete has resultType and serverInfo, no cache hints', async () => {
    const res = await send(
      modernRequest('completion/complete', completing(prompt('code_review'), 'language', 'ru')),
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(
      result({
        resultType: 'complete',
        completion: { values: ['ruby', 'rust'], total: 2, hasMore: false },
        _meta: SERVER_META,
      }),
    )
  })
})
