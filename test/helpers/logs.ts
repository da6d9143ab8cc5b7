// The server's log as a test sees it: console output inside workerd captured while a test runs
// (the Worker, its Durable Objects and the tests share one isolate), each JSON line parsed.
// Lines are written after the response (src/observe/operation-log.ts), so tests wait for them.
//
//   const log = captureLog()
//   await rpc(...)
//   const line = await log.find((l) => l['gen_ai.tool.name'] === 'add')
//   log.restore()

import { expect, vi } from 'vitest'

export type Line = Record<string, unknown>

export const captureLog = () => {
  const raw: string[] = []
  const lines: Line[] = []
  const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      const text = args.map((arg) => (typeof arg === 'string' ? arg : String(arg))).join(' ')
      raw.push(text)
      try {
        const value: unknown = JSON.parse(text)
        if (typeof value === 'object' && value !== null) lines.push(value as Line)
      } catch {
        // not a JSON line
      }
    }),
  )
  /** The first line `match` holds for, waiting for it up to 3 s. */
  const find = async (match: (line: Line) => boolean): Promise<Line> => {
    let found: Line | undefined
    await vi.waitFor(
      () => {
        found = lines.find(match)
        expect(found, `no such line in:\n${raw.join('\n')}`).toBeDefined()
      },
      { timeout: 3000, interval: 10 },
    )
    return found!
  }
  /** Every line `match` holds for, once the writes of the last request have had time to land. */
  const all = async (match: (line: Line) => boolean): Promise<Line[]> => {
    await settle()
    return lines.filter(match)
  }
  return { raw, lines, find, all, restore: () => spies.forEach((spy) => spy.mockRestore()) }
}

/** Lets the work scheduled after the last response (timers, digests) finish. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 5))
}
