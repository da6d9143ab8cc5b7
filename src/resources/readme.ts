// readme: a short text about this server, read as Markdown. The smallest possible resource.

import { LOGO_ICON } from './logo.ts'
import { defineResource } from './define.ts'

/** The text, also embedded by the server_tour prompt. */
export const README = `# bare-mcp

A Model Context Protocol server written straight from the specification, on a bare Cloudflare
Worker: no MCP SDK, no framework.

- Tools: see tools/list.
- Resources: this text (bare-mcp://readme), the logo (bare-mcp://logo.png), a greeting for
  any name (bare-mcp://greeting/{name}) and the knowledge base (kb://docs/{id}).
- Prompts: code_review (with completion for its language) and server_tour.
- Protocol revisions 2024-11-05 to 2025-11-25 (initialize) and 2026-07-28 (stateless), on one
  endpoint.
`

export const readme = defineResource({
  uri: 'bare-mcp://readme',
  name: 'readme',
  title: 'About bare-mcp',
  description: 'What this server is and what it offers, in Markdown.',
  mimeType: 'text/markdown',
  size: new TextEncoder().encode(README).length,
  annotations: { audience: ['user', 'assistant'], priority: 0.8 },
  icons: [LOGO_ICON],
  read: () => README,
})
