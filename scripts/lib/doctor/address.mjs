// The address itself, before any client: is it a URL clients accept (https, the right port, no
// stray slash), does anything answer there, and is it MCP rather than a web page, a redirect, a
// bot challenge or the wrong path? When the path is wrong but the server names (or has) its MCP
// endpoint, the doctor says so and checks the rest against that endpoint.

import { addSection } from './report.mjs'
import { CLIENTS, LEGACY, initializeParams, isLoopback, rpcErrorText } from './context.mjs'
import { answerTo, cloudflarePage, isHtml, rpc, shape } from './probe.mjs'

/** The paths tried when the given one is not an MCP endpoint. */
const CANDIDATES = ['/mcp']

/** Checks the URL and the first request; false when nothing else can be checked. */
export const checkAddress = async (ctx) => {
  const s = addSection(ctx.report, 'Address')
  const url = new URL(ctx.given)
  const local = isLoopback(url.hostname)

  if (url.protocol === 'http:' && !local) {
    s.fail(
      'Plain http on a public host: ChatGPT, claude.ai and the Responses API connect over https only',
      {
        fix: `Use https://${url.host}${url.pathname} (workers.dev and Cloudflare custom domains serve https)`,
      },
    )
  } else if (url.protocol === 'http:') {
    s.info(
      'Plain http on this machine: mcp-remote (with --allow-http) and the Inspector can connect; ' +
        'ChatGPT, claude.ai and the Responses API connect from their own servers and cannot reach it',
      {
        fix: 'To try those clients, deploy it (npm run deploy) and run the doctor on the https URL',
      },
    )
  } else {
    s.ok('https')
  }
  if (url.protocol === 'https:' && url.port !== '' && url.port !== '443') {
    s.warn(`Port ${url.port}: claude.ai custom connectors reach servers on port 443 only`, {
      fix: `Serve it on the default port: https://${url.hostname}${url.pathname}`,
    })
  }
  if (url.search !== '' || url.hash !== '') {
    s.warn(
      'The URL has a query string or fragment; clients may drop it, and it is no part of an MCP endpoint',
      {
        fix: `Give clients ${url.origin}${url.pathname}`,
      },
    )
  }
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) {
    s.warn(
      `The path ends in "/": the resource tokens are bound to is ${url.origin}${url.pathname.replace(/\/+$/, '')}, ` +
        'and some clients treat the two as different servers',
      { fix: `Give clients ${url.origin}${url.pathname.replace(/\/+$/, '')}` },
    )
  }
  if (/\/sse\/?$/.test(url.pathname)) {
    s.warn(
      'This is the legacy HTTP+SSE endpoint (2024-11-05); ChatGPT and new clients speak Streamable HTTP',
      {
        fix: `Give clients the Streamable HTTP endpoint, for bare-mcp ${url.origin}/mcp`,
      },
    )
    ctx.endpoint = `${url.origin}${url.pathname.replace(/\/sse\/?$/, '/mcp')}`
  }

  const first = await initialize(ctx, ctx.endpoint)
  if (!first.ok) {
    s.fail(first.problem, { fix: first.fix, ms: first.ms })
    return false
  }
  const reached = await judge(ctx, s, first, ctx.endpoint)
  if (reached === 'ok') await healthz(ctx, s)
  if (reached !== 'wrong-path') return reached === 'ok'

  // The path is wrong: follow the server's own hint, else try the usual one.
  const given = isHtml(first)
    ? `POST ${url.pathname} answers an HTML page${titleOf(first)}, not MCP`
    : `POST ${url.pathname} answers ${shape(first)}: nothing serves MCP at this path`
  const hinted = /the MCP endpoint is (\/\S*)/.exec(first.text)?.[1]
  for (const path of [...new Set([hinted, ...CANDIDATES].filter(Boolean))]) {
    const candidate = `${url.origin}${path}`
    if (candidate === ctx.endpoint) continue
    const retry = await initialize(ctx, candidate)
    if (!retry.ok || !(answerTo(retry.messages, 'doctor-1') || retry.status === 401)) continue
    s.fail(`${given}; ${candidate} does`, {
      fix: `Give clients ${candidate} (the checks below use it)`,
      ms: first.ms,
    })
    ctx.endpoint = candidate
    const ok = (await judge(ctx, s, retry, candidate)) === 'ok'
    if (ok) await healthz(ctx, s)
    return ok
  }
  s.fail(given, {
    detail: firstLine(first),
    fix: "Give clients the MCP endpoint's URL (bare-mcp: <origin>/mcp, or MCP_PATH)",
    ms: first.ms,
  })
  return false
}

const initialize = (ctx, url) =>
  ctx.post(rpc('initialize', initializeParams(CLIENTS.doctor), 'doctor-1'), {
    url,
    version: LEGACY,
  })

