// R-JR-16 · https://modelcontextprotocol.io/specification/2026-07-28/basic#error-codes
// -32020..-32099 belong to the specification (nothing undefined may be emitted there), and new
// implementations should not use -32000..-32019. Every JSON-RPC error code in src/ is read from
// the syntax tree, so a code written anywhere, not only in the table, is checked.

import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { ErrorCode } from '../../src/jsonrpc/errors.ts'
import { numbersIn } from './source-facts.ts'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/** The codes JSON-RPC 2.0 and the MCP revisions define, and who defines them. */
const DEFINED = new Map<number, string>([
  [-32700, 'JSON-RPC parse error'],
  [-32600, 'JSON-RPC invalid request'],
  [-32601, 'JSON-RPC method not found'],
  [-32602, 'JSON-RPC invalid params'],
  [-32603, 'JSON-RPC internal error'],
  [-32002, 'MCP resource not found (2024-11-05 .. 2025-11-25)'],
  [-32042, 'MCP URLElicitationRequired (2025-11-25)'],
  [-32020, 'MCP HeaderMismatch (2026-07-28)'],
  [-32021, 'MCP MissingRequiredClientCapability (2026-07-28)'],
  [-32022, 'MCP UnsupportedProtocolVersion (2026-07-28)'],
])

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  )

/** Our own codes: application-defined, so outside the reserved range, as R-JR-16 asks. */
const OWN = new Map<number, string>([[-31429, 'bare-mcp RateLimited (429)']])

test('R-JR-16 every error code in the table is one the specifications define, or our own outside the reserved range', () => {
  for (const [name, code] of Object.entries(ErrorCode)) {
    const own = OWN.has(code) && (code < -32768 || code > -32000)
    expect(DEFINED.has(code) || own, `${name} ${code}`).toBe(true)
  }
})

test('R-JR-16 no code in the reserved range (-32768 .. -32000) appears in src/ but a defined one', () => {
  const undefinedCodes = sources(SRC).flatMap((path) =>
    numbersIn(path)
      .filter(({ value }) => value >= -32768 && value <= -32000 && !DEFINED.has(value))
      .map(({ value, line }) => `${relative(SRC, path)}:${line} ${value}`),
  )
  expect(undefinedCodes).toEqual([])
})
