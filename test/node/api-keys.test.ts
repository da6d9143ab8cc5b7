// `npm run keys` against a running Worker with AUTH=true: a key is created (printed once),
// listed without its secret, used the way the Responses API uses it (its `authorization` field
// becomes `Authorization: Bearer <key>`), and revoked.

import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ROOT, startWrangler, type RunningWorker } from '../../scripts/lib/wrangler.mjs'

const run = promisify(execFile)
const ADMIN_TOKEN = 'admin-token-for-keys-test-0123'
let worker: RunningWorker

beforeAll(async () => {
  worker = await startWrangler({
    log: `${ROOT}/.wrangler/test-api-keys.log`,
    persistTo: mkdtempSync(path.join(tmpdir(), 'bare-mcp-keys-')),
    vars: { AUTH: 'true', AUTH_SECRET: 'keys-test-secret-0123456789abcdef-01', ADMIN_TOKEN },
  })
})
afterAll(() => worker?.stop())

const keys = (...args: string[]) =>
  run(process.execPath, [`${ROOT}/scripts/keys.mjs`, ...args, '--url', worker.url], {
    cwd: ROOT,
    env: { ...process.env, ADMIN_TOKEN },
  })

const toolsList = (key: string) =>
  fetch(`${worker.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${key}`,
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  })

test('BM-AUTH-23 npm run keys creates, lists and revokes a key that works as a bearer token', async () => {
  const created = await keys('create', '--label', 'responses-api', '--scopes', 'mcp')
  const key = /key \(shown once\): (bmk_\S+)/.exec(created.stdout)?.[1]
  const id = /created (\S+) /.exec(created.stdout)?.[1]
  expect(key).toBeDefined()
  expect(id).toBeDefined()

  const listed = await keys('list')
  expect(listed.stdout).toContain(`${id}  responses-api  [mcp]  live`)
  expect(listed.stdout).not.toContain(key!)

  const ok = await toolsList(key!)
  expect(ok.status).toBe(200)
  await ok.body?.cancel()

  await keys('revoke', id!)
  const refused = await toolsList(key!)
  expect(refused.status).toBe(401)
  expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
  await refused.body?.cancel()
  expect((await keys('list')).stdout).toContain(`${id}  responses-api  [mcp]  revoked`)
})

test('BM-AUTH-23 npm run keys refuses an unknown scope and a wrong admin token', async () => {
  await expect(keys('create', '--label', 'x', '--scopes', 'root')).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('Unknown scope root'),
  })
  await expect(
    run(
      process.execPath,
      [
        `${ROOT}/scripts/keys.mjs`,
        'list',
        '--url',
        worker.url,
        '--token',
        'wrong-token-wrong-token',
      ],
      {
        cwd: ROOT,
      },
    ),
  ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('401') })
})
