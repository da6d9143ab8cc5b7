// The resources and resource templates this server offers, in listing order. To add one: write
// src/resources/<name>.ts with defineResource or defineResourceTemplate (see readme.ts and
// greeting.ts), then add it here.

import type { Resource, ResourceTemplate } from './define.ts'
import { greeting } from './greeting.ts'
import { logo } from './logo.ts'
import { readme } from './readme.ts'

export const RESOURCES: readonly Resource[] = [readme, logo]

export const TEMPLATES: readonly ResourceTemplate[] = [greeting]