/** Reads the first answer: 'ok', 'wrong-path', or 'broken' (a failure is reported). */
const judge = async (ctx, s, answer, url) => {
  const path = new URL(url).pathname
  const cloudflare = cloudflarePage(answer)
  if (cloudflare !== null) {
    s.fail(`POST ${path}: ${cloudflare.problem}`, { fix: cloudflare.fix, ms: answer.ms })
    return 'broken'
  }
  if (answer.status >= 300 && answer.status < 400) {
    const location = answer.headers.get('location') ?? '(no Location)'
    s.fail(
      `POST ${path} answers ${answer.status}, a redirect to ${location}: clients do not follow redirects with a POST`,
      {
        fix: `Give clients the final URL (${location}) instead`,
        ms: answer.ms,
      },
    )
    return 'broken'
  }
  if (
    (answer.status === 404 || answer.status === 405 || (isHtml(answer) && path === '/')) &&
    answerTo(answer.messages, 'doctor-1') === null
  ) {
    return 'wrong-path' // reported by the caller, with the endpoint it finds instead
  }
  if (isHtml(answer)) {
    s.fail(`POST ${path} answers an HTML page${titleOf(answer)}, not MCP: no client can read it`, {
      fix: 'This URL serves a website (or a login wall) in front of the server: give clients the MCP endpoint itself, and make sure nothing in front of it rewrites its answers',
      ms: answer.ms,
    })
    return 'broken'
  }
  if (answer.status === 401) {
    ctx.authRequired = true
    ctx.challenge = answer
    if (ctx.token !== undefined) {
      s.fail(`POST ${path} with the --token: 401, the token is refused`, {
        detail: `WWW-Authenticate: ${answer.headers.get('www-authenticate') ?? '(none)'}`,
        fix: 'Use a live access token or API key for this server (bound to this URL, not expired or revoked)',
        ms: answer.ms,
      })
      return 'broken'
    }
    s.ok(`POST ${path} answers 401: the server wants a token (authorization is on)`, {
      ms: answer.ms,
    })
    return 'ok'
  }
  const reply = answerTo(answer.messages, 'doctor-1')
  if (answer.status >= 500) {
    const body = safeJson(answer.text)
    s.fail(`POST ${path} answers ${shape(answer)}${body?.message ? `: "${body.message}"` : ''}`, {
      fix:
        body?.error === 'server_misconfigured'
          ? 'Correct the setting it names (README, Settings), or run the doctor with --admin-token for the full health check'
          : "Read the server's log (npx wrangler tail) for the error",
      ms: answer.ms,
    })
    return 'broken'
  }
  if (reply === null) {
    s.fail(
      `POST ${path} answers ${shape(answer)} without a JSON-RPC message: not an MCP endpoint`,
      {
        detail: firstLine(answer),
        fix:
          answer.status === 406 || answer.status === 415
            ? 'The server refuses a standard Streamable HTTP request (Accept: application/json, text/event-stream; Content-Type: application/json): it must take them'
            : 'Point clients at the MCP endpoint (bare-mcp: /mcp)',
        ms: answer.ms,
      },
    )
    return 'broken'
  }
  if ('error' in reply) {
    s.fail(`initialize (${LEGACY}) is refused: ${rpcErrorText(reply.error)}`, {
      fix: 'A server must answer initialize, negotiating a version it supports rather than refusing',
      ms: answer.ms,
    })
    return 'broken'
  }
  const info = reply.result?.serverInfo ?? {}
  ctx.serverInfo = info
  s.ok(
    `POST ${path} answers initialize: ${info.name ?? 'a server'} ${info.version ?? ''}`.trimEnd() +
      `, protocol ${reply.result?.protocolVersion ?? '?'}`,
    { ms: answer.ms },
  )
  return 'ok'
}

/** bare-mcp's cheap health answer, when there is one (informational). */
const healthz = async (ctx, s) => {
  const answer = await ctx.request(`${ctx.origin}/healthz`, { method: 'GET' })
  if (!answer.ok || answer.status === 404) return
  const body = safeJson(answer.text)
  if (answer.status === 200 && body?.status === 'ok') {
    s.ok(`GET /healthz: ok${body.version ? ` (version ${body.version})` : ''}`, { ms: answer.ms })
  } else if (body?.status === 'error') {
    s.fail(`GET /healthz: ${answer.status}, ${body.message ?? 'unhealthy'}`, {
      fix: 'Run the doctor with --admin-token <ADMIN_TOKEN> to see the deep health check',
      ms: answer.ms,
    })
  }
}

const titleOf = (answer) => {
  const title = /<title[^>]*>([^<]{0,120})/i.exec(answer.text)?.[1]?.trim()
  return title ? ` ("${title}")` : ''
}

const safeJson = (text) => {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

const firstLine = (answer) => {
  const text = answer.text.replace(/\s+/g, ' ').trim()
  return text === ''
    ? undefined
    : `The body begins: ${text.slice(0, 160)}${text.length > 160 ? '…' : ''}`
}
