// Types `exports` from "cloudflare:workers" in tests as this Worker's own module.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../src/index.ts')
  }
}

/**
 * `readme:<path>`: README.md's example module for <path>, compiled as if it were that file
 * (served by the `readmeExamples` plugin in vitest.config.ts; test/wire/readme.test.ts).
 */
declare module 'readme:*' {
  const exports: Record<string, unknown>
  export default exports
}

/** Vite's `import.meta.glob` (the module runner of the workers pool expands it): the corpus
 *  under test/fixtures is read this way, as JSON modules (test/wire/fixtures.test.ts). */
interface ImportMeta {
  glob<T>(pattern: string, options: { eager: true; import: 'default' }): Record<string, T>
}
