// JSON-RPC 2.0 framing on the wire: message kinds, ids, error codes, batches.

import { describe, expect, test } from 'vitest'
import { codeReview } from '../../src/prompts/code-review.ts'
import { readme } from '../../src/resources/readme.ts'
import { echo } from '../../src/tools/echo.ts'
import {
  has,
  LEGACY,
  legacyRequest,
  modernRequest,
  requestIn,
  REVISIONS,
  rpcError,
  rpcErrorBody,
  statusIn,
} from '../helpers/eras.ts'
import { post, reply, send, serverWith, wireTable, type WireCase } from '../helpers/wire.ts'

describe('messages', () => {
  wireTable([
    {
      rule: 'R-JR-1',
      name: 'jsonrpc other than "2.0" is an invalid request',
      request: post('{"jsonrpc":"1.0","id":1,"method":"ping"}'),
      expect: { status: 400, body: rpcErrorBody(-32600, '"jsonrpc" must be exactly "2.0"') },
    },
    {
      rule: 'R-JR-1',
      name: 'missing jsonrpc is an invalid request',
      request: post('{"id":1,"method":"ping"}'),
      expect: { status: 400, body: rpcErrorBody(-32600, '"jsonrpc" is required') },
    },
    {
      rule: 'R-JR-2',
      name: 'bytes that are not UTF-8 are a parse error',
      request: post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
      expect: {
        status: 400,
        body: rpcErrorBody(-32700, 'Parse error: the body is not valid UTF-8', undefined, null),
      },
    },
    {
      rule: 'R-JR-3',
      name: 'id null is refused, not taken for a notification',
      request: post('{"jsonrpc":"2.0","id":null,"method":"ping"}'),
      expect: {
        status: 400,
        body: rpcErrorBody(
          -32600,
          '"id" must be a string or an integer, not null',
          undefined,
          null,
        ),
      },
    },
    {
      rule: 'R-JR-3',
      name: 'a fractional id is refused',
      request: post('{"jsonrpc":"2.0","id":1.5,"method":"ping"}'),
      expect: {
        status: 400,
        body: rpcErrorBody(-32600, '"id" must be a string or an integer', undefined, null),
      },
    },
    {
      rule: 'R-JR-3',
      name: 'an object id is refused',
      request: post('{"jsonrpc":"2.0","id":{},"method":"ping"}'),
      expect: {
        status: 400,
        body: rpcErrorBody(-32600, '"id" must be a string or an integer', undefined, null),
      },
    },
    {
      rule: 'R-JR-3',
      name: 'id 0 is a real id',
      request: post('{"jsonrpc":"2.0","id":0,"method":"ping"}'),
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":0,"result":{}}' },
    },
    {
      rule: 'R-JR-3',
      name: 'id "" is a real id',
      request: post('{"jsonrpc":"2.0","id":"","method":"ping"}'),
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":"","result":{}}' },
    },
    {
      rule: 'R-JR-5',
      name: 'the response carries the request id',
      request: post('{"jsonrpc":"2.0","id":"req-7","method":"ping"}'),
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":"req-7","result":{}}' },
    },
    {
      rule: 'R-JR-10',
      name: 'a result is a JSON object, even an empty one (ping)',
      request: post('{"jsonrpc":"2.0","id":"r","method":"ping"}'),
      expect: { status: 200, json: { jsonrpc: '2.0', id: 'r', result: {} } },
    },
    {
      rule: 'R-JR-6',
      name: 'a message with both result and error is invalid',
      request: post('{"jsonrpc":"2.0","id":4,"result":{},"error":{"code":1,"message":"x"}}'),
      expect: {
        status: 400,
        body: rpcErrorBody(
          -32600,
          'A response must not have both "result" and "error"',
          undefined,
          4,
        ),
      },
    },
    {
      rule: 'R-JR-7',
      name: 'an error response from the client needs an integer code',
      request: post('{"jsonrpc":"2.0","id":4,"error":{"code":"x","message":"m"}}'),
      expect: {
        status: 400,
        body: rpcErrorBody(-32600, '"error.code" must be an integer', undefined, 4),
      },
    },
    {
      rule: 'R-JR-8',
      name: 'malformed JSON is a parse error with id null',
      request: post('{"jsonrpc":"2.0","id":1,"method":'),
      expect: {
        status: 400,
        body: rpcErrorBody(-32700, 'Parse error: the body is not valid JSON', undefined, null),
      },
    },
    {
      rule: 'R-JR-8',
      name: 'an empty body is a parse error',
      request: post(''),
      expect: {
        status: 400,
        body: rpcErrorBody(-32700, 'Parse error: the body is not valid JSON', undefined, null),
      },
    },
    {
      rule: 'R-JR-8',
      name: 'a JSON value that is not an object is an invalid request with id null',
      request: post('42'),
      expect: {
        status: 400,
        body: rpcErrorBody(-32600, 'A JSON-RPC message must be an object', undefined, null),
      },
    },
    {
      rule: 'R-JR-9',
      name: 'a notification gets 202 and no body',
      request: post('{"jsonrpc":"2.0","method":"notifications/initialized"}'),
      expect: { status: 202, body: '' },
    },
    {
      rule: 'R-JR-9',
      name: 'an unknown notification is still not answered',
      request: post('{"jsonrpc":"2.0","method":"notifications/whatever","params":{"x":1}}'),
      expect: { status: 202, body: '' },
    },
    {
      rule: 'R-JR-12',
      name: 'unknown method is -32601',
      request: post('{"jsonrpc":"2.0","id":1,"method":"tools/lsit"}'),
      expect: { status: 200, body: rpcErrorBody(-32601, 'Method not found: tools/lsit') },
    },
    {
      rule: 'R-JR-12',
      name: 'a method named like an Object property is unknown',
      request: post('{"jsonrpc":"2.0","id":1,"method":"constructor"}'),
      expect: { status: 200, body: rpcErrorBody(-32601, 'Method not found: constructor') },
    },
    {
      rule: 'R-JR-12',
      name: 'no method and no result is an invalid request',
      request: post('{"jsonrpc":"2.0","id":1}'),
      expect: {
        status: 400,
        body: rpcErrorBody(
          -32600,
          'A JSON-RPC message needs "method" (request) or "result"/"error" (response)',
        ),
      },
    },
    {
      rule: 'R-JR-12',
      name: 'a method that is not a string is an invalid request',
      request: post('{"jsonrpc":"2.0","id":1,"method":5}'),
      expect: { status: 400, body: rpcErrorBody(-32600, '"method" must be a string') },
    },
    {
      rule: 'R-JR-12',
      name: 'positional params are an invalid request',
      request: post('{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}'),
      expect: { status: 400, body: rpcErrorBody(-32600, '"params" must be an object') },
    },
    {
      rule: 'R-JR-12',
      name: 'wrong params for a known method is -32602',
      request: post('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}'),
      expect: {
        status: 200,
        body: rpcErrorBody(-32602, 'tools/call: "params.name" is required'),
      },
    },
    {
      rule: 'R-HT-6',
      name: 'a response from the client gets 202 and no body',
      request: post('{"jsonrpc":"2.0","id":5,"result":{}}'),
      expect: { status: 202, body: '' },
    },
    {
      rule: 'R-HT-6',
      name: 'an error response from the client gets 202 and no body',
      request: post('{"jsonrpc":"2.0","id":5,"error":{"code":-1,"message":"declined"}}'),
      expect: { status: 202, body: '' },
    },
  ])
})

