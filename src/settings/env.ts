// The Worker's `env`: wrangler `[vars]`, secrets and bindings (Durable Objects, ...). Settings are
// parsed once in config.ts; bindings are read by the feature that owns them, which checks they
// are there.

export interface Env {
  readonly [name: string]: unknown
}
