// The examples in README.md, read from its Markdown so tests can prove each works as written.
//
// - A module example is a ```ts block whose first line names the file it belongs in:
//   `// src/tools/weather.ts: ...`. Tests compile it as that file (its relative imports resolve
//   from there), type-check it, check its formatting, and run it.
// - A transcript is a ```sh block that runs `curl` against `localhost:8787`, followed (blank
//   lines apart) by a ```json, ```text or ```http block: what the server answers.
//
// Pure functions over the Markdown text, so both the Node tests and the Vite plugin that serves
// the modules to the Workers tests (vitest.config.ts) can use them.

export interface CodeBlock {
  /** The fence's language (`ts`, `sh`, `json`, ...), '' when none. */
  lang: string
  text: string
  /** 1-based line of the opening fence. */
  line: number
  /** The nearest `##`/`###` heading above it, or a bold paragraph title like `**tools/list**`. */
  title: string
}

/** Every fenced block of `markdown`, in order (indented fences, inside lists, included). */
export const codeBlocks = (markdown: string): CodeBlock[] => {
  const blocks: CodeBlock[] = []
  const lines = markdown.split('\n')
  let title = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heading = /^#{2,3} (.+)$/.exec(line) ?? /^\*\*([^*]+)\*\*/.exec(line)
    if (heading !== null) title = heading[1]!
    const fence = /^(\s*)```(\w*)\s*$/.exec(line)
    if (fence === null) continue
    const indent = fence[1]!.length
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++)
      body.push(lines[j]!.slice(indent))
    blocks.push({ lang: fence[2]!, text: body.join('\n'), line: i + 1, title })
    i = j
  }
  return blocks
}

export interface ModuleExample {
  /** Where the example says it goes, e.g. `src/tools/weather.ts`. */
  path: string
  code: string
  line: number
}

const MODULE_PATH = /^\/\/ (src\/[\w/.-]+\.ts)\b/

/** The ```ts blocks that open with the path of the file they belong in. */
export const moduleExamples = (markdown: string): ModuleExample[] =>
  codeBlocks(markdown).flatMap((block) => {
    const path = block.lang === 'ts' ? MODULE_PATH.exec(block.text)?.[1] : undefined
    return path === undefined ? [] : [{ path, code: `${block.text}\n`, line: block.line }]
  })

/** The file a Vite plugin serves a module example as: next to where it belongs, never on disk. */
export const examplePath = (path: string): string => path.replace(/\.ts$/, '.readme-example.ts')

export interface Transcript {
  title: string
  line: number
  /** The shell text, continuation lines joined. */
  command: string
  /** What the README says comes back. */
  expected: { lang: string; text: string }
}

/** Each `curl localhost:8787...` block with the answer block that follows it. */
export const transcripts = (markdown: string): Transcript[] => {
  const blocks = codeBlocks(markdown)
  const lines = markdown.split('\n')
  return blocks.flatMap((block, i) => {
    const next = blocks[i + 1]
    if (block.lang !== 'sh' || !/^curl .*localhost:8787/m.test(block.text)) return []
    if (next === undefined || !['json', 'text', 'http'].includes(next.lang)) return []
    // Only blank lines may stand between the command and its answer.
    const closing = block.line + block.text.split('\n').length // 0-based index of the fence
    const between = lines.slice(closing + 1, next.line - 1)
    if (between.some((line) => line.trim() !== '')) return []
    return [
      {
        title: block.title,
        line: block.line,
        command: block.text.replace(/\\\n\s*/g, ''),
        expected: { lang: next.lang, text: next.text },
      },
    ]
  })
}
