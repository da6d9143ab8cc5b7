// bare-mcp's Worker entry point: the MCP server with the tools in src/tools/index.ts.

import { createServer } from './server.ts'
import { TOOLS } from './tools/index.ts'

export default createServer(TOOLS)

/** The knowledge base behind `search` and `fetch` (binding KB in wrangler.toml). */
export { KnowledgeBase } from './kb/knowledge-base.ts'

/** The session table's shards (binding SESSION_SHARD in wrangler.toml). */
export { SessionShard } from './sessions/shard.ts'
