// bare-mcp's Worker entry point: the MCP server with the tools in src/tools/index.ts, the
// resources in src/resources/index.ts and the prompts in src/prompts/index.ts.

import { PROMPTS } from './prompts/index.ts'
import { RESOURCES, TEMPLATES } from './resources/index.ts'
import { createServer } from './server.ts'
import { TOOLS } from './tools/index.ts'

export default createServer(TOOLS, {
  resources: RESOURCES,
  templates: TEMPLATES,
  prompts: PROMPTS,
})

/** The knowledge base behind `search` and `fetch` (binding KB in wrangler.toml). */
export { KnowledgeBase } from './kb/knowledge-base.ts'

/** The session table's shards (binding SESSION_SHARD in wrangler.toml). */
export { SessionShard } from './sessions/shard.ts'
