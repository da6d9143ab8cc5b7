// Defining resources: data a client may read by URI, to give a model context.
//
//   export const readme = defineResource({
//     uri: 'bare-mcp://readme',
//     name: 'readme',
//     description: 'What this server is.',
//     mimeType: 'text/markdown',
//     read: () => '# bare-mcp ...',
//   })
//
//   export const greeting = defineResourceTemplate({
//     uriTemplate: 'bare-mcp://greeting/{name}',       // RFC 6570, levels 1 to 3
//     name: 'greeting',
//     description: 'A greeting for anyone.',
//     complete: { name: completeFrom(['Ada', 'Alan']) },
//     read: (uri, { name }) => (name ? `Hello, ${name}!` : null),
//   })
//
// `read` returns text (a string), bytes (a Uint8Array, sent base64-encoded as a blob), one or
// more contents objects, or null when there is nothing at that URI: the client then gets the
// not-found error, never an empty `contents` array (R-SF-23).
//
// A resource that changes may define `watch`: it runs while a client is subscribed
// (`resources/subscribe` in a session, `resourceSubscriptions` on `subscriptions/listen`),
// calls `changed()` whenever the contents change, and stops when `signal` aborts:
//
//     watch: (uri, changed, signal) => {
//       const timer = setInterval(changed, 60_000)
//       signal.addEventListener('abort', () => clearInterval(timer))
//     },
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/resources

import type { Completer } from '../protocol/completer.ts'
import type { HandlerContext } from '../protocol/runner.ts'
import type { RevisionRules } from '../protocol/revisions.ts'
import type { ContentAnnotations } from '../protocol/content.ts'
import type { Icon } from '../protocol/content.ts'
import { parseUriTemplate, type TemplateVariables, type UriTemplate } from './uri-template.ts'

/** What `read` gets besides the URI and its variables: env, signal and `ask`. */
export type ReadContext = HandlerContext

/** One item of a `resources/read` result; `uri` and `mimeType` default to the resource's. */
export type ResourceContents =
  | { uri?: string; mimeType?: string; text: string }
  | { uri?: string; mimeType?: string; blob: string | Uint8Array }

/** What `read` returns: text, bytes, contents (never an empty list), or null for "not found". */
export type ResourceReturn =
  string | Uint8Array | ResourceContents | readonly [ResourceContents, ...ResourceContents[]] | null

/** The fields resources and templates share (`title` from 2025-06-18, `icons` from 2025-11-25). */
interface Metadata {
  /** A short identifier, shown when there is no title. */
  name: string
  title?: string
  description: string
  /** The MIME type of what `read` returns, unless a contents item says otherwise. */
  mimeType?: string
  /** Hints for the client: audience, priority (0..1), lastModified (ISO 8601, 2025-06-18+). */
  annotations?: ContentAnnotations
  icons?: Icon[]
}

export interface ResourceSpec extends Metadata {
  /** An absolute URI (RFC 3986), unique on this server. */
  uri: string
  /** Size in bytes of the raw content, if known. */
  size?: number
  read(
    uri: string,
    vars: Readonly<Record<string, never>>,
    ctx: ReadContext,
  ): ResourceReturn | Promise<ResourceReturn>
  /**
   * Runs while someone is subscribed to the resource: calls `changed` each time its contents
   * change (each call sends `notifications/resources/updated`), until `signal` aborts.
   */
  watch?(uri: string, changed: () => void, signal: AbortSignal): void
}

export interface ResourceTemplateSpec<T extends string> extends Metadata {
  /** An RFC 6570 template (levels 1 to 3) with at least one variable. */
  uriTemplate: T
  /** Suggestions per variable for `completion/complete` (R-SF-33). */
  complete?: { [K in TemplateVariables<T>]?: Completer }
  /**
   * Reads a URI matching the template. `vars` are percent-decoded and come from the client:
   * check them before use (never join them into a file path unchecked, R-SF-26). A variable the
   * URI leaves out (level 3 operators only) is absent.
   */
  read(
    uri: string,
    vars: { readonly [K in TemplateVariables<T>]?: string },
    ctx: ReadContext,
  ): ResourceReturn | Promise<ResourceReturn>
}

/** A defined resource, as `resources/list` and `resources/read` use it. */
export interface Resource {
  readonly uri: string
  readonly mimeType: string | undefined
  read(uri: string, ctx: ReadContext): Promise<ResourceReturn>
  /** Watches for changes while subscribed (a resource without `watch` never reports any). */
  watch(changed: () => void, signal: AbortSignal): void
  /** The `Resource` object of `resources/list` in a revision. */
  describe(allowed: RevisionRules): Record<string, unknown>
}

/** A defined resource template, its variable types erased. */
export interface ResourceTemplate {
  readonly uriTemplate: string
  readonly mimeType: string | undefined
  readonly variables: readonly string[]
  readonly completers: ReadonlyMap<string, Completer>
  /** The template's variables for `uri`, or null when the URI is not one of its expansions. */
  match(uri: string): Record<string, string> | null
  read(uri: string, vars: Record<string, string>, ctx: ReadContext): Promise<ResourceReturn>
  /** The `ResourceTemplate` object of `resources/templates/list` in a revision. */
  describe(allowed: RevisionRules): Record<string, unknown>
}

