// Types `exports` from "cloudflare:workers" in tests as this Worker's own module.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../src/index.ts')
  }
}
