// bare-mcp's deep health check (GET /admin/health behind ADMIN_TOKEN, src/ops/health.ts), read
// into the report when --admin-token is given: each Durable Object binding and every settings
// problem the server sees from the inside, which no outside request can tell.

import { addSection } from './report.mjs'
import { shape } from './probe.mjs'

export const checkHealth = async (ctx) => {
  const s = addSection(ctx.report, 'Server health (GET /admin/health, from the inside)')
  const answer = await ctx.request(`${ctx.origin}/admin/health`, {
    method: 'GET',
    headers: { authorization: `Bearer ${ctx.adminToken}`, accept: 'application/json' },
  })
  if (!answer.ok) {
    s.fail(`GET /admin/health: ${answer.problem}`, { fix: answer.fix, ms: answer.ms })
    return
  }
  let report = null
  try {
    report = JSON.parse(answer.text)
  } catch {
    report = null
  }
  if (answer.status === 401 || (answer.status === 503 && report?.error === 'admin_disabled')) {
    s.fail(`GET /admin/health: ${answer.status}, ${report?.message ?? 'refused'}`, {
      fix:
        answer.status === 401
          ? "Pass the server's ADMIN_TOKEN with --admin-token"
          : 'Set ADMIN_TOKEN on the server (wrangler secret put ADMIN_TOKEN)',
      ms: answer.ms,
    })
    return
  }
  if (!Array.isArray(report?.checks)) {
    s.info(`GET /admin/health: ${shape(answer)}, not a bare-mcp health report`)
    return
  }
  for (const check of report.checks) {
    const text = `${check.name}: ${check.message}`
    const extra = {
      ...(check.fix ? { fix: check.fix } : {}),
      ...(check.ms !== undefined ? { ms: check.ms } : {}),
    }
    if (check.status === 'error') s.fail(text, extra)
    else if (check.status === 'warning') s.warn(text, extra)
    else if (check.status === 'skipped') s.skip(text, extra)
    else s.ok(text, extra)
  }
}
