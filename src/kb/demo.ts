// The demo corpus: a few short documents about bare-mcp and MCP, seeded into an empty knowledge
// base on first use, so `npm start` can answer `search` and `fetch` with no import step. The
// first upload through the admin API replaces it (src/kb/knowledge-base.ts).

import type { Doc } from './document.ts'

const SPEC = 'https://modelcontextprotocol.io/specification/2025-11-25'

const doc = (id: string, title: string, text: string, url: string | null = null): Doc => ({
  id,
  title,
  text,
  url,
  metadata: { source: 'bare-mcp demo corpus' },
})

export const DEMO_CORPUS: readonly Doc[] = [
  doc(
    'what-is-bare-mcp',
    'What is bare-mcp?',
    'bare-mcp is a remote Model Context Protocol server written straight from the specification, ' +
      'in TypeScript, on a bare Cloudflare Worker: no MCP SDK and no framework. Every header and ' +
      'framing rule is enforced in one place and proven by a wire-level test. Plug in your own ' +
      'tools, run wrangler deploy, and connect the OpenAI Responses API, ChatGPT, Claude or the ' +
      'MCP Inspector.',
  ),
  doc(
    'model-context-protocol',
    'The Model Context Protocol',
    'The Model Context Protocol (MCP) is an open protocol that connects language-model ' +
      'applications to tools and data. A client (ChatGPT, Claude, an agent) talks JSON-RPC 2.0 to ' +
      'a server that offers tools, resources and prompts. Revisions are named by date, such as ' +
      '2025-11-25 and 2026-07-28.',
    'https://modelcontextprotocol.io/specification/2025-11-25',
  ),
  doc(
    'streamable-http',
    'Streamable HTTP transport',
    'Streamable HTTP is the MCP transport for remote servers. The client POSTs each JSON-RPC ' +
      'message to one endpoint such as /mcp with Accept: application/json, text/event-stream. ' +
      'The server answers with JSON, or with a Server-Sent Events stream that carries progress ' +
      'and log notifications before the result. Notifications get 202 Accepted.',
    `${SPEC}/basic/transports`,
  ),
  doc(
    'tools',
    'Tools: listing and calling',
    'A server lists its tools with tools/list: each has a name, a description, a JSON Schema for ' +
      'its input and optionally an outputSchema and annotations such as readOnlyHint. tools/call ' +
      'runs one tool. A failing tool returns a normal result with isError true, which the model ' +
      'can read; a JSON-RPC error means the request itself was wrong.',
    `${SPEC}/server/tools`,
  ),
  doc(
    'adding-a-tool',
    'Adding a tool to bare-mcp',
    'Write src/tools/<name>.ts with defineTool: a name matching ^[a-zA-Z0-9_-]{1,64}$, a ' +
      'description, a valibot input schema, an optional output schema and annotations, and a run ' +
      'function. List it in src/tools/index.ts. Arguments arrive validated; throw ToolError for a ' +
      'message the model should see. npm run lint:tools checks the definition is OpenAI-safe.',
  ),
  doc(
    'search-and-fetch',
    'The search and fetch tools',
    'ChatGPT deep research and company knowledge use exactly two read-only tools: search, which ' +
      'takes a query and returns results with id, title and url, and fetch, which takes an id and ' +
      'returns the full document text. Both return structuredContent and the same JSON as text. ' +
      'ChatGPT cites a document only when its url is a non-empty absolute URL.',
  ),
  doc(
    'knowledge-base-admin',
    'Loading documents into the knowledge base',
    'Documents live in a SQLite Durable Object with a full-text index. Upload them with the admin ' +
      'API at /admin/kb, authenticated with the KB_ADMIN_TOKEN secret as a bearer token: a JSON ' +
      'array of documents, or one Markdown file whose first heading is the title. npm run ' +
      'kb:import loads a JSON file or a folder of Markdown files in batches. The first upload ' +
      'replaces this demo corpus.',
  ),
  doc(
    'query-syntax',
    'Search query syntax',
    'Plain words find documents containing all of them, or else any of them, ranked by bm25. ' +
      'Quotes search an exact phrase ("streamable http"), a trailing star a prefix (auth*), and ' +
      'OR, NOT and NEAR combine terms. A query the full-text engine cannot parse is searched as ' +
      'plain words instead of failing.',
  ),
  doc(
    'protocol-eras',
    'Two protocol eras on one endpoint',
    'bare-mcp serves the initialize era (revisions 2025-03-26 to 2025-11-25), where a client ' +
      'first sends initialize, and the stateless 2026-07-28 revision, where every request carries ' +
      'its protocol version and client capabilities in _meta and server/discover replaces the ' +
      'handshake. The era is chosen per request.',
    'https://modelcontextprotocol.io/specification/2026-07-28/basic',
  ),
  doc(
    'responses-api',
    'Connecting the OpenAI Responses API',
    'Give the Responses API an mcp tool with server_label, server_url ending in /mcp, ' +
      'allowed_tools and require_approval. Tools marked readOnlyHint skip approval with ' +
      '{"never": {"read_only": true}}. A 424 "Error retrieving tool list from MCP server" means ' +
      'the API could not list tools: check the URL and that nothing blocks the openai-mcp agent.',
  ),
  doc(
    'deploying',
    'Deploying to Cloudflare',
    'Run npx wrangler login, then npm run deploy. Settings go in wrangler.toml [vars] or as ' +
      'secrets with wrangler secret put. Set KB_BASE_URL to where your documents can be read, so ' +
      'citations link somewhere real, and KB_ADMIN_TOKEN to enable the admin API.',
  ),
]
