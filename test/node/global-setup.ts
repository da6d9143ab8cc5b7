// Global setup of the node test project: one `wrangler dev` for every end-to-end test, on free
// loopback ports, started and stopped by scripts/lib/wrangler.mjs (its own process group, so
// stopping it stops workerd too). Tests read its base URL with `inject('mcpUrl')`.

import { existsSync, readFileSync } from 'node:fs'
import { stripVTControlCharacters } from 'node:util'
import type { TestProject } from 'vitest/node'
import { ROOT, startWrangler } from '../../scripts/lib/wrangler.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the Worker under `wrangler dev`, without a trailing slash. */
    mcpUrl: string
  }
}

const LOG = `${ROOT}/.wrangler/test-node.log`

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const worker = await startWrangler({ log: LOG, readyMs: 60_000 })
    project.provide('mcpUrl', worker.url)
    return () => worker.stop()
  } catch (error) {
    const tail = existsSync(LOG)
      ? stripVTControlCharacters(readFileSync(LOG, 'utf8')).slice(-20_000)
      : ''
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${tail}`)
  }
}
