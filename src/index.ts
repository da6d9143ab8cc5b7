// bare-mcp's Worker entry point: the MCP server with the tools in src/tools/index.ts.

import { createServer } from './server.ts'
import { TOOLS } from './tools/index.ts'

export default createServer(TOOLS)

/** The session table's shards (binding SESSION_SHARD in wrangler.toml). */
export { SessionShard } from './sessions/shard.ts'
