// The `signal` of the contexts handed to the server author's code (a tool's, a prompt's, a
// resource's): made only when the code reads it (most calls never do), so it is an accessor.
//
// An object literal with its own getter is a slow object in V8 (a dictionary, not a shape it
// can optimize: slow to make and to read), and so is any object given a getter made for it
// alone. The request path's own objects with a lazy getter are classes instead (the getter on
// the prototype); these contexts cannot be, as authors may spread them. Every context gets
// the same getter here, which reads the context's source from a symbol-keyed property: the
// contexts share one fast shape, and `signal` stays an own, enumerable property, so code that
// spreads a context (`{ ...ctx }`) still gets it.

const SOURCE = Symbol('signal source')

function readSignal(this: { [SOURCE]: { readonly signal: AbortSignal } }): AbortSignal {
  return this[SOURCE].signal
}

const SIGNAL: PropertyDescriptor = { get: readSignal, enumerable: true, configurable: true }

/** `context` with a `signal` read from `source` on each access. */
export const withSignal = <C extends { readonly signal: AbortSignal }>(
  context: Omit<C, 'signal'>,
  source: { readonly signal: AbortSignal },
): C => {
  ;(context as Record<symbol, unknown>)[SOURCE] = source
  return Object.defineProperty(context, 'signal', SIGNAL) as C
}
