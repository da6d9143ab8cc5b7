// Shared by bench/run.mjs (throughput, bundle size) and bench/streams.mjs (1,000 open streams):
// starting `wrangler dev` in its own process group, stopping every group on any exit, free
// ports, and a whole-run bound.

import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { freePorts, ROOT, signalGroup, sleep, WRANGLER_ENV } from '../scripts/lib/wrangler.mjs'

export { freePorts, ROOT, sleep, WRANGLER_ENV }
export const WORK = path.join(ROOT, '.bench') // git-ignored
export const LOGS = path.join(WORK, 'logs')

/** A positive number of seconds from the environment variable `name`, or `fallback`. */
export const seconds = (name, fallback) => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || value > 3600) {
    console.error(
      `bench: ${name} must be a number of seconds in (0, 3600], got ${JSON.stringify(raw)}`,
    )
    process.exit(2)
  }
  return value
}

/** An expected failure: its message is printed without a stack, and the exit status is 1. */
export class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Child processes: each wrangler runs detached in its own process group, which is killed on any
// exit (normal, error, Ctrl-C) so no workerd is left behind.

/** @type {Set<{name: string, child: import('node:child_process').ChildProcess, log: string, exited: null | string}>} */
const running = new Set()

/** Starts `npx wrangler ...args` in its own process group, logging to .bench/logs/<name>.log. */
export const spawnWrangler = (name, args, cwd = ROOT) => {
  fs.mkdirSync(LOGS, { recursive: true })
  const log = path.join(LOGS, `${name}.log`)
  const fd = fs.openSync(log, 'w')
  const child = spawn('npx', ['wrangler', ...args], {
    cwd,
    env: { ...process.env, ...WRANGLER_ENV },
    stdio: ['ignore', fd, fd],
    detached: true,
  })
  fs.closeSync(fd)
  const proc = { name, child, log, exited: null }
  running.add(proc)
  child.on('error', (error) => (proc.exited = `failed to spawn: ${error.message}`))
  child.on(
    'exit',
    (code, signal) => (proc.exited = signal ? `killed by ${signal}` : `exited with code ${code}`),
  )
  return proc
}

/** Forgets a process that ended by itself (it is no longer stopped at exit). */
export const forget = (proc) => running.delete(proc)

/** One /proc/<pid>/stat, parsed; null when the process is gone. */
export const procStat = (pid) => {
  let stat
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // pid (comm) state ppid pgrp ...: comm may contain spaces, so split after the last ')'.
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return {
    pid,
    comm,
    state: fields[0],
    pgrp: Number(fields[2]),
    // utime and stime are fields 14 and 15 of the whole line (1-based), in clock ticks.
    ticks: Number(fields[11]) + Number(fields[12]),
  }
}

/** The live (non-zombie) processes of a process group (Linux: /proc). */
export const groupMembers = (pgid) => {
  const members = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = procStat(Number(entry))
    if (stat !== null && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X')
      members.push(stat)
  }
  return members
}

/**
 * The loopback TCP ports the processes of a process group listen on (Linux, `ss -ltnpH`):
 * wrangler dev's proxy, its inspector, and workerd's own sockets, one of which serves the Worker
 * itself.
 */
export const listeningPorts = (pgid) => {
  const pids = new Set(groupMembers(pgid).map((member) => member.pid))
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
  const ports = []
  for (const line of out.split('\n')) {
    const port = /127\.0\.0\.1:(\d+)\s/.exec(line)?.[1]
    const owners = [...line.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]))
    if (port !== undefined && owners.some((pid) => pids.has(pid))) ports.push(Number(port))
  }
  return [...new Set(ports)]
}

/**
 * The origin of a Worker's own workerd socket, so that what is measured is the Worker and not
 * wrangler dev's proxy in front of it: of the ports process group `pgid` listens on, but those in
 * `skip` (the proxy's, the inspector's), the first where `answer(origin, timeoutMs)` resolves to
 * what it resolves to through the proxy at `origin`. Null when none does.
 */
export const directOrigin = async (pgid, origin, skip, answer) => {
  const expected = await answer(origin, 10_000)
  for (const port of listeningPorts(pgid)) {
    if (skip.includes(port)) continue
    const direct = `http://127.0.0.1:${port}`
    try {
      if ((await answer(direct, 2_000)) === expected) return direct
    } catch {
      // not an HTTP socket of this Worker
    }
  }
  return null
}

/** Whether a process group still has live members; Linux reads /proc, elsewhere kill(-pgid, 0). */
const groupAlive = (pgid) => {
  if (fs.existsSync('/proc/self/stat')) return groupMembers(pgid).length > 0
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGTERM each group, wait up to 5 s, then SIGKILL what is left. */
export const stopAll = async () => {
  const procs = [...running].filter((proc) => proc.child.pid !== undefined)
  running.clear()
  for (const proc of procs) signalGroup(proc.child.pid, 'SIGTERM')
  const deadline = Date.now() + 5000
  while (procs.some((proc) => groupAlive(proc.child.pid)) && Date.now() < deadline) await sleep(100)
  for (const proc of procs) if (groupAlive(proc.child.pid)) signalGroup(proc.child.pid, 'SIGKILL')
}

// Last resort if the process exits some other way: synchronous SIGKILL of whatever remains.
process.on('exit', () => {
  for (const proc of running)
    if (proc.child.pid !== undefined) signalGroup(proc.child.pid, 'SIGKILL')
})

let finishing = false
/** Whether the run is ending (a failure elsewhere, Ctrl-C): waiting loops should give up. */
export const isFinishing = () => finishing

/** Stops every wrangler, then exits with `code`. */
export const finish = async (code) => {
  if (finishing) return
  finishing = true
  await stopAll()
  process.exit(code)
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping wrangler`)
    void finish(code)
  })
}

export const tailOf = (file, chars = 20_000) => {
  try {
    const text = fs.readFileSync(file, 'utf8')
    return text.length > chars ? `[...]\n${text.slice(-chars)}` : text
  } catch {
    return '(no log)'
  }
}

export const printLog = (proc) => {
  console.error(`----- ${proc.name} log (${path.relative(ROOT, proc.log)}) -----`)
  console.error(tailOf(proc.log).trimEnd())
  console.error(`----- end of ${proc.name} log -----`)
}

/**
 * Runs `main` (which resolves to an exit status) within `budgetMs`; then stops every wrangler
 * and exits. A BenchError is printed as a message, anything else with its stack.
 */
export const runBounded = (main, budgetMs) => {
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${Math.round(budgetMs / 1000)} s; giving up`)
    void finish(1)
  }, budgetMs)
  main().then(
    (code) => {
      clearTimeout(watchdog)
      return finish(code)
    },
    (error) => {
      clearTimeout(watchdog)
      console.error(
        `bench: ${error instanceof BenchError ? error.message : (error?.stack ?? error)}`,
      )
      return finish(1)
    },
  )
}

/**
 * `--var`s that turn bare-mcp's own log and metrics off (SERVER_LOG_LEVEL, METRICS), for load
 * tests: under `wrangler dev` every log line also travels through its Node process, which a
 * deployed Worker does not pay. BENCH_OBSERVABILITY=on keeps them, to measure what they cost.
 */
export const OBSERVABILITY_ARGS =
  process.env.BENCH_OBSERVABILITY?.trim() === 'on'
    ? []
    : ['--var', 'SERVER_LOG_LEVEL:off', '--var', 'METRICS:false']
