// bare-mcp's Worker entry point: the MCP server with the tools in src/tools/index.ts, the
// resources in src/resources/index.ts and the prompts in src/prompts/index.ts (or, with
// FIXTURES=conformance, the conformance suite's fixtures).

import { createServer } from './server.ts'

/** The catalog comes from the settings and the path (src/catalog.ts). */
export default createServer()

/** The knowledge base behind `search` and `fetch` (binding KB in wrangler.toml). */
export { KnowledgeBase } from './kb/knowledge-base.ts'

/** The session table's shards (binding SESSION_SHARD in wrangler.toml). */
export { SessionShard } from './transports/session-shard.ts'

/** The authorization server's state (binding AUTH_STORE in wrangler.toml). */
export { AuthStore } from './auth/store.ts'
