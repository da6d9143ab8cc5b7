// Markdown files imported as their text: wrangler bundles them as Text modules (the `[[rules]]`
// in wrangler.toml), and the Workers tests load them the same way (vitest.config.ts).
declare module '*.md' {
  const text: string
  export default text
}
