// Prompts on the wire: the capability, the Prompt object per revision, pagination, getting a
// prompt with validated arguments, content blocks per revision, errors, MRTR in 2026-07-28.

import { describe, expect, test } from 'vitest'
import { README } from '../../src/resources/readme.ts'
import { LOGO_ICON } from '../../src/resources/logo.ts'
import type { Revision } from '../../src/protocol/revisions.ts'
import {
  cacheHintsIn,
  has,
  legacyRequest,
  MODERN_META,
  modernRequest,
  requestIn,
  result,
  resultIn,
  REVISIONS,
  rpcError,
  SERVER_META,
  statusIn,
} from '../helpers/eras.ts'
import { PNG, TEST_PROMPTS } from '../helpers/features.ts'
import {
  initializeRequest,
  rpc,
  reply,
  send,
  serverWith,
  wireTable,
  type RawRequest,
  type Target,
  type WireCase,
} from '../helpers/wire.ts'

const TEST_SERVER = serverWith([], { MRTR_SECRET: 'p'.repeat(32) }, { prompts: TEST_PROMPTS })

/** The JSON reply to `request`. */
const body = async (request: RawRequest, target?: Target) =>
  (await reply<{ result: Record<string, unknown> }>(request, target)).body

const CODE_REVIEW_DESCRIPTION =
  'Asks the model to review a piece of code for bugs, clarity and style.'
const ARGUMENTS = [
  { name: 'code', description: 'The code to review.', required: true },
  {
    name: 'language',
    description: 'The programming language of the code, e.g. python.',
    required: false,
  },
]
const TITLED_ARGUMENTS = [
  { ...ARGUMENTS[0], title: 'Code' },
  { ...ARGUMENTS[1], title: 'Language' },
]
/** code_review as `revision` lists it: titles (its own and its arguments') and icons where the
 *  revision has them. */
const codeReviewListed = (revision: Revision) =>
  has(revision, 'titles')
    ? {
        name: 'code_review',
        title: 'Code review',
        description: CODE_REVIEW_DESCRIPTION,
        arguments: TITLED_ARGUMENTS,
        ...(has(revision, 'icons') ? { icons: [LOGO_ICON] } : {}),
      }
    : { name: 'code_review', description: CODE_REVIEW_DESCRIPTION, arguments: ARGUMENTS }

describe('the prompts capability', () => {
  test('R-SF-30 initialize and server/discover declare prompts, without listChanged', async () => {
    const res = await rpc(initializeRequest('2025-11-25'))
    const init = (await res.json()) as { result: { capabilities: Record<string, unknown> } }
    expect(init.result.capabilities.prompts).toEqual({})
    const { result } = await body(modernRequest('server/discover'))
    expect((result.capabilities as Record<string, unknown>).prompts).toEqual({})
  })
})

describe('embedded resources', () => {
  test('R-SF-9 the resource server_tour embeds is one the server declares, lists and reads', async () => {
    const got = await body(legacyRequest('prompts/get', { name: 'server_tour' }))
    const [first] = got.result.messages as {
      content: { type: string; resource: { uri: string; text: string } }
    }[]
    expect(first!.content.type).toBe('resource')
    const { uri, text } = first!.content.resource
    const init = (await (await rpc(initializeRequest('2025-11-25'))).json()) as {
      result: { capabilities: Record<string, unknown> }
    }
    expect(init.result.capabilities.resources).toBeDefined()
    const listed = await body(legacyRequest('resources/list'))
    expect((listed.result.resources as { uri: string }[]).map((r) => r.uri)).toContain(uri)
    const read = await body(legacyRequest('resources/read', { uri }))
    expect(read.result.contents).toEqual([{ uri, mimeType: 'text/markdown', text }])
  })
})

describe('prompts/list', () => {
  describe.each(REVISIONS)('%s', (revision) => {
    test('R-SF-30 R-SF-35 lists the Prompt object of its revision, with cache hints where it has them', async () => {
      const { body } = await reply(requestIn(revision, 'prompts/list'))
      expect(body).toEqual(
        resultIn(revision, {
          prompts: [codeReviewListed(revision), expect.objectContaining({ name: 'server_tour' })],
          ...cacheHintsIn(revision, 300_000),
        }),
      )
    })
  })

  test('R-SF-30 a prompt without arguments lists no arguments member', async () => {
    const { result } = await body(legacyRequest('prompts/list'))
    expect((result.prompts as Record<string, unknown>[])[1]).toEqual({
      name: 'server_tour',
      title: 'Tour of this server',
      description: 'Asks the model for a short tour of this server, from its readme.',
      icons: [LOGO_ICON],
    })
  })

  test('R-SF-34 prompts/list pages follow nextCursor to the end', async () => {
    const target = serverWith([], { PAGE_SIZE: '4' }, { prompts: TEST_PROMPTS })
    const first = await body(legacyRequest('prompts/list'), target)
    expect((first.result.prompts as unknown[]).length).toBe(4)
    const second = await body(
      legacyRequest('prompts/list', { cursor: first.result.nextCursor }),
      target,
    )
    expect(second.result).toEqual({
      prompts: TEST_PROMPTS.slice(4).map((prompt) =>
        expect.objectContaining({ name: prompt.name }),
      ),
    })
  })

  wireTable([
    {
      rule: 'R-SF-34',
      name: 'prompts/list: a cursor we did not issue is -32602',
      request: legacyRequest('prompts/list', { cursor: 'nope' }),
      expect: { status: 200, json: rpcError(-32602, 'Invalid cursor') },
    },
  ])
})

