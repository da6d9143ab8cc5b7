// The shape of src/: folders are layers, and imports (type imports included) only point down.
// This reads every `import`/`export ... from` of src/ and fails on an import that points up or
// sideways, on any cycle between folders, and on any cycle between files, so the structure the
// README's "Architecture" section draws cannot decay.
//
//   entry (src/*.ts)  ->  pipeline  ->  transports | auth  ->  catalog  ->  features
//     ->  protocol  ->  sessions  ->  http  ->  settings  ->  jsonrpc

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/** Each folder's layer: a folder may import only from folders of a lower layer (or itself). */
const LAYERS: Record<string, number> = {
  '.': 10, // entry: src/index.ts, src/server.ts, src/conformance.ts
  pipeline: 9,
  ops: 9, // health and what an operator sees: beside the pipeline, never under it
  wire: 8.6, // the wire view: an observer of the tap, its store and pages (routed by entry)
  transports: 8,
  auth: 8,
  'auth/upstream': 7.5, // the authorization server's client side: upstream sign-in, outbound fetches
  strict: 7.9, // strict mode's rules and checks: the pipeline and the session shard ask them
  observe: 7.8, // the tap and what observes it: logs, metrics, the wire view
  catalog: 7,
  fixtures: 6,
  tools: 6,
  resources: 6,
  prompts: 6,
  completion: 6,
  kb: 6,
  protocol: 5,
  sessions: 4,
  http: 3,
  settings: 2,
  jsonrpc: 1,
}

/** Features may use each other (search uses the knowledge base), but never a cycle. */
const FEATURES = new Set(['tools', 'resources', 'prompts', 'completion', 'kb', 'fixtures'])

/** Edges the layer numbers would allow that the design still forbids. */
const FORBIDDEN: [from: string, to: string, why: string][] = [
  ['tools', 'sessions', 'features know no session (DESIGN.md)'],
  ['resources', 'sessions', 'features know no session (DESIGN.md)'],
  ['prompts', 'sessions', 'features know no session (DESIGN.md)'],
  ['completion', 'sessions', 'features know no session (DESIGN.md)'],
  ['kb', 'sessions', 'features know no session (DESIGN.md)'],
  ['protocol', 'sessions', 'the protocol knows sessions only as the SessionHandle it defines'],
]

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? walk(path.join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : [],
  )

const files = walk(SRC)
const folderOf = (file: string) => path.relative(SRC, path.dirname(file)) || '.'

/** file -> the src files it imports (specifiers starting with "."). */
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8')
    const targets = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map(
      (match) => path.resolve(path.dirname(file), match[1]!),
    )
    return [file, targets] as const
  }),
)

const edges = [...imports].flatMap(([from, targets]) => targets.map((to) => ({ from, to })))
const show = (file: string) => path.relative(path.dirname(SRC), file)

/** Strongly connected components with more than one node (Tarjan). */
const cycles = (nodes: string[], next: (node: string) => string[]): string[][] => {
  let index = 0
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string) => {
    order.set(node, index)
    low.set(node, index++)
    stack.push(node)
    onStack.add(node)
    for (const target of next(node)) {
      if (!order.has(target)) {
        visit(target)
        low.set(node, Math.min(low.get(node)!, low.get(target)!))
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, order.get(target)!))
      }
    }
    if (low.get(node) === order.get(node)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const node of nodes) if (!order.has(node)) visit(node)
  return found
}

describe('BM-LAYERS-1 imports point down the layers', () => {
  test('BM-LAYERS-1 every folder of src/ has a layer', () => {
    const unknown = [...new Set(files.map(folderOf))].filter((folder) => !(folder in LAYERS))
    expect(unknown, 'give each new folder a layer in test/node/layers.test.ts').toEqual([])
  })

  test('BM-LAYERS-1 no import points up a layer or sideways', () => {
    const wrong = edges
      .filter(({ from, to }) => {
        const [a, b] = [folderOf(from), folderOf(to)]
        if (a === b) return false
        if (FEATURES.has(a) && FEATURES.has(b)) return false
        return LAYERS[a]! <= LAYERS[b]!
      })
      .map(({ from, to }) => `${show(from)} -> ${show(to)}`)
    expect(wrong).toEqual([])
  })

  test('BM-LAYERS-1 no forbidden edge', () => {
    const wrong = edges.flatMap(({ from, to }) =>
      FORBIDDEN.filter(([a, b]) => folderOf(from) === a && folderOf(to) === b).map(
        ([, , why]) => `${show(from)} -> ${show(to)}: ${why}`,
      ),
    )
    expect(wrong).toEqual([])
  })

  test('BM-LAYERS-1 no cycle between folders', () => {
    const folders = [...new Set(files.map(folderOf))]
    const next = (folder: string) => [
      ...new Set(
        edges
          .filter(({ from, to }) => folderOf(from) === folder && folderOf(to) !== folder)
          .map(({ to }) => folderOf(to)),
      ),
    ]
    expect(cycles(folders, next)).toEqual([])
  })

  test('BM-LAYERS-1 no cycle between files', () => {
    const found = cycles(files, (file) => imports.get(file) ?? []).map((cycle) => cycle.map(show))
    expect(found).toEqual([])
  })
})
