// ChatGPT, as observed (CLIENTS.md C2, C3): server-side, User-Agent openai-mcp. It first sends a
// 2026-07-28 `server/discover`; if that errors it falls back to `initialize` 2025-11-25 and
// never sends `Mcp-Session-Id` back, so every request must work without a session; answers
// framed as SSE are what it reads. After a long idle it may GET the endpoint. Deep research and
// company knowledge call exactly `search` and `fetch`, which must keep the C3 contract.

import { addSection } from './report.mjs'
import {
  CLIENTS,
  LEGACY,
  MODERN,
  canCall,
  initializeParams,
  modernMeta,
  rpcErrorText,
} from './context.mjs'
import { answerTo, notification, rpc, shape } from './probe.mjs'

const openai = CLIENTS.openai
const isSse = (answer) => /^text\/event-stream/i.test(answer.contentType)

/** `/mcp` + `/research`: bare-mcp's endpoint with exactly search and fetch. */
export const researchUrl = (endpoint) => `${endpoint.replace(/\/+$/, '')}/research`

export const checkChatGpt = async (ctx) => {
  const s = addSection(ctx.report, 'ChatGPT (developer mode connector)', 'ChatGPT')
  if (!canCall(ctx, s)) return

  // 1. server/discover, 2026-07-28.
  const discover = rpc('server/discover', { _meta: modernMeta(openai) })
  const found = await ctx.post(discover, {
    client: openai,
    version: MODERN,
    headers: { 'mcp-method': 'server/discover' },
  })
  const discovered = found.ok ? answerTo(found.messages, discover.id) : null
  let modern = false
  if (!found.ok) {
    s.fail(`server/discover: ${found.problem}`, { fix: found.fix, ms: found.ms })
    return
  } else if (discovered?.result !== undefined) {
    const versions = discovered.result.supportedVersions ?? []
    modern = versions.includes(MODERN)
    s.ok(
      `server/discover (${MODERN}): ${shape(found)}, supports ${versions.join(', ') || 'no version listed'}`,
      { ms: found.ms },
    )
  } else if (discovered?.error !== undefined) {
    s.ok(
      `server/discover: ${found.status}, ${rpcErrorText(discovered.error)}: ChatGPT falls back to initialize`,
      {
        ms: found.ms,
      },
    )
  } else {
    s.warn(
      `server/discover answers ${shape(found)} without a JSON-RPC message: ChatGPT may give up instead of falling back`,
      {
        fix: 'Answer a method you do not know with a JSON-RPC error (-32601), never an empty or HTML answer',
        ms: found.ms,
      },
    )
  }

  // 2. The 2026-07-28 path, when the server speaks it: tools/list with its headers and _meta.
  if (modern) {
    const list = rpc('tools/list', { _meta: modernMeta(openai) })
    const answer = await ctx.post(list, {
      client: openai,
      version: MODERN,
      headers: { 'mcp-method': 'tools/list' },
    })
    const reply = answer.ok ? answerTo(answer.messages, list.id) : null
    if (Array.isArray(reply?.result?.tools)) {
      s.ok(`tools/list (${MODERN}): ${reply.result.tools.length} tools`, { ms: answer.ms })
    } else {
      s.fail(
        `tools/list (${MODERN}): ${answer.ok ? shape(answer) : answer.problem}${reply?.error ? `, ${rpcErrorText(reply.error)}` : ''}`,
        {
          fix: 'A server that lists 2026-07-28 in server/discover must serve tools/list in it (with Mcp-Method and _meta)',
          ms: answer.ms,
        },
      )
    }
  }

  // 3. The fallback: initialize 2025-11-25, then everything without a session.
  const init = rpc('initialize', initializeParams(openai, LEGACY))
  const initialized = await ctx.post(init, { client: openai })
  const reply = initialized.ok ? answerTo(initialized.messages, init.id) : null
  if (reply?.result === undefined) {
    s.fail(
      `initialize (${LEGACY}, the fallback): ${initialized.ok ? shape(initialized) : initialized.problem}`,
      {
        fix: 'Answer initialize with a result',
        ms: initialized.ms,
      },
    )
    return
  }
  const version = reply.result.protocolVersion ?? LEGACY
  s.ok(`initialize (${LEGACY}): ${shape(initialized)}, protocol ${version}`, { ms: initialized.ms })
  if (!isSse(initialized)) {
    s.warn(
      "Answers User-Agent openai-mcp in plain JSON: OpenAI's clients were seen ignoring JSON answers (openai-agents-python#1608)",
      {
        fix: 'Answer openai-mcp in SSE whenever it accepts it (bare-mcp: SSE_USER_AGENTS=openai-mcp, the default)',
      },
    )
  } else {
    s.ok("Answers User-Agent openai-mcp SSE-framed (what OpenAI's clients read)")
  }
  const session = initialized.headers.get('mcp-session-id')

  const note = await ctx.post(notification('notifications/initialized'), {
    client: openai,
    version,
  })
  if (note.ok && (note.status === 202 || note.status === 200)) {
    s.ok(`notifications/initialized without the session id: ${note.status}`, { ms: note.ms })
  } else {
    s.fail(
      `notifications/initialized without the session id: ${note.ok ? shape(note) : note.problem}`,
      {
        fix: 'Accept notifications with 202 whether or not they carry Mcp-Session-Id: ChatGPT never sends it back',
        ms: note.ms,
      },
    )
  }
  const list = rpc('tools/list')
  const listed = await ctx.post(list, { client: openai, version })
  const tools = listed.ok ? answerTo(listed.messages, list.id)?.result?.tools : undefined
  if (Array.isArray(tools)) {
    s.ok(
      `tools/list without the session id${session ? ' (one was offered)' : ''}: ${tools.length} tools, ${shape(listed)}`,
      {
        ms: listed.ms,
      },
    )
  } else {
    s.fail(`tools/list without the session id: ${listed.ok ? shape(listed) : listed.problem}`, {
      fix: 'Serve requests that carry no Mcp-Session-Id statelessly: ChatGPT never sends it back (it may open a new "session" per call)',
      ms: listed.ms,
    })
  }

  // 4. The post-idle probe: GET with Accept: text/event-stream and no session.
  const probe = await ctx.request(ctx.endpoint, {
    method: 'GET',
    read: false,
    headers: {
      accept: 'text/event-stream',
      'user-agent': openai.userAgent,
      ...(ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}),
    },
  })
  if (probe.ok && probe.status === 405) {
    s.ok('GET without a session (ChatGPT after a long idle): 405, a clear "no"', { ms: probe.ms })
  } else if (probe.ok && probe.status === 200 && isSse(probe)) {
    s.ok('GET without a session: an SSE stream', { ms: probe.ms })
  } else {
    s.warn(
      `GET without a session (ChatGPT after a long idle): ${probe.ok ? shape(probe) : probe.problem}`,
      {
        fix: 'Answer 405 with Allow (or an SSE stream): anything else makes clients retry in a loop',
        ms: probe.ms,
      },
    )
  }
}

