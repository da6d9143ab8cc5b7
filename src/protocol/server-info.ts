// Who we are, as told in `serverInfo` (R-LC-2). The version follows package.json (a test checks).

export const SERVER_INFO = {
  name: 'bare-mcp',
  title: 'bare-mcp',
  version: '0.1.0',
  instructions:
    'Demo MCP server. Tools: echo (repeats text), add (adds two numbers, structured output), ' +
    'count (counts slowly, reporting progress), greet (asks for your name, then greets you), ' +
    'search and fetch (find documents in the knowledge base, then read one whole).',
} as const