const message = (role: string, content: unknown) => ({ role, content })
const textBlock = (value: string) => ({ type: 'text', text: value })

describe('prompts/get', () => {
  wireTable([
    {
      rule: 'R-SF-30',
      name: 'arguments fill in the messages',
      request: legacyRequest('prompts/get', {
        name: 'code_review',
        arguments: { code: 'print(1)', language: 'python' },
      }),
      expect: {
        status: 200,
        json: result({
          description: CODE_REVIEW_DESCRIPTION,
          messages: [
            message(
              'user',
              textBlock(
                'Please review this python code. Point out bugs first, then anything unclear, ' +
                  'then style.\n\nprint(1)',
              ),
            ),
          ],
        }),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'an optional argument may be left out',
      request: legacyRequest('prompts/get', { name: 'code_review', arguments: { code: 'x' } }),
      expect: {
        status: 200,
        json: result({
          description: CODE_REVIEW_DESCRIPTION,
          messages: [
            message(
              'user',
              textBlock(
                'Please review this code. Point out bugs first, then anything unclear, then style.\n\nx',
              ),
            ),
          ],
        }),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'a prompt without arguments, no arguments member sent',
      request: legacyRequest('prompts/get', { name: 'test_simple_prompt' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: result({
          description: 'A prompt without arguments.',
          messages: [message('user', textBlock('This is a simple prompt for testing.'))],
        }),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'get may give its own description and assistant messages',
      request: legacyRequest('prompts/get', {
        name: 'test_prompt_with_arguments',
        arguments: { arg1: 'testValue1', arg2: 'testValue2' },
      }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: result({
          description: 'Filled in',
          messages: [
            message(
              'user',
              textBlock("Prompt with arguments: arg1='testValue1', arg2='testValue2'"),
            ),
            message('assistant', textBlock('Understood.')),
          ],
        }),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'an embedded resource in a message',
      request: legacyRequest('prompts/get', { name: 'server_tour' }),
      expect: {
        status: 200,
        json: result({
          description: 'Asks the model for a short tour of this server, from its readme.',
          messages: [
            message('user', {
              type: 'resource',
              resource: { uri: 'bare-mcp://readme', mimeType: 'text/markdown', text: README },
            }),
            message(
              'user',
              textBlock(
                'Using the document above, give me a short tour of this MCP server: what can I try first?',
              ),
            ),
          ],
        }),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'a missing required argument is -32602 naming it',
      request: legacyRequest('prompts/get', { name: 'code_review', arguments: {} }),
      expect: {
        status: 200,
        json: rpcError(
          -32602,
          'Invalid arguments for prompt code_review: "arguments.code" is required',
        ),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'no arguments at all when one is required is -32602',
      request: legacyRequest('prompts/get', { name: 'code_review' }),
      expect: {
        status: 200,
        json: rpcError(
          -32602,
          'Invalid arguments for prompt code_review: "arguments.code" is required',
        ),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'an argument failing its schema is -32602 with the schema message',
      request: legacyRequest('prompts/get', { name: 'code_review', arguments: { code: '' } }),
      expect: {
        status: 200,
        json: rpcError(
          -32602,
          'Invalid arguments for prompt code_review: "arguments.code" must not be empty',
        ),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'an unknown argument of a strict schema is -32602',
      request: legacyRequest('prompts/get', {
        name: 'code_review',
        arguments: { code: 'x', lang: 'py' },
      }),
      expect: {
        status: 200,
        json: rpcError(
          -32602,
          'Invalid arguments for prompt code_review: "arguments.lang" Invalid key: Expected never but received "lang"',
        ),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'arguments are strings on the wire: a number is -32602',
      request: legacyRequest('prompts/get', { name: 'code_review', arguments: { code: 1 } }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'prompts/get: "params.arguments.code" must be a string'),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'arguments that are not an object are -32602',
      request: legacyRequest('prompts/get', { name: 'code_review', arguments: ['x'] }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'prompts/get: "params.arguments" must be an object of strings'),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'a name that is not a string is -32602',
      request: legacyRequest('prompts/get', { name: 7 }),
      expect: {
        status: 200,
        json: rpcError(-32602, 'prompts/get: "params.name" must be a string'),
      },
    },
    {
      rule: 'R-SF-30',
      name: 'a get that throws is -32603 with no details',
      request: legacyRequest('prompts/get', { name: 'throwing_prompt' }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error"}}',
      },
    },
    {
      rule: 'R-SF-30',
      name: 'outputs are validated: a message role that does not exist is -32603',
      request: legacyRequest('prompts/get', { name: 'bad_role' }),
      target: TEST_SERVER,
      expect: { status: 200, json: rpcError(-32603, 'Internal error') },
    },
    {
      rule: 'R-HT-36',
      name: '2026-07-28: prompts/get without Mcp-Name is -32020',
      request: modernRequest(
        'prompts/get',
        { name: 'server_tour' },
        { headers: { 'mcp-name': undefined } },
      ),
      expect: { status: 400, json: rpcError(-32020, 'Missing Mcp-Name header') },
    },
  ])

  const MEDIA = {
    image: { type: 'image', data: PNG, mimeType: 'image/png' },
    audio: { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' },
    resource: {
      type: 'resource',
      resource: { uri: 'test://example-resource', mimeType: 'text/plain', text: 'Embedded' },
    },
    link: {
      type: 'resource_link',
      uri: 'test://static-text',
      name: 'static-text',
      title: 'Static text',
    },
  }
  const AUDIO_NOTE = textBlock('[audio (audio/wav) needs protocol 2025-03-26 or later]')
  const LINK_NOTE = textBlock('Static text: test://static-text')

  describe.each(REVISIONS)('%s', (revision) => {
    test('R-SF-30 message content blocks the revision lacks become text notes', async () => {
      const { body } = await reply(
        requestIn(revision, 'prompts/get', { name: 'media_prompt' }),
        TEST_SERVER,
      )
      const content = [
        MEDIA.image,
        has(revision, 'audioContent') ? MEDIA.audio : AUDIO_NOTE,
        MEDIA.resource,
        has(revision, 'resourceLinks') ? MEDIA.link : LINK_NOTE,
      ]
      expect(body).toEqual(
        resultIn(revision, {
          description: 'One message per content type.',
          messages: content.map((block) => message('user', block)),
        }),
      )
    })

    test('R-SF-30 an unknown prompt is -32602, with the status of the revision', async () => {
      const { status, body } = await reply(requestIn(revision, 'prompts/get', { name: 'nope' }))
      expect({ status, body }).toEqual({
        status: statusIn(revision, -32602),
        body: rpcError(-32602, 'Unknown prompt: nope'),
      })
    })
  })

  test('R-JR-11 2026-07-28: prompts/get carries resultType and serverInfo, no cache hints', async () => {
    const { result } = await body(
      modernRequest('prompts/get', { name: 'test_simple_prompt' }),
      TEST_SERVER,
    )
    expect(result).toEqual({
      resultType: 'complete',
      description: 'A prompt without arguments.',
      messages: [message('user', textBlock('This is a simple prompt for testing.'))],
      _meta: SERVER_META,
    })
  })
})

describe('R-SF-43 prompts/get may ask the client (MRTR in 2026-07-28)', () => {
  const ELICITING = {
    ...MODERN_META,
    'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  }
  const NAME = 'test_input_required_result_prompt'

  test('R-SF-43 the first round is input_required; the retry completes', async () => {
    const first = await body(
      modernRequest('prompts/get', { name: NAME }, { meta: ELICITING }),
      TEST_SERVER,
    )
    expect(first.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { q0: { method: 'elicitation/create' } },
    })
    const { result } = await body(
      modernRequest(
        'prompts/get',
        {
          name: NAME,
          inputResponses: { q0: { action: 'accept', content: { context: 'test context' } } },
          requestState: first.result.requestState,
        },
        { id: 2, meta: ELICITING },
      ),
      TEST_SERVER,
    )
    expect(result).toEqual({
      resultType: 'complete',
      description: 'Asks the user for context first (MRTR in 2026-07-28).',
      messages: [message('user', textBlock('Use this context: test context'))],
      _meta: SERVER_META,
    })
  })

  test('R-SF-45 requestState is bound to the arguments it was issued for', async () => {
    const target = serverWith([], { MRTR_SECRET: 'p'.repeat(32) }, { prompts: TEST_PROMPTS })
    const first = await body(
      modernRequest('prompts/get', { name: NAME }, { meta: ELICITING }),
      target,
    )
    const res = await send(
      modernRequest(
        'prompts/get',
        {
          name: NAME,
          arguments: { topic: 'x' },
          inputResponses: { q0: { action: 'accept', content: { context: 'c' } } },
          requestState: first.result.requestState,
        },
        { meta: ELICITING },
      ),
      target,
    )
    expect(await res.json()).toEqual(
      rpcError(-32602, 'requestState belongs to a different request'),
    )
  })

  wireTable([
    {
      rule: 'R-SF-43',
      name: 'legacy without a session: a prompt that asks fails with -32603 saying why',
      request: legacyRequest('prompts/get', { name: NAME }),
      target: TEST_SERVER,
      expect: {
        status: 200,
        json: rpcError(
          -32603,
          'prompts/get needs input from the client (elicitation/create), which this connection cannot carry: use protocol 2026-07-28, or keep the session initialize offered',
        ),
      },
    },
  ] satisfies WireCase[])
})