/** Deep research and company knowledge: `search` and `fetch` as C3 says, on /mcp/research. */
export const checkResearch = async (ctx) => {
  const s = addSection(
    ctx.report,
    'ChatGPT deep research and company knowledge (search and fetch)',
    'Deep research',
  )
  if (!canCall(ctx, s)) return
  let url = researchUrl(ctx.endpoint)
  let tools = await listAt(ctx, url)
  if (tools.status === 404 || !Array.isArray(tools.tools)) {
    const main = await listAt(ctx, ctx.endpoint)
    const names = (main.tools ?? []).map((tool) => tool.name)
    if (!(names.includes('search') && names.includes('fetch'))) {
      s.warn(
        `No ${new URL(url).pathname} endpoint, and ${new URL(ctx.endpoint).pathname} has no search and fetch: deep research and company knowledge ignore this server`,
        {
          fix: 'Serve two read-only tools named search and fetch (bare-mcp: the /mcp/research profile)',
        },
      )
      return
    }
    s.info(
      `No ${new URL(url).pathname}; ${new URL(ctx.endpoint).pathname} itself has search and fetch`,
    )
    url = ctx.endpoint
    tools = main
  } else {
    s.ok(
      `${new URL(url).pathname} lists ${tools.tools.map((tool) => tool.name).join(', ') || 'nothing'}`,
      { ms: tools.ms },
    )
  }
  const byName = new Map(tools.tools.map((tool) => [tool.name, tool]))
  const extra = [...byName.keys()].filter((name) => name !== 'search' && name !== 'fetch')
  if (extra.length > 0 && url !== ctx.endpoint) {
    s.warn(
      `It lists more than search and fetch (${extra.join(', ')}): deep research calls only those two`,
      {
        fix: 'Give deep research an endpoint with exactly search and fetch',
      },
    )
  }
  for (const [name, argument] of [
    ['search', 'query'],
    ['fetch', 'id'],
  ]) {
    const tool = byName.get(name)
    if (tool === undefined) {
      s.fail(`No ${name} tool: deep research needs both search and fetch`, {
        fix: `Add a read-only tool named ${name} with one string argument, ${argument}`,
      })
      continue
    }
    const property = tool.inputSchema?.properties?.[argument]
    if (property?.type !== 'string' || !tool.inputSchema?.required?.includes(argument)) {
      s.fail(`${name}: its input must be one required string, "${argument}"`, {
        fix: `inputSchema {"type":"object","properties":{"${argument}":{"type":"string"}},"required":["${argument}"]}`,
      })
    }
    if (tool.annotations?.readOnlyHint !== true) {
      s.warn(`${name} is not marked readOnlyHint: true`, {
        fix: 'Set annotations.readOnlyHint to true',
      })
    }
    if (tool.outputSchema === undefined) {
      s.warn(`${name} declares no outputSchema`, {
        fix: 'Declare the outputSchema of its result object',
      })
    }
  }
  if (!byName.has('search')) return

  const searched = await call(ctx, url, 'search', { query: ctx.query })
  if (searched.problem !== undefined) {
    s.fail(`search "${ctx.query}": ${searched.problem}`, { fix: searched.fix, ms: searched.ms })
    return
  }
  const results = searched.structured?.results
  if (!Array.isArray(results)) {
    s.fail('search answers without structuredContent.results (an array)', {
      fix: 'Return {"results":[{"id","title","url"}]} as structuredContent, and the same JSON as the single text item',
      ms: searched.ms,
    })
    return
  }
  s.ok(`search "${ctx.query}": ${results.length} results`, { ms: searched.ms })
  checkMirror(s, 'search', searched)
  checkCitations(s, results)
  const first = results.find((result) => typeof result?.id === 'string')
  if (first === undefined) {
    s.info(`search found nothing for "${ctx.query}", so fetch was not tried`, {
      fix: 'Run again with --query <a word your documents contain>',
    })
    return
  }
  if (!byName.has('fetch')) return
  const fetched = await call(ctx, url, 'fetch', { id: first.id })
  const doc = fetched.structured
  if (fetched.problem !== undefined) {
    s.fail(`fetch "${first.id}": ${fetched.problem}`, { fix: fetched.fix, ms: fetched.ms })
  } else if (
    typeof doc?.text !== 'string' ||
    typeof doc?.id !== 'string' ||
    typeof doc?.title !== 'string'
  ) {
    s.fail(`fetch "${first.id}" answers without {id, title, text, url} as structuredContent`, {
      fix: 'Return {"id","title","text","url","metadata"?} as structuredContent, and the same JSON as the single text item',
      ms: fetched.ms,
    })
  } else {
    s.ok(`fetch "${first.id}": "${doc.title.slice(0, 60)}", ${doc.text.length} characters`, {
      ms: fetched.ms,
    })
    checkMirror(s, 'fetch', fetched)
    checkCitations(s, [doc])
  }
}

