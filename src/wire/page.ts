// The wire view's pages: plain HTML with one small inline script (allowed by a per-response CSP
// nonce; nothing loaded from elsewhere, no build step). The script opens /_wire/events and
// draws each exchange as it arrives, grouped by session, with the rules it exercised. It writes
// every value it shows with textContent, so nothing a client sent can become markup; the
// server-rendered parts are escaped. Pages refuse framing.

import { escapeHtml } from '../auth/html.ts'
import type { Note } from './notes.ts'

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{padding:.6rem 1rem;background:#12263a;color:#fff;display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
header h1{font-size:1.15rem;margin:0}header a{color:#cfe3ff}main{padding:0 1rem 2rem}
h2{font-size:1rem;margin:1.2rem 0 .4rem}code,pre{font:12px/1.4 ui-monospace,monospace}
pre{background:#fff;border:1px solid #ddd;padding:.4rem;overflow:auto;max-height:24rem;white-space:pre-wrap;word-break:break-all}
.session{border:1px solid #ccd;border-radius:6px;background:#fff;margin:.8rem 0;padding:.2rem .8rem}
ol{list-style:none;padding:0;margin:0}li.exchange{border-top:1px solid #eee;padding:.25rem 0}
summary{cursor:pointer}.status{font-weight:600}.bad{color:#a00}.ok{color:#070}.muted{color:#666}
a.rule{display:inline-block;font:11px ui-monospace,monospace;background:#e8eefc;color:#123;border-radius:3px;padding:0 .3rem;margin:0 .15rem;text-decoration:none}
a.rule.error{background:#fde2e2}a.rule.warning{background:#fff1c2}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
.frame{border-left:3px solid #9ab;padding-left:.4rem;margin:.2rem 0}.frame.comment{border-color:#ccc;color:#666}
#report li{margin:.3rem 0}`

/** The headers every wire view page carries; `nonce` allows its one script and stylesheet. */
export const pageHeaders = (nonce: string): Headers =>
  new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  })

const shell = (nonce: string, title: string, body: string, script = ''): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body>${body}${script === '' ? '' : `<script nonce="${nonce}">${script}</script>`}</body></html>`

/** The live page: its skeleton; the script fills it. */
export const wirePage = (nonce: string): Response =>
  new Response(
    shell(
      nonce,
      'Wire view · bare-mcp',
      `<header><h1>Wire view</h1><span id="state" role="status">connecting…</span>
<a href="/_wire/rules">rules</a><a href="/_wire/report">report (JSON)</a><a href="/_wire/exchanges">exchanges (JSON)</a></header>
<main><p class="muted">Every exchange with this server's MCP endpoints, as it crosses the wire, grouped by session. Credentials and cookies are never shown. Open an exchange to see its raw request and response; each rule id links to its row in SPEC_NOTES and to the spec.</p>
<section id="report" hidden aria-labelledby="report-title"><h2 id="report-title">Strict mode: what clients did wrong</h2><ul id="report-list"></ul></section>
<div id="sessions"></div></main>`,
      SCRIPT,
    ),
    { headers: pageHeaders(nonce) },
  )

/** The sign-in form of a public host (WIRE_VIEW=true): the admin token, typed once. */
export const signInPage = (nonce: string, status: number, error = ''): Response =>
  new Response(
    shell(
      nonce,
      'Wire view · sign in',
      `<header><h1>Wire view</h1></header><main>
<p>This server's wire view is for its operator: type the admin token (<code>ADMIN_TOKEN</code>).</p>
${error === '' ? '' : `<p role="alert" class="bad">${escapeHtml(error)}</p>`}
<form method="post" action="/_wire/login"><label for="token">Admin token</label>
<input id="token" name="token" type="password" required autocomplete="current-password" autofocus>
<button type="submit">Sign in</button></form></main>`,
    ),
    { status, headers: pageHeaders(nonce) },
  )

/** Every SPEC_NOTES.md row the build carries, each an anchor the live page links to. */
export const rulesPage = (nonce: string, notes: readonly Note[]): Response => {
  const rows = notes
    .map(
      (
        note,
      ) => `<tr id="${escapeHtml(note.id)}"><th scope="row"><code>${escapeHtml(note.id)}</code></th>
<td>${escapeHtml(note.section)}</td><td>${escapeHtml(note.revisions)}</td><td>${escapeHtml(note.rule)}</td>
<td>${escapeHtml(note.status)}</td><td>${note.spec === null ? '<span class="muted">bare-mcp convention</span>' : `<a href="${escapeHtml(note.spec)}" rel="noreferrer">spec</a>`}</td></tr>`,
    )
    .join('\n')
  return new Response(
    shell(
      nonce,
      'Rules · bare-mcp',
      `<header><h1>Rules (SPEC_NOTES.md)</h1><a href="/_wire">back to the wire view</a></header><main>
<p class="muted">The rows of SPEC_NOTES.md in this build: each rule bare-mcp implements, paraphrased, with the revisions it applies to, its status, and the spec page it cites.</p>
<table><thead><tr><th>Rule</th><th>Section</th><th>Revisions</th><th>Rule (paraphrased)</th><th>Status</th><th>Spec</th></tr></thead>
<tbody>${rows}</tbody></table></main>`,
    ),
    { headers: pageHeaders(nonce) },
  )
}

/**
 * The live page's script. It trusts nothing it draws: every value goes in through textContent
 * or an attribute, never as HTML.
 */
const SCRIPT = `
'use strict'
const $ = (tag, props = {}, ...children) => {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value
    else if (key === 'className') node.className = value
    else node.setAttribute(key, value)
  }
  for (const child of children) if (child) node.append(child)
  return node
}
const records = new Map()
const groups = new Map()
let notes = {}
const sessions = document.getElementById('sessions')
const state = document.getElementById('state')

const groupKey = (r) => r.session ?? (r.era?.era === 'modern' ? 'stateless: 2026-07-28' : 'stateless: no session')
const groupOf = (r) => {
  const key = groupKey(r)
  let group = groups.get(key)
  if (!group) {
    const title = $('h2', { text: r.session ? 'Session ' + r.session : key })
    const list = $('ol')
    const section = $('section', { className: 'session', 'data-session': key }, title, list)
    sessions.prepend(section)
    group = { title, list, key }
    groups.set(key, group)
  }
  const who = r.client ? ' · ' + r.client : ''
  const revision = r.era ? ' · ' + r.era.revision : ''
  if (r.session && (who || revision) && !group.named) {
    group.title.textContent = 'Session ' + r.session + who + revision
    group.named = Boolean(who)
  }
  return group
}
const chip = (id, level) => {
  const note = notes[id]
  const a = $('a', { className: 'rule' + (level ? ' ' + level : ''), href: '/_wire/rules#' + id, text: id, 'data-rule': id })
  if (note) a.title = note.rule
  return a
}
const headersTable = (headers) => {
  const table = $('table')
  for (const [name, value] of headers ?? []) table.append($('tr', {}, $('th', { text: name }), $('td', { text: value })))
  return table
}
const pretty = (text) => {
  if (text === null || text === undefined || text === '') return '(no body)'
  try { return JSON.stringify(JSON.parse(text), null, 2) } catch { return text }
}
const frameNode = (f) => {
  if (f.comment !== undefined) return $('div', { className: 'frame comment', text: ': ' + f.comment })
  const lines = []
  if (f.id !== undefined) lines.push('id: ' + f.id)
  if (f.event !== undefined) lines.push('event: ' + f.event)
  if (f.retry !== undefined) lines.push('retry: ' + f.retry)
  lines.push('data: ' + (f.data === undefined || f.data === '' ? '' : pretty(f.data)))
  return $('pre', { className: 'frame', text: lines.join('\\n') })
}
const detailOf = (r) => {
  const box = $('div')
  box.append($('h3', { text: 'Request' }), $('pre', { text: r.request.method + ' ' + r.request.target }), headersTable(r.request.headers))
  if (r.requestBody !== null) box.append($('pre', { className: 'body', text: pretty(r.requestBody) }))
  box.append($('h3', { text: 'Response' }))
  if (r.status === null) box.append($('p', { className: 'muted', text: 'waiting…' }))
  else {
    box.append($('pre', { text: 'HTTP ' + r.status }), headersTable(r.responseHeaders))
    if (r.responseBody !== null) box.append($('pre', { className: 'body', text: pretty(r.responseBody) }))
  }
  if (r.frames.length > 0 || r.framesDropped > 0) {
    box.append($('h3', { text: 'SSE frames' + (r.framesDropped ? ' (' + r.framesDropped + ' earlier ones not kept)' : '') }))
    for (const f of r.frames) box.append(frameNode(f))
  }
  if (r.findings.length > 0) {
    const list = $('ul')
    for (const f of r.findings) list.append($('li', {}, chip(f.rule, f.level), $('span', { text: ' ' + f.level + ': ' + f.detail })))
    box.append($('h3', { text: 'Strict mode' }), list)
  }
  const rules = $('ul')
  for (const id of r.rules) {
    const note = notes[id]
    const item = $('li', {}, chip(id), $('span', { text: note ? ' ' + note.rule + ' ' : ' ' }))
    if (note?.spec) item.append($('a', { href: note.spec, rel: 'noreferrer', text: 'spec' }))
    rules.append(item)
  }
  box.append($('h3', { text: 'Rules this exchange exercised' }), rules)
  return box
}
const render = (r) => {
  const previous = records.get(r.id)
  records.set(r.id, r)
  const group = groupOf(r)
  const open = previous?.node?.querySelector('details')?.open ?? false
  const status = r.status === null ? '…' : String(r.status)
  const summary = $('summary', {},
    $('span', { className: 'muted', text: new Date(r.startedAt).toLocaleTimeString() + ' ' }),
    $('code', { text: r.request.method + ' ' + r.request.target.split('?')[0] + ' ' }),
    $('span', { text: r.summary + ' → ' }),
    $('span', { className: 'status ' + (r.status !== null && r.status >= 400 ? 'bad' : 'ok'), text: status + ' ' }))
  for (const id of r.rules) {
    const finding = r.findings.find((f) => f.rule === id)
    summary.append(chip(id, finding?.level))
  }
  const details = $('details', {}, summary)
  details.open = open
  if (open) details.append(detailOf(r))
  details.addEventListener('toggle', () => {
    if (details.open && details.childElementCount === 1) details.append(detailOf(records.get(r.id)))
  })
  const node = $('li', { className: 'exchange', 'data-exchange': r.id, 'data-rules': r.rules.join(' ') }, details)
  if (previous?.node?.isConnected) previous.node.replaceWith(node)
  else group.list.append(node)
  r.node = node
  r.group = group
  forget()
  if (r.findings.length > 0) refreshReport()
}
// The page keeps the latest SHOWN exchanges, so a page left open stays small.
const SHOWN = 1000
const forget = () => {
  for (const [id, old] of records) {
    if (records.size <= SHOWN) break
    records.delete(id)
    old.node?.remove()
    if (old.group && old.group.list.childElementCount === 0) {
      old.group.list.parentNode?.remove()
      groups.delete(old.group.key)
    }
  }
}
let reportTimer = null
const refreshReport = () => {
  clearTimeout(reportTimer)
  reportTimer = setTimeout(async () => {
    const clients = await (await fetch('/_wire/report')).json()
    const list = document.getElementById('report-list')
    list.replaceChildren()
    for (const c of clients) {
      const item = $('li', {}, $('strong', { text: c.client }))
      const inner = $('ul')
      for (const v of c.violations) {
        inner.append($('li', {}, chip(v.rule, v.level),
          $('span', { text: ' ' + v.level + ' ×' + v.count + ': ' + v.detail + '. Fix: ' + v.fix + ' ' }),
          $('a', { href: v.spec, rel: 'noreferrer', text: 'spec' })))
      }
      item.append(inner)
      list.append(item)
    }
    document.getElementById('report').hidden = clients.length === 0
  }, 300)
}
const start = async () => {
  try { notes = await (await fetch('/_wire/notes')).json() } catch { notes = {} }
  refreshReport()
  const events = new EventSource('/_wire/events')
  events.addEventListener('open', () => { state.textContent = 'live' })
  events.addEventListener('error', () => { state.textContent = 'reconnecting…' })
  events.addEventListener('exchange', (event) => render(JSON.parse(event.data)))
}
start()
`
