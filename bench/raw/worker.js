// Raw fixture for `npm run bench`: answers every POST with a fixed JSON-RPC tools/call result,
// byte-identical to bare-mcp's answer to the bench request. It never reads or parses the body, so
// it measures what any Worker costs under `wrangler dev`; bench/run.mjs checks the bytes match.
// The one thing it looks at is the MCP-Protocol-Version header, to pick the answer of the era
// the bench request speaks: 2026-07-28 results carry resultType and the server's identity.

const LEGACY = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello"}]}}'
const MODERN =
  '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","content":[{"type":"text","text":"hello"}],' +
  '"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"bare-mcp","version":"0.1.0"}}}}'

export default {
  fetch(request) {
    if (request.method !== 'POST')
      return new Response(null, { status: 405, headers: { Allow: 'POST' } })
    const body = request.headers.get('mcp-protocol-version') === '2026-07-28' ? MODERN : LEGACY
    return new Response(body, { headers: { 'Content-Type': 'application/json' } })
  },
}