/** tools/list at `url` (initialize first, as ChatGPT does), following every cursor. */
const listAt = async (ctx, url) => {
  const init = rpc('initialize', initializeParams(openai, LEGACY))
  const first = await ctx.post(init, { client: openai, url })
  if (!first.ok) return { status: 0, ms: first.ms }
  if (first.status === 404) return { status: 404, ms: first.ms }
  const version = answerTo(first.messages, init.id)?.result?.protocolVersion ?? LEGACY
  const tools = []
  let cursor
  let ms = first.ms
  for (let page = 0; page < 20; page++) {
    const list = rpc('tools/list', cursor === undefined ? undefined : { cursor })
    const answer = await ctx.post(list, { client: openai, version, url })
    ms += answer.ms
    const result = answer.ok ? answerTo(answer.messages, list.id)?.result : undefined
    if (!Array.isArray(result?.tools)) return { status: answer.status ?? 0, ms }
    tools.push(...result.tools)
    cursor = result.nextCursor
    if (cursor === undefined) break
  }
  return { status: 200, tools, ms }
}

const call = async (ctx, url, name, args) => {
  const message = rpc('tools/call', { name, arguments: args })
  const answer = await ctx.post(message, { client: openai, version: LEGACY, url })
  if (!answer.ok) return { problem: answer.problem, fix: answer.fix, ms: answer.ms }
  const reply = answerTo(answer.messages, message.id)
  if (reply?.error !== undefined) {
    return {
      problem: rpcErrorText(reply.error),
      fix: `Make ${name} answer a result`,
      ms: answer.ms,
    }
  }
  if (reply?.result === undefined)
    return { problem: shape(answer), fix: `Make ${name} answer a result`, ms: answer.ms }
  if (reply.result.isError === true) {
    const text = reply.result.content?.[0]?.text ?? ''
    return {
      problem: `a tool error: "${String(text).slice(0, 160)}"`,
      fix: `Make ${name} work on this input`,
      ms: answer.ms,
    }
  }
  return { result: reply.result, structured: reply.result.structuredContent, ms: answer.ms }
}

