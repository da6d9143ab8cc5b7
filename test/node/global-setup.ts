// Global setup for the "node" vitest project: runs this repository's Worker under `wrangler dev`
// on free local ports, waits until it answers a ping, and hands its base URL to the tests:
//
//   import { inject } from 'vitest'
//   const url = inject('mcpUrl') // e.g. http://127.0.0.1:41234 (the MCP endpoint is `${url}/mcp`)
//
// wrangler is started through `npx`, so the locally installed wrangler and Node (the `node`
// devDependency) are used: a fresh clone with `npm ci` needs nothing installed globally.
// It runs in its own process group (detached), so teardown can stop wrangler, workerd and
// anything else they started with one signal.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the Worker under `wrangler dev`, without a trailing slash. */
    mcpUrl: string
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HOST = '127.0.0.1'
/** How long wrangler may take to answer its first ping (first runs bundle and start workerd). */
const READY_TIMEOUT_MS = 60_000
/** How long one readiness probe may take before it counts as a failed attempt. */
const PROBE_TIMEOUT_MS = 2_000
const PROBE_INTERVAL_MS = 250
/** How long teardown waits for SIGTERM before it sends SIGKILL. */
const STOP_TIMEOUT_MS = 5_000
/** Wrangler's output is kept for error messages, up to this many characters (the tail). */
const MAX_LOG_CHARS = 64_000

const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}'

/** A TCP port that was free a moment ago on HOST (the OS picks it). */
const freePort = async (): Promise<number> => {
  const server = createServer()
  server.listen(0, HOST)
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('could not get a free port')
  return address.port
}

/** Two distinct free ports: one for HTTP, one for the inspector. */
const freePorts = async (): Promise<[number, number]> => {
  const http = await freePort()
  for (;;) {
    const inspector = await freePort()
    if (inspector !== http) return [http, inspector]
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Whether POST `${url}/mcp` answers a ping with 200 right now. */
const answersPing = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: PING,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

/** Stops the process group led by `child`: SIGTERM, then SIGKILL if it lingers. */
const stop = async (child: ChildProcess): Promise<void> => {
  const pid = child.pid
  if (pid === undefined) return
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal)
      return true
    } catch {
      return false // ESRCH: the group is already gone
    }
  }
  if (!signalGroup('SIGTERM')) return
  const exited =
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit')
  await Promise.race([exited, sleep(STOP_TIMEOUT_MS)])
  // workerd may outlive wrangler briefly; make sure nothing of the group survives.
  signalGroup('SIGKILL')
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [port, inspectorPort] = await freePorts()
  const url = `http://${HOST}:${port}`
  const args = [
    'wrangler',
    'dev',
    '--config',
    'wrangler.toml',
    '--ip',
    HOST,
    '--port',
    String(port),
    '--inspector-ip',
    HOST,
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    '--log-level',
    'info',
  ]
  const child = spawn('npx', args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      X_LOCAL_OBSERVABILITY: 'false',
      X_LOCAL_EXPLORER: 'false',
      NO_COLOR: '1',
    },
  })

  // Both pipes are drained for the whole run (a full pipe would stall wrangler); the tail is kept.
  let log = ''
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-MAX_LOG_CHARS)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const status: { exit: string | null; spawnError: Error | null } = { exit: null, spawnError: null }
  child.on('error', (error) => void (status.spawnError = error))
  child.on('exit', (code, signal) => {
    status.exit = signal === null ? `exit code ${code}` : `signal ${signal}`
  })

  const fail = async (why: string): Promise<never> => {
    await stop(child)
    const command = `npx ${args.join(' ')}`
    throw new Error(
      `wrangler dev did not become ready: ${why}\n$ ${command}\n--- wrangler output ---\n${stripVTControlCharacters(log)}`,
    )
  }

  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (status.spawnError !== null) await fail(`could not spawn npx: ${status.spawnError.message}`)
    if (status.exit !== null) await fail(`it ended early (${status.exit})`)
    if (await answersPing(url)) break
    if (Date.now() >= deadline) {
      await fail(
        `POST ${url}/mcp did not answer a ping with 200 within ${READY_TIMEOUT_MS / 1000} s`,
      )
    }
    await sleep(PROBE_INTERVAL_MS)
  }

  project.provide('mcpUrl', url)
  return () => stop(child)
}
