// BM-FUZZ-6: every endpoint besides the MCP ones' message handling, through the real Worker:
// protected-resource and authorization-server metadata, the OAuth endpoints (AUTH=true, dev
// sign-in), the knowledge base's and the API keys' admin APIs (configured, and sometimes
// given the right token), and paths we do not serve. Any method, query, body type, token and
// cookie: never a 5xx, a leak or a hang, and the server still answers.

import fc from 'fast-check'
import { test } from 'vitest'
import {
  checkAsync,
  expectSound,
  runs,
  stillAnswers,
  timeoutFor,
  withLiveness,
} from '../helpers/fuzz.ts'
import { ADMIN_SETTINGS, AUTH_SETTINGS, endpointRequest, sendHostile } from '../helpers/hostile.ts'
import { workerWith } from '../helpers/wire.ts'

const admin = workerWith(ADMIN_SETTINGS)
const auth = workerWith(AUTH_SETTINGS)

/** MCP endpoints (legacy ones too) refuse with JSON-RPC errors, even before the transport. */
const speaksJsonRpc = (path: string) => /^\/(mcp|sse|messages)(?:[/?]|$)/.test(path)

const ENDPOINTS = 1_000
test(
  `BM-FUZZ-6 metadata, OAuth, admin APIs and unknown paths, with or without AUTH, never get a 5xx, a leak or a hang (${runs(ENDPOINTS)} cases)`,
  async () => {
    await checkAsync(
      fc.asyncProperty(
        endpointRequest,
        withLiveness(async (r) => {
          await expectSound(sendHostile(r, r.auth ? auth : admin), {
            mayStayOpen: r.mayStayOpen,
            rpc: speaksJsonRpc(r.path),
            head: r.method === 'HEAD',
          })
        }),
      ),
      ENDPOINTS,
    )
    await stillAnswers()
  },
  timeoutFor(ENDPOINTS, 100),
)
