// npm run doctor -- <url> [--token T] [--admin-token T] [--query Q] [--timeout S]
//
// Checks an MCP server from the outside the way each real client connects to it (CLIENTS.md):
// ChatGPT, deep research, the OpenAI Responses API, Claude Desktop through mcp-remote and
// claude.ai, the MCP Inspector in a browser, and the OAuth chain they walk when it answers 401.
// Prints a plain-text report, every problem with its fix, and exits 0 when every client checked
// would connect, 1 when one would not, 2 on a usage error. Node 22.18+ built-ins only; the tool
// lint is src/tools/lint-rules.ts itself (Node strips its types).
//
//   --token T        an access token or API key, sent as Authorization: Bearer on MCP requests
//   --admin-token T  bare-mcp's ADMIN_TOKEN: adds the server's own health check (/admin/health)
//   --query Q        the word deep research's search is tried with (default "mcp")
//   --timeout S      seconds each request may take (default 10)

import { parseArgs } from 'node:util'
import { checkAddress } from './lib/doctor/address.mjs'
import { checkAuthorization } from './lib/doctor/authorization.mjs'
import { checkChatGpt, checkResearch } from './lib/doctor/chatgpt.mjs'
import { checkClaude } from './lib/doctor/claude.mjs'
import { createContext } from './lib/doctor/context.mjs'
import { checkHealth } from './lib/doctor/health.mjs'
import { checkInspector } from './lib/doctor/inspector.mjs'
import { addSection, count, render } from './lib/doctor/report.mjs'
import { checkResponses } from './lib/doctor/responses.mjs'

const USAGE =
  'Usage: npm run doctor -- <url> [--token T] [--admin-token T] [--query Q] [--timeout S]'

const usage = (message) => {
  console.error(`doctor: ${message}\n${USAGE}`)
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      token: { type: 'string' },
      'admin-token': { type: 'string' },
      query: { type: 'string', default: 'mcp' },
      timeout: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h' },
    },
  })
} catch (error) {
  usage(error.message)
}
const { values, positionals } = parsed
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (positionals.length !== 1)
  usage('give exactly one URL, e.g. https://bare-mcp.example.workers.dev/mcp')
let url
try {
  url = new URL(positionals[0].includes('://') ? positionals[0] : `https://${positionals[0]}`)
} catch {
  usage(`${JSON.stringify(positionals[0])} is not a URL`)
}
if (url.protocol !== 'http:' && url.protocol !== 'https:')
  usage('the URL must be http:// or https://')
const timeout = Number(values.timeout)
if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 120)
  usage('--timeout is seconds, from 1 to 120')

// The lint rules are TypeScript without type-only syntax beyond what Node strips (22.18+).
let lintToolObject
try {
  ;({ lintToolObject } = await import('../src/tools/lint-rules.ts'))
} catch (error) {
  console.error(
    `doctor: could not load src/tools/lint-rules.ts (${error.code ?? error.message}). ` +
      `It needs Node 22.18 or newer; npm run doctor uses the project's own Node (${process.version} here).`,
  )
  process.exit(2)
}

const ctx = createContext({
  url: url.href,
  token: values.token,
  adminToken: values['admin-token'],
  timeoutMs: timeout * 1000,
  query: values.query,
})

const CLIENT_SECTIONS = [
  ['ChatGPT (developer mode connector)', 'ChatGPT'],
  ['ChatGPT deep research and company knowledge (search and fetch)', 'Deep research'],
  ['OpenAI Responses API (the mcp tool)', 'Responses API'],
  ['Claude Desktop (through mcp-remote) and claude.ai', 'Claude'],
  ['MCP Inspector (Direct mode, from a browser)', 'Inspector'],
]

const reachable = await checkAddress(ctx)
// Every client is given this address: a failure here is a failure for each of them.
ctx.report.sections[0].blocks = CLIENT_SECTIONS.map(([, client]) => client)
if (reachable) {
  await checkAuthorization(ctx)
  await checkChatGpt(ctx)
  await checkResearch(ctx)
  await checkResponses(ctx, lintToolObject)
  await checkClaude(ctx)
  await checkInspector(ctx)
} else {
  for (const [title, client] of CLIENT_SECTIONS) {
    addSection(ctx.report, title, client).skip('Not checked: the address above fails first')
  }
}
if (ctx.adminToken !== undefined) await checkHealth(ctx)

const exitStatus = count(ctx.report, 'fail') > 0 ? 1 : 0
console.log(
  render(ctx.report, {
    header: [
      `Checked ${new Date().toISOString()} with Node ${process.version}; times are one request each, from here.`,
    ],
    exitStatus,
  }),
)
process.exit(exitStatus)
