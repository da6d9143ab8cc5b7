// The MCP Inspector in Direct mode (CLIENTS.md C6): a web page on http://localhost:6274, so every
// request is a browser's cross-origin request. The preflight must allow the MCP headers, and
// answers must expose `Mcp-Session-Id` (or the client never learns its session) and
// `WWW-Authenticate` (or it cannot start OAuth, D.15). "Via Proxy" mode needs none of this.

import { addSection } from './report.mjs'
import { CLIENTS, LEGACY, initializeParams } from './context.mjs'
import { answerTo, rpc, shape } from './probe.mjs'

const inspector = CLIENTS.inspector
const WANTED = [
  'content-type',
  'authorization',
  'mcp-protocol-version',
  'mcp-session-id',
  'mcp-method',
  'mcp-name',
  'last-event-id',
]

const list = (value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '')

const allowsOrigin = (answer) => {
  const allowed = answer.headers.get('access-control-allow-origin')
  return allowed === '*' || allowed === inspector.origin
}

export const checkInspector = async (ctx) => {
  const s = addSection(ctx.report, 'MCP Inspector (Direct mode, from a browser)', 'Inspector')
  const fixOrigin =
    'Allow the Inspector\'s origin (bare-mcp: ALLOW_LOCALHOST_ORIGINS=true, the default, or ALLOWED_ORIGINS), or use its "Via Proxy" mode'

  const preflight = await ctx.request(ctx.endpoint, {
    method: 'OPTIONS',
    headers: {
      origin: inspector.origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': WANTED.join(', '),
      'user-agent': inspector.userAgent,
    },
  })
  if (!preflight.ok) {
    s.fail(`CORS preflight: ${preflight.problem}`, { fix: preflight.fix, ms: preflight.ms })
    return
  }
  if (preflight.status >= 300 || !allowsOrigin(preflight)) {
    s.fail(
      `CORS preflight from ${inspector.origin}: ${shape(preflight)}, origin ${preflight.headers.get('access-control-allow-origin') ?? 'not allowed'}`,
      {
        fix: fixOrigin,
        ms: preflight.ms,
      },
    )
    return
  }
  const allowed = list(preflight.headers.get('access-control-allow-headers'))
  const missing = allowed.includes('*') ? [] : WANTED.filter((header) => !allowed.includes(header))
  const methods = list(preflight.headers.get('access-control-allow-methods'))
  if (missing.length > 0) {
    s.fail(
      `CORS preflight: ${preflight.status}, but the headers ${missing.join(', ')} are not allowed`,
      {
        fix: `Add them to Access-Control-Allow-Headers (browser clients send them on every request)`,
        ms: preflight.ms,
      },
    )
  } else if (methods.length > 0 && !methods.includes('post') && !methods.includes('*')) {
    s.fail(`CORS preflight: ${preflight.status}, but POST is not an allowed method`, {
      fix: 'List POST (and GET, DELETE) in Access-Control-Allow-Methods',
      ms: preflight.ms,
    })
  } else {
    s.ok(`CORS preflight from ${inspector.origin}: ${preflight.status}, the MCP headers allowed`, {
      ms: preflight.ms,
    })
  }

  const init = rpc('initialize', initializeParams(inspector, LEGACY))
  const answer = await ctx.post(init, { client: inspector, headers: { origin: inspector.origin } })
  if (!answer.ok) {
    s.fail(`POST with Origin: ${answer.problem}`, { fix: answer.fix, ms: answer.ms })
    return
  }
  if (!allowsOrigin(answer)) {
    s.fail(
      `POST with Origin ${inspector.origin}: ${shape(answer)} without Access-Control-Allow-Origin, so the browser hides the answer`,
      {
        fix: fixOrigin,
        ms: answer.ms,
      },
    )
    return
  }
  const exposed = list(answer.headers.get('access-control-expose-headers'))
  const needs = []
  if (answer.headers.has('mcp-session-id')) needs.push('mcp-session-id')
  if (answer.status === 401) needs.push('www-authenticate')
  const hidden = exposed.includes('*') ? [] : needs.filter((header) => !exposed.includes(header))
  if (hidden.length > 0) {
    s.fail(
      `POST with Origin: ${answer.status}, but ${hidden.join(' and ')} ${hidden.length > 1 ? 'are' : 'is'} not exposed, so the page cannot read ${hidden.length > 1 ? 'them' : 'it'}`,
      {
        fix: `Add ${hidden.join(', ')} to Access-Control-Expose-Headers`,
        ms: answer.ms,
      },
    )
  } else if (answer.status === 401) {
    s.ok(
      'POST with Origin: 401 readable by the page (WWW-Authenticate exposed), so it can start OAuth',
      { ms: answer.ms },
    )
  } else if (answerTo(answer.messages, init.id)?.result !== undefined) {
    s.ok(
      `POST with Origin: ${shape(answer)}, readable by the page${needs.length ? ' (Mcp-Session-Id exposed)' : ''}`,
      {
        ms: answer.ms,
      },
    )
  } else {
    s.fail(`POST with Origin: ${shape(answer)}`, {
      fix: 'Answer initialize from a browser origin as from any other client',
      ms: answer.ms,
    })
  }
}
