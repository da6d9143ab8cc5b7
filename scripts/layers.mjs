// `npm run layers`: the folder-level import graph of src/ (type imports included), one line per
// folder with the folders it imports, and every cycle between folders. What
// test/node/layers.test.ts checks, drawn for a reader.
//
//   node scripts/layers.mjs [src-dir]

import fs from 'node:fs'
import path from 'node:path'

const SRC = path.resolve(process.argv[2] ?? new URL('../src/', import.meta.url).pathname)

const walk = (dir) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? walk(path.join(dir, entry.name))
        : /\.ts$/.test(entry.name)
          ? [path.join(dir, entry.name)]
          : [],
    )

const folderOf = (file) => path.relative(SRC, path.dirname(file)) || '.'
const edges = new Map()
for (const file of walk(SRC)) {
  const from = folderOf(file)
  if (!edges.has(from)) edges.set(from, new Set())
  const text = fs.readFileSync(file, 'utf8')
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)) {
    if (!match[1].endsWith('.ts')) continue // a text asset (SPEC_NOTES.md), not code
    const to = folderOf(path.resolve(path.dirname(file), match[1]))
    if (to !== from) edges.get(from).add(to)
  }
}

// Tarjan's strongly connected components: the cycles between folders.
let index = 0
const order = new Map()
const low = new Map()
const stack = []
const cycles = []
const visit = (node) => {
  order.set(node, index)
  low.set(node, index++)
  stack.push(node)
  for (const next of edges.get(node) ?? []) {
    if (!order.has(next)) {
      visit(next)
      low.set(node, Math.min(low.get(node), low.get(next)))
    } else if (stack.includes(next)) low.set(node, Math.min(low.get(node), order.get(next)))
  }
  if (low.get(node) === order.get(node)) {
    const component = []
    let member
    do component.push((member = stack.pop()))
    while (member !== node)
    if (component.length > 1) cycles.push(component.sort())
  }
}
for (const node of edges.keys()) if (!order.has(node)) visit(node)

const width = Math.max(...[...edges.keys()].map((folder) => folder.length))
for (const [folder, targets] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${folder.padEnd(width)}  -> ${[...targets].sort().join(', ') || '(nothing)'}`)
}
console.log(
  cycles.length === 0
    ? '\nno cycle between folders'
    : `\n${cycles.length} cycle(s) between folders:\n${cycles.map((c) => `  ${c.join(' <-> ')}`).join('\n')}`,
)
