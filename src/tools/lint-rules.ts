// The rules of the OpenAI-safe tool lint, over one tool object as `tools/list` shows it: what the
// OpenAI Responses API, ChatGPT and Claude have been seen to reject (CLIENTS.md C1, C2, D.17).
// Pure (imports nothing), so `npm run doctor` (scripts/doctor.mjs, plain Node) checks a remote
// server's listing with exactly the rules `npm run lint:tools` applies to ours (src/tools/lint.ts).
//
//   lintToolObject({ name: 'bad.name', ... })
//     -> [{ tool: 'bad.name', rule: 'BM-LINT-1', severity: 'error', message: 'name "bad.name" must match ...' }]

/**
 * R-SF-4 and OpenAI's rule (CLIENTS.md C1): names are 1..64 of `A-Z a-z 0-9 _ -`. MCP also
 * allows `.`, but the Responses API and ChatGPT reject it, so we do too.
 */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

/**
 * Longest description we accept. MCP sets no limit; OpenAI's function tools have refused
 * descriptions over 1024 characters, and a long description costs model context on every turn.
 */
export const MAX_DESCRIPTION = 1024

/** One problem with one tool object. */
export interface ToolFinding {
  tool: string
  /** The SPEC_NOTES.md rule id. */
  rule: string
  severity: 'error' | 'warning'
  message: string
}

type Json = Record<string, unknown>
type Report = (rule: string, severity: ToolFinding['severity'], message: string) => void

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Keywords whose values are data, not schemas: never walked into. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples'])

/** Every subschema of `schema` (itself included), with its JSON Pointer. */
const subschemas = (schema: unknown, pointer = '#'): [string, Json][] => {
  if (!isObject(schema)) return []
  const found: [string, Json][] = [[pointer, schema]]
  for (const [key, value] of Object.entries(schema)) {
    if (DATA_KEYWORDS.has(key)) continue
    const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
    if (Array.isArray(value))
      value.forEach((item, i) => found.push(...subschemas(item, `${at}/${i}`)))
    else found.push(...subschemas(value, at))
  }
  return found
}

/** Resolves a `$ref` inside `root`: a JSON Pointer fragment, or a `$anchor`. */
const resolves = (root: Json, ref: string): boolean => {
  if (!ref.startsWith('#')) return false // clients do not fetch remote schemas
  const fragment = ref.slice(1)
  if (fragment !== '' && !fragment.startsWith('/')) {
    return subschemas(root).some(([, schema]) => schema.$anchor === fragment)
  }
  let node: unknown = root
  for (const raw of fragment.split('/').slice(1)) {
    let token: string
    try {
      token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    } catch {
      return false
    }
    if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)]
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token]
    else return false
  }
  return node !== undefined
}

const checkSchema = (label: string, schema: unknown, report: Report): void => {
  // BM-LINT-2: the root is an object schema (MCP requires it; OpenAI imports nothing else).
  if (!isObject(schema) || schema.type !== 'object') {
    report('BM-LINT-2', 'error', `${label} must be a JSON Schema with "type": "object" at its root`)
    if (!isObject(schema)) return
  }
  // BM-LINT-3: Anthropic and OpenAI's strict mode refuse combinators at the root.
  for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
    if (keyword in schema) {
      report('BM-LINT-3', 'error', `${label} has "${keyword}" at its root; wrap it in a property`)
    }
  }
  for (const [pointer, sub] of subschemas(schema)) {
    // BM-LINT-4: ChatGPT rejects tuple-style arrays (z.tuple output, D.17).
    if (Array.isArray(sub.items) || 'prefixItems' in sub) {
      report(
        'BM-LINT-4',
        'error',
        `${label} ${pointer} is a tuple ("${'prefixItems' in sub ? 'prefixItems' : 'items'}" as a list); use an object or a single "items" schema`,
      )
    }
    // BM-LINT-5: a $ref must point inside this schema.
    if (typeof sub.$ref === 'string' && !resolves(schema, sub.$ref)) {
      report(
        'BM-LINT-5',
        'error',
        `${label} ${pointer} has "$ref": "${sub.$ref}", which does not resolve within the schema`,
      )
    }
  }
}

/** The findings for one tool object as `tools/list` shows it. */
export const lintToolObject = (tool: Json): ToolFinding[] => {
  const name = typeof tool.name === 'string' ? tool.name : String(tool.name)
  const findings: ToolFinding[] = []
  const report: Report = (rule, severity, message) =>
    findings.push({ tool: name, rule, severity, message })

  // BM-LINT-1: OpenAI rejects names outside this set (openai/codex#8174).
  if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
    report('BM-LINT-1', 'error', `name ${JSON.stringify(tool.name)} must match ${TOOL_NAME}`)
  }
  checkSchema('inputSchema', tool.inputSchema, report)
  if (tool.outputSchema !== undefined) checkSchema('outputSchema', tool.outputSchema, report)

  // BM-LINT-6: a model chooses tools by their description.
  const description = tool.description
  if (typeof description !== 'string' || description.trim() === '') {
    report('BM-LINT-6', 'error', 'description is missing; the model picks tools by it')
  } else if (description.length > MAX_DESCRIPTION) {
    report(
      'BM-LINT-6',
      'error',
      `description is ${description.length} characters; keep it within ${MAX_DESCRIPTION}`,
    )
  }

  // BM-LINT-7: readOnlyHint drives the Responses API's require_approval {never: {read_only}};
  // ChatGPT lists all three hints as required for apps (CLIENTS.md C1, C2).
  const annotations = isObject(tool.annotations) ? tool.annotations : null
  if (annotations === null || typeof annotations.readOnlyHint !== 'boolean') {
    report('BM-LINT-7', 'error', 'annotations.readOnlyHint is missing (true or false)')
  }
  for (const hint of ['destructiveHint', 'openWorldHint']) {
    if (annotations !== null && typeof annotations[hint] !== 'boolean') {
      report('BM-LINT-7', 'warning', `annotations.${hint} is missing; ChatGPT asks for it`)
    }
  }
  return findings
}
