// Types of wrangler.mjs, for the TypeScript that imports it (test/node/global-setup.ts).

export const ROOT: string
export const WRANGLER_ENV: Readonly<Record<string, string>>
export const sleep: (ms: number) => Promise<void>
export const freePorts: (count: number) => Promise<number[]>
export const signalGroup: (pgid: number, signal: NodeJS.Signals) => void

export interface RunningWorker {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string
  stop(): Promise<void>
}

export const startWrangler: (options: {
  vars?: Record<string, string>
  /** A wrangler environment (`--env`), e.g. `conformance`. */
  env?: string
  log: string
  persistTo?: string
  readyMs?: number
}) => Promise<RunningWorker>