const ping = (id: number) => `{"jsonrpc":"2.0","id":${id},"method":"ping"}`

describe('batches', () => {
  describe.each(LEGACY)('%s', (revision) => {
    test('R-JR-17 a batch is answered with an array where the revision has batches, else refused whole (400, -32600)', async () => {
      const res = await send(post(`[${ping(1)},${ping(2)}]`, { 'mcp-protocol-version': revision }))
      const text = await res.text()
      if (has(revision, 'batches')) {
        expect({ status: res.status, text }).toEqual({
          status: 200,
          text: '[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"result":{}}]',
        })
      } else {
        expect({ status: res.status, text }).toEqual({
          status: 400,
          text: rpcErrorBody(
            -32600,
            `Batches are not supported in protocol version ${revision} (only in 2025-03-26)`,
            undefined,
            null,
          ),
        })
      }
    })
  })

  wireTable([
    {
      rule: 'R-JR-17',
      name: '2025-03-26 (no version header): a batch of requests gets an array of responses',
      request: post(`[${ping(1)},${ping(2)}]`),
      expect: {
        status: 200,
        body: '[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"result":{}}]',
        headers: { 'content-type': 'application/json' },
      },
    },
    {
      rule: 'R-HT-5',
      name: '2025-03-26: a body may be a batch of responses, accepted with 202',
      request: post(
        '[{"jsonrpc":"2.0","id":"s1","result":{}},{"jsonrpc":"2.0","id":"s2","error":{"code":-1,"message":"no"}}]',
      ),
      expect: { status: 202, body: '' },
    },
    {
      rule: 'R-JR-17',
      name: 'an empty batch is one invalid request',
      request: post('[]'),
      expect: {
        status: 400,
        body: rpcErrorBody(-32600, 'A batch must not be empty', undefined, null),
      },
    },
    {
      rule: 'R-JR-17',
      name: 'a batch of notifications only gets 202',
      request: post(
        '[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}]',
      ),
      expect: { status: 202, body: '' },
    },
    {
      rule: 'R-JR-17',
      name: 'a mixed batch answers only its requests',
      request: post(
        `[{"jsonrpc":"2.0","method":"notifications/initialized"},${ping(3)},{"jsonrpc":"2.0","id":9,"result":{}}]`,
      ),
      expect: { status: 200, body: '[{"jsonrpc":"2.0","id":3,"result":{}}]' },
    },
    {
      rule: 'R-JR-17',
      name: 'an invalid member gets its own error; the others are answered',
      request: post(`[1,${ping(2)}]`),
      expect: {
        status: 200,
        body: `[${rpcErrorBody(-32600, 'A JSON-RPC message must be an object', undefined, null)},{"jsonrpc":"2.0","id":2,"result":{}}]`,
      },
    },
    {
      rule: 'R-LC-6',
      name: 'initialize inside a batch is refused; the rest is answered',
      request: post(
        `[{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"c","version":"1"}}},${ping(2)}]`,
      ),
      expect: {
        status: 200,
        body: `[${rpcErrorBody(-32600, 'initialize must not be part of a JSON-RPC batch')},{"jsonrpc":"2.0","id":2,"result":{}}]`,
      },
    },
  ])
})

