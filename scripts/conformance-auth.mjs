// npm run conformance:auth: the official conformance suite's authorization-server scenarios
// (@modelcontextprotocol/conformance 0.2.0-alpha.12 `authorization`) against this Worker with
// AUTH=true.
//
//   1. starts `wrangler dev` with AUTH=true and the dev sign-in (127.0.0.1, free ports, own state);
//   2. registers a public client by DCR with the suite's loopback callback as redirect URI;
//   3. runs `conformance authorization --url <issuer> --client-id <id> --port <p>`; the suite
//      prints an authorization URL and waits for a person: we play the person over HTTP (dev
//      sign-in, consent: test/node/oauth-driver.ts does the same in the tests) and deliver the
//      redirect to the suite's callback server;
//   4. prints every check and exits 1 on any FAILURE (WARNINGs listed).
//
// Output and checks.json files are kept in .wrangler/conformance-auth/.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { consent } from './lib/oauth-person.mjs'
import { freePorts, ROOT, startWrangler } from './lib/wrangler.mjs'

const OUT = path.join(ROOT, '.wrangler', 'conformance-auth')
const SUITE = path.join(ROOT, 'node_modules', 'conformance-next', 'dist', 'index.js')

/** Runs the suite; resolves to { checks, output, code }. */
export const runAuthConformance = async () => {
  fs.rmSync(OUT, { recursive: true, force: true })
  fs.mkdirSync(OUT, { recursive: true })
  const worker = await startWrangler({
    log: path.join(OUT, 'wrangler.log'),
    persistTo: path.join(OUT, 'state'),
    vars: {
      AUTH: 'true',
      AUTH_PROVIDER: 'dev',
      AUTH_SECRET: 'conformance-auth-0123456789abcdef-01',
    },
  })
  try {
    const [port] = await freePorts(1)
    const callback = `http://127.0.0.1:${port}/callback`
    const registered = await fetch(`${worker.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'MCP conformance suite',
        redirect_uris: [callback],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      }),
    })
    if (registered.status !== 201) {
      throw new Error(`DCR failed: ${registered.status} ${await registered.text()}`)
    }
    const { client_id: clientId } = await registered.json()
    const args = [SUITE, 'authorization', '--url', worker.url, '--client-id', clientId]
    args.push('--port', String(port), '--resource', `${worker.url}/mcp`, '-o', OUT)
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    let driven = null
    const onData = (chunk) => {
      output += chunk
      const url = /^(http:\/\/\S+\/authorize\?\S+)$/m.exec(output)?.[1]
      if (url && driven === null) {
        driven = consent(url, callback).then(
          (redirect) => fetch(redirect).then((response) => response.body?.cancel()),
          (error) => {
            output += `\n[conformance-auth] driving the browser flow failed: ${error.message}\n`
            child.kill()
          },
        )
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk) => (output += chunk))
    const code = await new Promise((resolve) => child.on('exit', (status) => resolve(status)))
    await driven
    fs.writeFileSync(path.join(OUT, 'output.txt'), output)
    const checks = fs
      .readdirSync(OUT, { recursive: true })
      .filter((file) => file.endsWith('checks.json'))
      .flatMap((file) => JSON.parse(fs.readFileSync(path.join(OUT, file), 'utf8')))
      .sort((a, b) => a.id.localeCompare(b.id))
    return { checks, output, code }
  } finally {
    await worker.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { checks, output, code } = await runAuthConformance()
  for (const check of checks) {
    console.log(
      `${check.status.padEnd(8)} ${check.id}${check.errorMessage ? `: ${check.errorMessage}` : ''}`,
    )
  }
  const failed = checks.filter((check) => check.status === 'FAILURE')
  if (checks.length === 0 || failed.length > 0 || code !== 0) {
    console.log(output)
    console.log(`FAILED: ${failed.length} failed checks of ${checks.length}, suite exit ${code}`)
    process.exit(1)
  }
  console.log(`${checks.length} checks, 0 failures`)
}
