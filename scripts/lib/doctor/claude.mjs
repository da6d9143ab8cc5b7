// Claude (CLIENTS.md C6): Claude Desktop through mcp-remote, a bridge on the user's machine built
// on SDK v1 (so 2025-11-25 at most), which tries Streamable HTTP first (initialize, keeping the
// session id it gets, the GET stream, DELETE at the end) and falls back to the legacy `/sse`
// transport on 404 or 405. claude.ai custom connectors come from Anthropic's servers with
// User-Agent Claude-User, over https on port 443, which Cloudflare's AI-bot rules may block.

import { addSection } from './report.mjs'
import { CLIENTS, LEGACY, canCall, initializeParams, isLoopback } from './context.mjs'
import { answerTo, cloudflarePage, notification, rpc, shape } from './probe.mjs'

const remote = CLIENTS.mcpRemote

export const checkClaude = async (ctx) => {
  const s = addSection(ctx.report, 'Claude Desktop (through mcp-remote) and claude.ai', 'Claude')
  const url = new URL(ctx.endpoint)
  if (isLoopback(url.hostname)) {
    s.info(
      "claude.ai connects from Anthropic's servers: a local URL is out of its reach (mcp-remote runs locally and is fine)",
    )
  }
  if (!canCall(ctx, s)) return

  // claude.ai's User-Agent, which bot rules in front of a Worker have blocked.
  const claudeUser = rpc(
    'initialize',
    initializeParams({ clientInfo: { name: 'claude-ai', version: '0.1.0' } }, LEGACY),
  )
  const asClaude = await ctx.post(claudeUser, {
    client: { userAgent: 'Claude-User' },
    url: ctx.endpoint,
  })
  const blocked = asClaude.ok ? cloudflarePage(asClaude) : null
  if (blocked !== null) {
    s.fail(`User-Agent Claude-User (claude.ai): ${blocked.problem}`, {
      fix: blocked.fix,
      ms: asClaude.ms,
    })
  } else if (asClaude.ok && answerTo(asClaude.messages, claudeUser.id)?.result) {
    s.ok('User-Agent Claude-User (claude.ai) gets through', { ms: asClaude.ms })
  }

  // mcp-remote, Streamable HTTP with a session.
  const init = rpc('initialize', initializeParams(remote, LEGACY))
  const first = await ctx.post(init, { client: remote })
  const reply = first.ok ? answerTo(first.messages, init.id) : null
  if (first.ok && (first.status === 404 || first.status === 405)) {
    s.warn(
      `Streamable HTTP initialize: ${first.status}; mcp-remote falls back to the legacy SSE transport`,
      { ms: first.ms },
    )
  } else if (reply?.result === undefined) {
    s.fail(`Streamable HTTP initialize: ${first.ok ? shape(first) : first.problem}`, {
      fix: first.fix ?? 'Answer initialize with a result',
      ms: first.ms,
    })
    return
  } else {
    const version = reply.result.protocolVersion
    const session = first.headers.get('mcp-session-id')
    s.ok(
      `Streamable HTTP initialize (${LEGACY}): protocol ${version}, ${session ? 'a session' : 'no session (stateless)'}`,
      {
        ms: first.ms,
      },
    )
    const withSession = session ? { 'mcp-session-id': session } : {}
    const note = await ctx.post(notification('notifications/initialized'), {
      client: remote,
      version,
      headers: withSession,
    })
    if (!(note.ok && (note.status === 202 || note.status === 200))) {
      s.fail(
        `notifications/initialized${session ? ' in the session' : ''}: ${note.ok ? shape(note) : note.problem}`,
        {
          fix: 'Accept notifications with 202',
          ms: note.ms,
        },
      )
    }
    const list = rpc('tools/list')
    const listed = await ctx.post(list, { client: remote, version, headers: withSession })
    const tools = listed.ok ? answerTo(listed.messages, list.id)?.result?.tools : undefined
    if (Array.isArray(tools)) {
      s.ok(`tools/list${session ? ' in the session' : ''}: ${tools.length} tools`, {
        ms: listed.ms,
      })
    } else {
      s.fail(
        `tools/list${session ? ' in the session' : ''}: ${listed.ok ? shape(listed) : listed.problem}`,
        {
          fix: 'Serve tools/list in the session initialize opened',
          ms: listed.ms,
        },
      )
    }
    if (session) {
      const stream = await ctx.request(ctx.endpoint, {
        method: 'GET',
        read: false,
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': version,
          ...(ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}),
        },
      })
      if (
        stream.ok &&
        ((stream.status === 200 && /event-stream/.test(stream.contentType)) ||
          stream.status === 405)
      ) {
        s.ok(`GET stream of the session: ${shape(stream)}`, { ms: stream.ms })
      } else {
        s.warn(`GET stream of the session: ${stream.ok ? shape(stream) : stream.problem}`, {
          fix: "Answer the session's GET with an SSE stream, or 405 if there is none",
          ms: stream.ms,
        })
      }
      const ended = await ctx.request(ctx.endpoint, {
        method: 'DELETE',
        headers: {
          'mcp-session-id': session,
          'mcp-protocol-version': version,
          ...(ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}),
        },
      })
      if (ended.ok && [200, 202, 204, 405].includes(ended.status)) {
        s.ok(`DELETE of the session (when mcp-remote quits): ${ended.status}`, { ms: ended.ms })
      } else {
        s.warn(`DELETE of the session: ${ended.ok ? shape(ended) : ended.problem}`, {
          fix: 'End the session with 204 (or 405 if sessions cannot be ended)',
          ms: ended.ms,
        })
      }
    }
  }

  // The legacy transport, for `--transport sse-only` and older clients.
  const sse = await ctx.request(`${ctx.origin}/sse`, {
    method: 'GET',
    headers: {
      accept: 'text/event-stream',
      ...(ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}),
    },
    timeoutMs: Math.min(ctx.timeoutMs, 5_000),
    until: (text) => /event: endpoint\r?\ndata: .+\r?\n/.test(text),
  })
  const endpoint = sse.ok ? /event: endpoint\r?\ndata: (.+)\r?\n/.exec(sse.text)?.[1] : undefined
  if (endpoint !== undefined) {
    s.ok(
      `Legacy SSE at /sse (mcp-remote --transport sse-only): its endpoint event names ${endpoint.split('?')[0]}`,
      {
        ms: sse.ms,
      },
    )
  } else if (first.ok && (first.status === 404 || first.status === 405)) {
    s.fail(
      `Neither Streamable HTTP nor legacy SSE at /sse (${sse.ok ? shape(sse) : sse.problem}): mcp-remote has nothing to fall back to`,
      {
        fix: 'Serve Streamable HTTP at the endpoint',
        ms: sse.ms,
      },
    )
  } else {
    s.info(
      `No legacy SSE transport at /sse (${sse.ok ? shape(sse) : 'no answer'}); only --transport sse-only needs it`,
    )
  }
}
