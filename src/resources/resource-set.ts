// The resources and resource templates one request can see, in listing order, looked up by URI,
// and optionally a source of resources that come from data, listed after the fixed ones.

import type { Resource, ResourceTemplate } from './define.ts'
import type { ResourceSource } from './source.ts'

export interface ResourceSet {
  readonly list: readonly Resource[]
  readonly templates: readonly ResourceTemplate[]
  /** The resource at exactly `uri`. */
  get(uri: string): Resource | undefined
  /** The template whose `uriTemplate` is exactly `uriTemplate` (for `ref/resource`). */
  template(uriTemplate: string): ResourceTemplate | undefined
  /** Resources from data, listed after `list`; their list changes at run time (R-SF-25). */
  readonly source: ResourceSource | undefined
}

/** Builds a resource set; two resources at one URI (or two equal templates) fail at startup. */
export const resourceSet = (
  resources: readonly Resource[] = [],
  templates: readonly ResourceTemplate[] = [],
  source?: ResourceSource,
): ResourceSet => {
  const byUri = new Map<string, Resource>()
  for (const resource of resources) {
    if (byUri.has(resource.uri)) throw new TypeError(`Two resources have the URI "${resource.uri}"`)
    byUri.set(resource.uri, resource)
  }
  const byTemplate = new Map<string, ResourceTemplate>()
  for (const template of templates) {
    if (byTemplate.has(template.uriTemplate)) {
      throw new TypeError(`Two resource templates are "${template.uriTemplate}"`)
    }
    byTemplate.set(template.uriTemplate, template)
  }
  return {
    list: resources,
    templates,
    get: (uri) => byUri.get(uri),
    template: (uriTemplate) => byTemplate.get(uriTemplate),
    source,
  }
}
