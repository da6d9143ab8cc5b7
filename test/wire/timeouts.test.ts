// R-JR-22: requests time out. Tools have had TOOL_TIMEOUT_MS from the start (test/wire/tools.test.ts);
// a prompt's `get`, a resource's `read` and a completer run under the same setting, and one that
// runs past it (here: never finishes, ignoring its signal) is -32603 naming the method.

import * as v from 'valibot'
import { definePrompt } from '../../src/prompts/define.ts'
import { defineResource } from '../../src/resources/define.ts'
import { post, serverWith, wireTable } from '../helpers/wire.ts'

const never = <T>() => new Promise<T>(() => {})

const slowPrompt = definePrompt({
  name: 'slow_prompt',
  description: 'Never finishes, and ignores its abort signal.',
  arguments: v.object({ topic: v.string() }),
  complete: { topic: () => never<string[]>() },
  get: () => never<string>(),
})

const slowResource = defineResource({
  uri: 'test://slow',
  name: 'slow',
  description: 'Never finishes reading, and ignores its abort signal.',
  read: () => never<string>(),
})

const SERVER = serverWith(
  [],
  { TOOL_TIMEOUT_MS: '1000' },
  { prompts: [slowPrompt], resources: [slowResource] },
)

wireTable([
  {
    rule: 'R-JR-22',
    name: 'prompts/get running past TOOL_TIMEOUT_MS is -32603',
    request: post(
      '{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"slow_prompt","arguments":{"topic":"x"}}}',
      { 'mcp-protocol-version': '2025-11-25' },
    ),
    expect: {
      status: 200,
      body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"prompts/get timed out after 1000 ms"}}',
    },
    target: SERVER,
    why: 'The spec says requests SHOULD time out; one setting bounds every handler we run.',
  },
  {
    rule: 'R-JR-22',
    name: 'resources/read running past TOOL_TIMEOUT_MS is -32603',
    request: post(
      '{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"test://slow"}}',
      { 'mcp-protocol-version': '2025-11-25' },
    ),
    expect: {
      status: 200,
      body: '{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"resources/read timed out after 1000 ms"}}',
    },
    target: SERVER,
  },
  {
    rule: 'R-JR-22',
    name: 'completion/complete running past TOOL_TIMEOUT_MS is -32603',
    request: post(
      '{"jsonrpc":"2.0","id":3,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"slow_prompt"},"argument":{"name":"topic","value":"a"}}}',
      { 'mcp-protocol-version': '2025-11-25' },
    ),
    expect: {
      status: 200,
      body: '{"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"completion/complete timed out after 1000 ms"}}',
    },
    target: SERVER,
  },
])
