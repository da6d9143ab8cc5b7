// The resources and resource templates this server offers, in listing order. To add one: write
// src/resources/<name>.ts with defineResource or defineResourceTemplate (see readme.ts and
// greeting.ts), then add it here. SOURCE lists resources that come from data, after RESOURCES:
// the knowledge base's documents (kb-documents.ts, read through the kb://docs/{id} template).

import type { Resource, ResourceTemplate } from './define.ts'
import { greeting } from './greeting.ts'
import { kbDocument, kbDocuments } from './kb-documents.ts'
import { logo } from './logo.ts'
import { readme } from './readme.ts'
import type { ResourceSource } from './source.ts'

export const RESOURCES: readonly Resource[] = [readme, logo]

export const TEMPLATES: readonly ResourceTemplate[] = [greeting, kbDocument]

export const SOURCE: ResourceSource = kbDocuments
