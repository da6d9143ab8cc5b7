// Content blocks, the shapes every feature shares: what a tool result, a prompt message or a
// resource link is made of, with their annotations and icons.
//
//   {"type":"text","text":"hello"}
//   {"type":"image","data":"<base64>","mimeType":"image/png"}
//   {"type":"audio","data":"<base64>","mimeType":"audio/wav"}            (2025-03-26+)
//   {"type":"resource","resource":{"uri":"...","mimeType":"text/plain","text":"..."}}
//   {"type":"resource_link","uri":"...","name":"..."}                     (2025-06-18+)
//
// https://modelcontextprotocol.io/specification/2025-11-25/server/tools#tool-result

import type { RevisionRules } from './revisions.ts'

/** An icon a client may show (2025-11-25+). */
export interface Icon {
  src: string
  mimeType?: string
  sizes?: string[]
  theme?: 'light' | 'dark'
}

/** Optional hints on a content block (`lastModified` from 2025-06-18). */
export interface ContentAnnotations {
  audience?: ('user' | 'assistant')[]
  priority?: number
  lastModified?: string
}

export interface TextContent {
  type: 'text'
  text: string
  annotations?: ContentAnnotations
}
export interface ImageContent {
  type: 'image'
  data: string
  mimeType: string
  annotations?: ContentAnnotations
}
export interface AudioContent {
  type: 'audio'
  data: string
  mimeType: string
  annotations?: ContentAnnotations
}
export type ResourceContents =
  | { uri: string; mimeType?: string; text: string }
  | { uri: string; mimeType?: string; blob: string }
export interface EmbeddedResource {
  type: 'resource'
  resource: ResourceContents
  annotations?: ContentAnnotations
}
export interface ResourceLink {
  type: 'resource_link'
  uri: string
  name: string
  title?: string
  description?: string
  mimeType?: string
  annotations?: ContentAnnotations
}

export type ContentBlock =
  TextContent | ImageContent | AudioContent | EmbeddedResource | ResourceLink

export const text = (value: string): TextContent => ({ type: 'text', text: value })
export const image = (data: string, mimeType: string): ImageContent => ({
  type: 'image',
  data,
  mimeType,
})
export const audio = (data: string, mimeType: string): AudioContent => ({
  type: 'audio',
  data,
  mimeType,
})
export const resource = (contents: ResourceContents): EmbeddedResource => ({
  type: 'resource',
  resource: contents,
})
export const resourceLink = (link: Omit<ResourceLink, 'type'>): ResourceLink => ({
  type: 'resource_link',
  ...link,
})

/**
 * Shapes content for a revision that predates some block types or fields: audio (2025-03-26)
 * and resource links (2025-06-18) become a text note.
 */
export const contentFor = (
  allowed: RevisionRules,
  blocks: readonly ContentBlock[],
): ContentBlock[] =>
  blocks.map((block) => {
    if (block.type === 'audio' && !allowed.audioContent) {
      return text(`[audio (${block.mimeType}) needs protocol 2025-03-26 or later]`)
    }
    if (block.type === 'resource_link' && !allowed.resourceLinks) {
      return text(`${block.title ?? block.name}: ${block.uri}`)
    }
    return block
  })