describe.each(REVISIONS)('%s', (revision) => {
  test('R-JR-12 R-HT-35 an unknown method is -32601, with the status of the revision (200, or 404 in 2026-07-28)', async () => {
    const { status, body } = await reply(requestIn(revision, 'tools/lsit'))
    expect({ status, body }).toEqual({
      status: statusIn(revision, -32601),
      body: rpcError(-32601, 'Method not found: tools/lsit'),
    })
  })
})

// R-JR-12 · schema `MethodNotFoundError`: -32601 also answers "one gated behind a server
// capability the server did not advertise". Which capabilities a server declares follows from
// what it has (R-LC-7); the same decision refuses the methods of the others.
describe('methods of a capability the server does not declare', () => {
  const TOOLS_ONLY = serverWith([echo])
  const PROMPTS_ONLY = serverWith([], {}, { prompts: [codeReview] })
  const RESOURCES_ONLY = serverWith([], {}, { resources: [readme] })
  const notOffered = (method: string, reason: string) =>
    rpcError(-32601, `Method not found: ${method}`, { reason })
  const without = (capability: string) =>
    `This server does not declare the ${capability} capability`
  wireTable([
    ...(
      [
        ['resources/list', {}, 'resources'],
        ['resources/templates/list', {}, 'resources'],
        ['resources/read', { uri: 'bare-mcp://readme' }, 'resources'],
        ['prompts/list', {}, 'prompts'],
        ['prompts/get', { name: 'code_review' }, 'prompts'],
        [
          'completion/complete',
          { ref: { type: 'ref/prompt', name: 'x' }, argument: { name: 'a', value: '' } },
          'completions',
        ],
      ] as const
    ).map(([method, params, capability]): WireCase => ({
      rule: 'R-JR-12',
      name: `a tools-only server answers ${method} with -32601 naming the ${capability} capability`,
      request: legacyRequest(method, params),
      target: TOOLS_ONLY,
      expect: { status: 200, json: notOffered(method, without(capability)) },
    })),
    ...(
      [
        ['tools/list', {}, 'tools'],
        ['tools/call', { name: 'echo', arguments: { text: 'x' } }, 'tools'],
        ['logging/setLevel', { level: 'debug' }, 'logging'],
      ] as const
    ).map(([method, params, capability]): WireCase => ({
      rule: 'R-JR-12',
      name: `a prompts-only server answers ${method} with -32601 naming the ${capability} capability`,
      request: legacyRequest(method, params),
      target: PROMPTS_ONLY,
      expect: { status: 200, json: notOffered(method, without(capability)) },
    })),
    {
      rule: 'R-JR-12',
      name: 'the declared capability answers normally (tools/list on the tools-only server)',
      request: legacyRequest('tools/list'),
      target: TOOLS_ONLY,
      expect: { status: 200 },
    },
    {
      rule: 'R-JR-12',
      name: 'a resources-only server has no completions (no template, no prompt to complete)',
      request: legacyRequest('completion/complete', {
        ref: { type: 'ref/resource', uri: 'bare-mcp://readme' },
        argument: { name: 'a', value: '' },
      }),
      target: RESOURCES_ONLY,
      expect: { status: 200, json: notOffered('completion/complete', without('completions')) },
    },
    {
      rule: 'R-JR-12',
      name: '2026-07-28: resources/list on a tools-only server is 404 with -32601',
      request: modernRequest('resources/list'),
      target: TOOLS_ONLY,
      expect: { status: 404, json: notOffered('resources/list', without('resources')) },
    },
  ])
})
