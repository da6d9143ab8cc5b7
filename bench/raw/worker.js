// Raw fixture for `npm run bench`: answers every POST with a fixed JSON-RPC tools/call result,
// byte-identical to bare-mcp's answer to the bench request. It never reads or parses the request,
// so it measures what any Worker costs under `wrangler dev`; bench/run.mjs checks the bytes match.

const BODY = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello"}]}}'

export default {
  fetch(request) {
    if (request.method !== 'POST')
      return new Response(null, { status: 405, headers: { Allow: 'POST' } })
    return new Response(BODY, { headers: { 'Content-Type': 'application/json' } })
  },
}