/** R-SF-26: a URI with a scheme (RFC 3986 section 3.1) and no whitespace or control characters. */
export const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\p{Cc}]*$/u

const AUDIENCES = new Set(['user', 'assistant'])

/** Checks what resources and templates share; a mistake fails at startup, not at the client. */
const checkMetadata = (label: string, spec: Metadata): void => {
  if (spec.name.trim() === '') throw new TypeError(`${label} needs a name`)
  if (spec.description.trim() === '') throw new TypeError(`${label} needs a description`)
  const { audience, priority, lastModified } = spec.annotations ?? {}
  if (audience !== undefined && !audience.every((role) => AUDIENCES.has(role))) {
    throw new TypeError(`${label}: annotations.audience holds only "user" and "assistant"`)
  }
  if (priority !== undefined && !(priority >= 0 && priority <= 1)) {
    throw new TypeError(`${label}: annotations.priority must be between 0 and 1`)
  }
  if (lastModified !== undefined && Number.isNaN(Date.parse(lastModified))) {
    throw new TypeError(`${label}: annotations.lastModified must be an ISO 8601 date`)
  }
  if (spec.icons?.some((icon) => icon.src === '')) {
    throw new TypeError(`${label}: every icon needs a src`)
  }
}

/**
 * The fields both list objects share, in the order the spec shows them, per revision (also for
 * the resources a source lists, whose description is optional as in the spec).
 */
export const describeMetadata = (
  head: Record<string, unknown>,
  spec: Omit<Metadata, 'description'> & { description?: string },
  allowed: RevisionRules,
  size?: number,
): Record<string, unknown> => {
  const described: Record<string, unknown> = { ...head, name: spec.name }
  if (allowed.titles && spec.title !== undefined) described.title = spec.title
  if (spec.description !== undefined) described.description = spec.description
  if (spec.mimeType !== undefined) described.mimeType = spec.mimeType
  if (size !== undefined) described.size = size
  if (spec.annotations !== undefined) {
    const { lastModified, ...rest } = spec.annotations
    const annotations = allowed.lastModified && lastModified !== undefined ? spec.annotations : rest
    if (Object.keys(annotations).length > 0) described.annotations = annotations
  }
  if (allowed.icons && spec.icons !== undefined) described.icons = spec.icons
  return described
}

/** Remembers what `describe` built per revision: listings are read far more than defined. */
const perRevision = (build: (allowed: RevisionRules) => Record<string, unknown>) => {
  const built = new Map<string, Record<string, unknown>>()
  return (allowed: RevisionRules) => {
    let described = built.get(allowed.revision)
    if (described === undefined) {
      described = build(allowed)
      built.set(allowed.revision, described)
    }
    return described
  }
}

const NO_VARIABLES: Readonly<Record<string, never>> = Object.freeze({})

/** Defines a resource at one fixed URI. */
export const defineResource = (spec: ResourceSpec): Resource => {
  const label = `Resource "${spec.uri}"`
  if (!ABSOLUTE_URI.test(spec.uri)) {
    throw new TypeError(`${label}: the uri must be an absolute URI such as bare-mcp://readme`)
  }
  checkMetadata(label, spec)
  if (spec.size !== undefined && !(Number.isSafeInteger(spec.size) && spec.size >= 0)) {
    throw new TypeError(`${label}: size must be a whole number of bytes`)
  }
  return {
    uri: spec.uri,
    mimeType: spec.mimeType,
    read: async (uri, ctx) => spec.read(uri, NO_VARIABLES, ctx),
    watch: (changed, signal) => {
      if (spec.watch === undefined || signal.aborted) return
      try {
        spec.watch(spec.uri, changed, signal)
      } catch (error) {
        console.error(`watch of ${spec.uri} failed`, error)
      }
    },
    describe: perRevision((allowed) =>
      describeMetadata({ uri: spec.uri }, spec, allowed, spec.size),
    ),
  }
}

/** Defines a family of resources named by an RFC 6570 URI template. */
export const defineResourceTemplate = <T extends string>(
  spec: ResourceTemplateSpec<T>,
): ResourceTemplate => {
  const label = `Resource template "${spec.uriTemplate}"`
  const template: UriTemplate = parseUriTemplate(spec.uriTemplate)
  if (template.variables.length === 0) {
    throw new TypeError(`${label} has no variables: define it with defineResource instead`)
  }
  checkMetadata(label, spec)
  const completers = new Map<string, Completer>()
  for (const [name, completer] of Object.entries(spec.complete ?? {})) {
    if (!template.variables.includes(name)) {
      throw new TypeError(`${label}: complete names "${name}", which is not one of its variables`)
    }
    if (typeof completer === 'function') completers.set(name, completer as Completer)
  }
  return {
    uriTemplate: spec.uriTemplate,
    mimeType: spec.mimeType,
    variables: template.variables,
    completers,
    match: (uri) => template.match(uri),
    read: async (uri, vars, ctx) => spec.read(uri, vars, ctx),
    describe: perRevision((allowed) =>
      describeMetadata({ uriTemplate: spec.uriTemplate }, spec, allowed),
    ),
  }
}
