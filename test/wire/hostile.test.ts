// Hostile and odd input: each gets the right status and a JSON-RPC error (or a plain answer),
// never a 500, never a stack trace (expectResponse checks the body for one).

import { describe } from 'vitest'
import { SUPPORTED_REVISIONS } from '../../src/protocol/revisions.ts'
import { CLIENT_HEADERS, post, wireTable, type WireCase } from '../helpers/wire.ts'

const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}'

describe('hostile input', () => {
  wireTable([
    {
      rule: 'BM-LIMIT-2',
      name: 'JSON nested 100,000 deep is refused for its depth (MAX_JSON_DEPTH), not a crash',
      request: post('['.repeat(100_000) + ']'.repeat(100_000)),
      expect: {
        status: 400,
        json: {
          jsonrpc: '2.0',
          id: null,
          error: {
            code: -32600,
            message: 'The body nests deeper than 64 levels (MAX_JSON_DEPTH)',
          },
        },
      },
    },
    {
      rule: 'R-JR-8',
      name: 'a lone high surrogate escape is still valid JSON and an invalid request',
      request: post('{"jsonrpc":"2.0","id":"\\ud800","method":7}'),
      expect: { status: 400 },
    },
    {
      rule: 'R-JR-8',
      name: 'trailing garbage after the object is a parse error',
      request: post(`${PING} x`),
      expect: {
        status: 400,
        json: {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32700, message: 'Parse error: the body is not valid JSON' },
        },
      },
    },
    {
      rule: 'R-JR-8',
      name: 'a UTF-8 byte order mark before the JSON is tolerated',
      request: {
        headers: CLIENT_HEADERS,
        body: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(PING)]),
      },
      expect: { status: 200, body: '{"jsonrpc":"2.0","id":1,"result":{}}' },
    },
    {
      rule: 'R-JR-12',
      name: 'a 100 KB method name is not echoed whole',
      request: post(`{"jsonrpc":"2.0","id":1,"method":"${'m'.repeat(100_000)}"}`),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32601, message: `Method not found: ${'m'.repeat(100)}…` },
        },
      },
    },
    {
      rule: 'R-JR-12',
      name: '__proto__ as a method is unknown, not a crash',
      request: post('{"jsonrpc":"2.0","id":1,"method":"__proto__"}'),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32601, message: 'Method not found: __proto__' },
        },
      },
    },
    {
      rule: 'R-JR-12',
      name: 'params with a __proto__ key do not pollute anything',
      request: post(
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","__proto__":{"admin":true}}}}',
        { 'mcp-protocol-version': '2025-11-25' },
      ),
      expect: { status: 200 },
    },
    {
      rule: 'R-JR-3',
      name: 'an id beyond 2^53 is refused rather than silently rounded',
      request: post('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}'),
      expect: { status: 400 },
    },
    {
      rule: 'R-JR-2',
      name: 'two Content-Type values joined by a comma are not JSON',
      request: post(PING, { 'content-type': 'application/json, text/plain' }),
      expect: { status: 415 },
    },
    {
      rule: 'R-HT-17',
      name: 'a version header with spaces around it is read trimmed',
      request: post(PING, { 'mcp-protocol-version': '  2025-06-18  ' }),
      expect: { status: 200 },
    },
    {
      rule: 'R-HT-17',
      name: 'a garbage version header is 400, not 500',
      request: post(PING, { 'mcp-protocol-version': '\u00ff\u00fe' }),
      expect: { status: 400 },
    },
    {
      rule: 'R-HT-2',
      name: 'a malformed Origin is refused',
      request: post(PING, { origin: 'not a url' }),
      expect: { status: 403 },
    },
    {
      rule: 'R-HT-2',
      name: 'localhost as a subdomain of an attacker is not localhost',
      request: post(PING, { origin: 'http://localhost.evil.example' }),
      expect: { status: 403 },
    },
    {
      rule: 'BM-PATH-1',
      name: 'a path that only starts like the endpoint is 404',
      request: { path: '/mcpx', headers: CLIENT_HEADERS, body: PING },
      expect: { status: 404 },
    },
    {
      rule: 'R-SF-7',
      name: 'tools/call with a name that is an object is -32602',
      request: post('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":{"x":1}}}'),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32602, message: 'tools/call: "params.name" must be a string' },
        },
      },
    },
    {
      rule: 'BM-ECHO-1',
      name: 'a 100 KB string where a number belongs is repeated 64 characters at most',
      request: post(
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":"${'x'.repeat(100_000)}","b":1}}}`,
        { 'mcp-protocol-version': '2025-11-25' },
      ),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          result: {
            content: [
              {
                type: 'text',
                text: `Invalid arguments for tool add: "arguments.a" Invalid type: Expected number but received "${'x'.repeat(64)}…"`,
              },
            ],
            isError: true,
          },
        },
      },
    },
    {
      rule: 'BM-ECHO-1',
      name: 'a 100 KB unknown key is repeated 64 characters at most, in the path and the problem',
      request: post(
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","${'k'.repeat(100_000)}":1}}}`,
        { 'mcp-protocol-version': '2025-11-25' },
      ),
      expect: {
        status: 200,
        json: {
          jsonrpc: '2.0',
          id: 1,
          result: {
            content: [
              {
                type: 'text',
                text: `Invalid arguments for tool echo: "arguments.${'k'.repeat(64)}…" Invalid key: Expected never but received "${'k'.repeat(64)}…"`,
              },
            ],
            isError: true,
          },
        },
      },
    },
    {
      rule: 'BM-ECHO-1',
      name: 'a 7 KB MCP-Protocol-Version is named 64 characters at most, in the message and data',
      request: post(PING, { 'mcp-protocol-version': 'v'.repeat(7_000) }),
      expect: {
        status: 400,
        json: {
          jsonrpc: '2.0',
          id: 1,
          error: {
            code: -32022,
            message: `Unsupported protocol version: ${'v'.repeat(64)}…`,
            data: { supported: [...SUPPORTED_REVISIONS], requested: `${'v'.repeat(64)}…` },
          },
        },
      },
    },
    {
      rule: 'BM-ECHO-1',
      name: 'a 7 KB unknown path is named 64 characters at most in the 404',
      request: { path: `/${'p'.repeat(7_000)}`, headers: CLIENT_HEADERS, body: PING },
      expect: {
        status: 404,
        json: {
          error: 'not_found',
          message: `Nothing at /${'p'.repeat(63)}…; the MCP endpoint is /mcp`,
        },
      },
    },
    {
      rule: 'BM-ECHO-1',
      name: 'a response whose "error" is a 100 KB string is refused without repeating it',
      request: post(`{"jsonrpc":"2.0","id":1,"error":"${'x'.repeat(100_000)}"}`),
      expect: {
        status: 400,
        json: {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32600, message: '"error" must be an object' },
        },
      },
    },
  ] satisfies WireCase[])
})
