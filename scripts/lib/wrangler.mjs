// Starting and stopping `wrangler dev` for scripts (npm run conformance): loopback only, free
// ports, its own persistence directory, its own process group (so stopping it stops workerd
// too), and a readiness probe that waits for the MCP endpoint to answer a ping.
//
//   const worker = await startWrangler({ vars: { FIXTURES: 'conformance' }, log: 'x.log' })
//   ... worker.url (http://127.0.0.1:<port>) ...
//   await worker.stop()

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const HOST = '127.0.0.1'
const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}'

/** Applied to every wrangler process: no telemetry, no network look-ups, no local dashboards. */
export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  X_LOCAL_OBSERVABILITY: 'false',
  X_LOCAL_EXPLORER: 'false',
  NO_COLOR: '1',
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** `count` distinct loopback ports that were free a moment ago (all held until all are known). */
export const freePorts = async (count) => {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = net.createServer()
          server.once('error', reject)
          server.listen(0, HOST, () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => server.address().port)
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

/** Whether a process group still has a live member (signal 0 probes without sending). */
const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Sends `signal` to a process group; a group already gone is fine. */
export const signalGroup = (pgid, signal) => {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

/** Process groups started here and not yet stopped: killed if this process exits regardless. */
const running = new Set()
process.on('exit', () => {
  for (const pgid of running) signalGroup(pgid, 'SIGKILL')
})

/**
 * Starts `npx wrangler dev` (in wrangler environment `env`, if given) with `vars` (each as
 * `--var NAME:value`), logging to `log`, and
 * resolves once POST /mcp answers a ping. Rejects (after stopping it) if it exits or is not
 * ready within `readyMs`.
 */
export const startWrangler = async ({ vars = {}, env, log, persistTo, readyMs = 90_000 }) => {
  const [port, inspectorPort] = await freePorts(2)
  const url = `http://${HOST}:${port}`
  fs.mkdirSync(path.dirname(log), { recursive: true })
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
    ...(env === undefined ? [] : ['--env', env]),
    ...(persistTo === undefined ? [] : ['--persist-to', persistTo]),
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ]
  const fd = fs.openSync(log, 'w')
  const child = spawn('npx', args, {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    stdio: ['ignore', fd, fd],
    detached: true,
  })
  fs.closeSync(fd)
  let exited = null
  child.on('error', (error) => (exited = `could not spawn npx: ${error.message}`))
  child.on(
    'exit',
    (code, signal) => (exited = signal ? `killed by ${signal}` : `exit code ${code}`),
  )
  if (child.pid !== undefined) running.add(child.pid)

  const stop = async () => {
    const pgid = child.pid
    if (pgid === undefined || !running.delete(pgid)) return
    signalGroup(pgid, 'SIGTERM')
    const deadline = Date.now() + 5000
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100)
    signalGroup(pgid, 'SIGKILL')
  }

  const deadline = Date.now() + readyMs
  for (;;) {
    if (exited !== null) {
      await stop()
      throw new Error(`wrangler dev ended early (${exited}); see ${path.relative(ROOT, log)}`)
    }
    try {
      const response = await fetch(`${url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: PING,
        signal: AbortSignal.timeout(2000),
      })
      await response.body?.cancel()
      // 401: up, with AUTH=true (the ping carries no token).
      if (response.status === 200 || response.status === 401) break
    } catch {
      // not listening yet
    }
    if (Date.now() >= deadline) {
      await stop()
      throw new Error(
        `wrangler dev did not answer a ping within ${readyMs / 1000} s; see ${path.relative(ROOT, log)}`,
      )
    }
    await sleep(250)
  }
  return { url, stop }
}
