// What every check shares: the endpoint under test, the report, the options, and `post`, which
// sends one JSON-RPC message with the headers of a given client (CLIENTS.md says which).
//
//   const answer = await ctx.post(rpc('tools/list'), { client: CLIENTS.chatgpt, version: '2025-11-25' })

import { ACCEPT_BOTH, exchange } from './probe.mjs'
import { createReport } from './report.mjs'

/** Who the doctor pretends to be, per client (CLIENTS.md C1, C2, C6). */
export const CLIENTS = {
  /** ChatGPT and the Responses API: server-side, User-Agent openai-mcp (C1, C2). */
  openai: { userAgent: 'openai-mcp/1.0.0', clientInfo: { name: 'openai-mcp', version: '1.0.0' } },
  /** mcp-remote (Claude Desktop's bridge), the SDK v1 client: Node's own User-Agent (C6). */
  mcpRemote: { userAgent: 'node', clientInfo: { name: 'mcp-remote', version: '0.1.37' } },
  /** The MCP Inspector in Direct mode: a browser page on localhost:6274 (C6). */
  inspector: {
    userAgent: 'Mozilla/5.0 (MCP doctor; as the MCP Inspector)',
    origin: 'http://localhost:6274',
    clientInfo: { name: 'mcp-inspector', version: '0.17.0' },
  },
  /** The doctor's own first look. */
  doctor: { userAgent: 'mcp-doctor/1', clientInfo: { name: 'mcp-doctor', version: '1.0.0' } },
}

export const LEGACY = '2025-11-25'
export const MODERN = '2026-07-28'

/** `_meta` a 2026-07-28 request carries (R-LC-20: version and capabilities on every request). */
export const modernMeta = (client) => ({
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': client.clientInfo,
})

/** `initialize` params for `version` as `client` sends them. */
export const initializeParams = (client, version = LEGACY) => ({
  protocolVersion: version,
  capabilities: {},
  clientInfo: client.clientInfo,
})

export const isLoopback = (hostname) =>
  ['localhost', '127.0.0.1', '[::1]', '::1'].includes(hostname.toLowerCase()) ||
  hostname.toLowerCase().endsWith('.localhost')

/** The URL without a trailing slash on its path (how resources are compared). */
export const canonical = (url) => {
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`.toLowerCase()
}

export const createContext = ({ url, token, adminToken, timeoutMs, query }) => {
  const ctx = {
    given: url,
    /** The endpoint the checks talk to (the given URL, or the corrected one). */
    endpoint: url,
    token,
    adminToken,
    timeoutMs,
    query,
    report: createReport(url),
    /** Set by the address check: whether the endpoint wants a token (AUTH on). */
    authRequired: false,
    /** The 401 an unauthenticated request got, when it did. */
    challenge: null,
    get origin() {
      return new URL(ctx.endpoint).origin
    },
    /**
     * POSTs `message` as `client` would: Accept both types, its User-Agent, the token when we
     * have one, `MCP-Protocol-Version: version` when given, plus `headers`.
     */
    post: (
      message,
      { client = CLIENTS.doctor, version, headers = {}, url: to, auth = true } = {},
    ) =>
      exchange(to ?? ctx.endpoint, {
        body: message,
        timeoutMs: ctx.timeoutMs,
        headers: {
          accept: ACCEPT_BOTH,
          'user-agent': client.userAgent,
          ...(version === undefined ? {} : { 'mcp-protocol-version': version }),
          ...(auth && ctx.token !== undefined ? { authorization: `Bearer ${ctx.token}` } : {}),
          ...headers,
        },
      }),
    /** Any other request, with the doctor's timeout. */
    request: (to, options = {}) => exchange(to, { timeoutMs: ctx.timeoutMs, ...options }),
  }
  return ctx
}

/** Whether the checks of a client can run: false (and a skip line) when a token is needed. */
export const canCall = (ctx, section) => {
  if (!ctx.authRequired || ctx.token !== undefined) return true
  section.skip('Not checked past sign-in: the server wants a token, and none was given', {
    fix: 'Run again with --token <access token or API key> (bare-mcp: npm run keys -- create)',
  })
  return false
}

/** A short description of a JSON-RPC error object for a report line. */
export const rpcErrorText = (error) =>
  `JSON-RPC error ${error?.code}${error?.message ? ` "${String(error.message).slice(0, 160)}"` : ''}`