/** C3: the same value as structuredContent and as the single text item. */
const checkMirror = (s, name, called) => {
  const text = called.result.content?.[0]?.text
  let same = false
  try {
    same = JSON.stringify(JSON.parse(text)) === JSON.stringify(called.structured)
  } catch {
    same = false
  }
  if (!same) {
    s.warn(`${name}: the text item is not the structuredContent as JSON`, {
      fix: 'Send the same object JSON-encoded as content[0].text (clients without structured output read that)',
    })
  }
}

/** C3: ChatGPT cites a result only when its url is absolute (and it should resolve). */
const checkCitations = (s, items) => {
  if (s.section.citationsWarned) return
  const urls = items.map((item) => item?.url).filter((url) => url !== undefined)
  const bad = urls.filter((url) => typeof url !== 'string' || !/^https?:\/\/[^/\s]+/.test(url))
  if (bad.length > 0 || urls.length < items.length) {
    s.section.citationsWarned = true
    s.warn(
      `${items.length - urls.length + bad.length} result(s) without an absolute url: ChatGPT cites only those with one`,
      {
        fix: 'Give every result an absolute https url people can open',
      },
    )
  }
  const invalid = urls.find(
    (url) => typeof url === 'string' && /^https?:\/\/[^/]*\.invalid(\/|$)/.test(url),
  )
  if (invalid !== undefined) {
    s.section.citationsWarned = true
    s.warn(`Citations point at ${new URL(invalid).host}, which never resolves`, {
      fix: 'Set KB_BASE_URL to where people can read your documents (or give each document a url)',
    })
  }
}
