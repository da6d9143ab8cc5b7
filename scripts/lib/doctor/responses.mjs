// The OpenAI Responses API's `mcp` tool (CLIENTS.md C1): from OpenAI's servers, User-Agent
// openai-mcp, it imports the tool list on the first turn that needs the server. Anything that
// breaks that import (an unreachable URL, a tools/list that fails under the version header it
// sends, a tool name or schema OpenAI rejects) fails the whole response with an opaque
// `424 Error retrieving tool list from MCP server` (D.19). The tool objects are checked with the
// rules of `npm run lint:tools` (src/tools/lint-rules.ts), the same module, not a copy.

import { addSection } from './report.mjs'
import { CLIENTS, canCall, initializeParams, isLoopback, rpcErrorText } from './context.mjs'
import { answerTo, notification, rpc, shape } from './probe.mjs'

const openai = CLIENTS.openai

/** The version headers the import has been seen with, or could send: none first. */
const VERSION_HEADERS = [undefined, '2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']

/** What to do about each lint rule (SPEC_NOTES.md BM-LINT-1..7). */
const FIXES = {
  'BM-LINT-1':
    'Rename it to letters, digits, "_" and "-" only, at most 64 characters (dots and slashes become "_"): the import and allowed_tools reject anything else',
  'BM-LINT-2':
    'Give the schema {"type": "object", "properties": {...}} at its root; wrap any other type in a property',
  'BM-LINT-3':
    'Move the anyOf/oneOf/allOf into a property, or merge the alternatives into one object schema',
  'BM-LINT-4': 'Replace the tuple with an object, or with a single "items" schema',
  'BM-LINT-5':
    'Inline the referenced schema, or point the $ref at a $defs entry of the same schema',
  'BM-LINT-6': 'Write a description of what it does and when to use it, at most 1024 characters',
  'BM-LINT-7':
    'Set annotations.readOnlyHint (and destructiveHint, openWorldHint) to true or false: require_approval {"never": {"read_only": true}} reads it',
}

export const checkResponses = async (ctx, lintToolObject) => {
  const s = addSection(ctx.report, 'OpenAI Responses API (the mcp tool)', 'Responses API')
  if (isLoopback(new URL(ctx.endpoint).hostname)) {
    s.info(
      "The API connects from OpenAI's servers: a local URL is out of its reach (that alone is a 424)",
      {
        fix: 'Deploy (npm run deploy) and give server_url the https URL',
      },
    )
  }
  if (!canCall(ctx, s)) return

  const init = rpc('initialize', initializeParams(openai, '2025-03-26'))
  const initialized = await ctx.post(init, { client: openai })
  const version = initialized.ok
    ? answerTo(initialized.messages, init.id)?.result?.protocolVersion
    : undefined
  if (version === undefined) {
    s.fail(
      `initialize (2025-03-26): ${initialized.ok ? shape(initialized) : initialized.problem}`,
      {
        fix: 'Answer initialize for 2025-03-26 (negotiate a version you serve)',
        ms: initialized.ms,
      },
    )
    return
  }
  s.ok(`initialize (2025-03-26): protocol ${version}`, { ms: initialized.ms })
  await ctx.post(notification('notifications/initialized'), { client: openai, version })

  // The import, under each version header: none must fail.
  const failed = []
  let slowest = 0
  for (const header of VERSION_HEADERS) {
    const list = rpc('tools/list')
    const answer = await ctx.post(list, { client: openai, version: header })
    slowest = Math.max(slowest, answer.ms)
    const reply = answer.ok ? answerTo(answer.messages, list.id) : null
    if (!Array.isArray(reply?.result?.tools)) {
      failed.push(
        `${header ?? 'no header'}: ${answer.ok ? shape(answer) : answer.problem}${reply?.error ? `, ${rpcErrorText(reply.error)}` : ''}`,
      )
    }
  }
  if (failed.length > 0) {
    s.fail(
      `tools/list fails under some MCP-Protocol-Version headers (${failed.join('; ')}): the import would answer 424`,
      {
        fix: 'Serve tools/list whatever version header comes (none means 2025-03-26); never refuse an old one',
      },
    )
  } else {
    s.ok(
      `tools/list answers under every version header (none, ${VERSION_HEADERS.slice(1).join(', ')})`,
      { ms: slowest },
    )
  }

  const { tools, ms, problem } = await importTools(ctx, version)
  if (problem !== undefined) {
    s.fail(`The tool import: ${problem}`, { fix: 'Make tools/list answer every page', ms })
    return
  }
  if (tools.length === 0) {
    s.warn('tools/list is empty: there is nothing to import', { fix: 'Serve at least one tool' })
    return
  }
  const names = tools.map((tool) => tool.name)
  const twice = names.filter((name, i) => names.indexOf(name) !== i)
  if (twice.length > 0) {
    s.fail(`Tool names listed twice: ${[...new Set(twice)].join(', ')}`, {
      fix: 'Give every tool its own name',
    })
  }
  let errors = 0
  for (const tool of tools) {
    for (const finding of lintToolObject(tool)) {
      const text = `tool ${JSON.stringify(finding.tool)}: ${finding.message} (${finding.rule})`
      if (finding.severity === 'error') {
        errors++
        s.fail(`${text}: OpenAI rejects it, and the import answers 424`, {
          fix: FIXES[finding.rule],
        })
      } else {
        s.warn(text, { fix: FIXES[finding.rule] })
      }
    }
  }
  if (errors === 0) {
    s.ok(
      `The import: ${tools.length} tools pass the OpenAI-safe lint; their names fit allowed_tools`,
      { ms },
    )
  }
  const readOnly = tools.filter((tool) => tool.annotations?.readOnlyHint === true).length
  s.info(
    `require_approval {"never": {"read_only": true}} would skip the approval round for ${readOnly} of ${tools.length} tools`,
  )
}

/** Every page of tools/list, as the import reads it. */
const importTools = async (ctx, version) => {
  const tools = []
  let cursor
  let ms = 0
  for (let page = 0; page < 50; page++) {
    const list = rpc('tools/list', cursor === undefined ? undefined : { cursor })
    const answer = await ctx.post(list, { client: openai, version })
    ms += answer.ms
    const result = answer.ok ? answerTo(answer.messages, list.id)?.result : undefined
    if (!Array.isArray(result?.tools)) {
      return {
        tools,
        ms,
        problem: `page ${page + 1}: ${answer.ok ? shape(answer) : answer.problem}`,
      }
    }
    tools.push(...result.tools.filter((tool) => typeof tool === 'object' && tool !== null))
    cursor = result.nextCursor
    if (cursor === undefined || cursor === null) return { tools, ms }
  }
  return { tools, ms, problem: 'more than 50 pages (a cursor that never ends?)' }
}
