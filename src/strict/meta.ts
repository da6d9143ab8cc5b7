// R-JR-18: `_meta` key names, as strict mode reads what a client sends. A key is an optional
// prefix (dot-separated labels, then `/`) and a name; a prefix whose second label is
// `modelcontextprotocol` or `mcp` is reserved for MCP, so a client may use it only for the keys
// the spec defines:
//
//   com.example/trace-id                      ok (the client's own prefix)
//   io.modelcontextprotocol/clientInfo        ok (defined by 2026-07-28)
//   io.modelcontextprotocol/myKey             refused: reserved prefix, not a key MCP defines
//   -bad/key, com.example/key-                refused: not a valid key name
//
// https://modelcontextprotocol.io/specification/2025-11-25/basic#meta

import type { Finding } from './rules.ts'

const LABEL = /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/
const NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?$/

/**
 * The reserved keys a client may send: 2026-07-28's per-request fields, and 2025-11-25's
 * `related-task` (tasks); `subscriptionId` is the server's, on its notifications.
 */
const DEFINED = new Set([
  'io.modelcontextprotocol/protocolVersion',
  'io.modelcontextprotocol/clientCapabilities',
  'io.modelcontextprotocol/clientInfo',
  'io.modelcontextprotocol/logLevel',
  'io.modelcontextprotocol/related-task',
])

/** Why `key` may not be sent by a client, or null when it may. */
export const metaKeyProblem = (key: string): string | null => {
  const slash = key.lastIndexOf('/')
  const prefix = slash === -1 ? null : key.slice(0, slash)
  const name = slash === -1 ? key : key.slice(slash + 1)
  if (!NAME.test(name)) return `_meta key "${key}": its name must begin and end alphanumeric`
  if (prefix === null) return null
  const labels = prefix.split('.')
  if (!labels.every((label) => LABEL.test(label)))
    return `_meta key "${key}": each prefix label must start with a letter and end with a letter or digit`
  const second = labels[1]?.toLowerCase()
  if ((second === 'modelcontextprotocol' || second === 'mcp') && !DEFINED.has(key))
    return `_meta key "${key}" uses the reserved prefix ${prefix}/ but is not a key MCP defines`
  return null
}

/** R-JR-18 findings for a `_meta` value a client sent (nothing when it is not an object). */
export const metaFindings = (meta: unknown): Finding[] => {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return []
  return Object.keys(meta)
    .map(metaKeyProblem)
    .filter((problem): problem is string => problem !== null)
    .map((detail) => ({ rule: 'R-JR-18', detail }))
}
