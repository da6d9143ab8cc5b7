// One HTTP exchange the way an MCP client makes it, timed: never following redirects (a client
// that POSTs does not), bounded in time and size, with the answer read as JSON-RPC whether it came
// as `application/json` or as an SSE stream. Network and TLS failures come back as words and a
// fix, never as a thrown error.
//
//   const answer = await exchange(url, { body: message, headers })
//   answer.ok        false when nothing came back (answer.problem says why, answer.fix what to do)
//   answer.status, answer.headers, answer.text, answer.messages, answer.ms

import { randomUUID } from 'node:crypto'

/** The most of a body the doctor reads: enough for any tools/list, not a runaway stream. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

/** `application/json, text/event-stream`: what every Streamable HTTP client sends. */
export const ACCEPT_BOTH = 'application/json, text/event-stream'

/** A JSON-RPC request value. */
export const rpc = (method, params, id = randomUUID().slice(0, 8)) =>
  params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }

/** A JSON-RPC notification value. */
export const notification = (method, params) =>
  params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }

/**
 * Sends one request. `body` (a value) is sent as JSON. `until(text)` stops reading once it is
 * true (for streams that stay open); `read: false` reads nothing after the headers.
 */
export const exchange = async (
  url,
  { method = 'POST', headers = {}, body, timeoutMs = 10_000, until, read = true } = {},
) => {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs)
  const init = { method, headers: { ...headers }, redirect: 'manual', signal: controller.signal }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    init.headers['content-type'] ??= 'application/json'
  }
  let response
  try {
    response = await fetch(url, init)
  } catch (error) {
    clearTimeout(timer)
    return { ok: false, ms: elapsed(), ...networkProblem(error, url, timeoutMs) }
  }
  let text = ''
  let truncated = false
  try {
    if (read && response.body !== null) {
      const decoder = new TextDecoder()
      let bytes = 0
      for await (const chunk of response.body) {
        bytes += chunk.byteLength
        text += decoder.decode(chunk, { stream: true })
        if (bytes > MAX_BODY_BYTES) {
          truncated = true
          break
        }
        if (until !== undefined && until(text)) break
      }
    }
  } catch (error) {
    // A stream cut short (the timeout, a reset): keep what arrived; the caller judges it.
    truncated = controller.signal.aborted || error instanceof Error
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
  const contentType = response.headers.get('content-type') ?? ''
  return {
    ok: true,
    status: response.status,
    headers: response.headers,
    contentType,
    text,
    truncated,
    ms: elapsed(),
    messages: messagesOf(contentType, text),
  }
}

/** The JSON-RPC messages in a body: an SSE stream's `data:` events, or a JSON value. */
export const messagesOf = (contentType, text) => {
  const type = contentType.split(';')[0].trim().toLowerCase()
  if (type === 'text/event-stream') {
    const found = []
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
      if (data.length === 0) continue
      try {
        found.push(JSON.parse(data.join('\n')))
      } catch {
        // a data line that is not JSON: not a JSON-RPC message
      }
    }
    return found
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      const value = JSON.parse(text)
      return Array.isArray(value) ? value : [value]
    } catch {
      return []
    }
  }
  return []
}

/** The answer to request `id` among `messages`: `{result}`, `{error}`, or null. */
export const answerTo = (messages, id) =>
  messages.find(
    (message) =>
      typeof message === 'object' &&
      message !== null &&
      message.id === id &&
      ('result' in message || 'error' in message),
  ) ?? null

/** Whether a body is a web page rather than anything an MCP client can read. */
export const isHtml = (answer) =>
  /^text\/html/i.test(answer.contentType) || /^\s*<(!doctype|html)/i.test(answer.text)

/** What a Cloudflare-generated page in front of the Worker means, if it is one. */
export const cloudflarePage = (answer) => {
  if (
    answer.headers.get('cf-mitigated') === 'challenge' ||
    /challenge-platform|Just a moment/i.test(answer.text)
  ) {
    return {
      problem: 'Cloudflare answers with a bot challenge page, which no MCP client can solve',
      fix: 'In the Cloudflare dashboard, turn off Bot Fight Mode for this hostname, or add a WAF skip rule for the MCP path; AI Crawl Control also blocks openai-mcp and Claude-User',
    }
  }
  const location = answer.headers.get('location') ?? ''
  if (/cloudflareaccess\.com/i.test(location) || answer.headers.has('cf-access-domain')) {
    return {
      problem:
        'Cloudflare Access stands in front of the endpoint and sends clients to its login page',
      fix: 'Exclude the MCP path from the Access application (a bypass policy), and use AUTH=true for sign-in instead',
    }
  }
  if (answer.headers.has('cf-ray') && answer.status === 403 && isHtml(answer)) {
    return {
      problem:
        'A Cloudflare security rule (WAF, Bot Fight Mode or AI Crawl Control) blocks the request',
      fix: 'Check Security > Events in the Cloudflare dashboard for this request and add a skip rule for the MCP path',
    }
  }
  return null
}

/** Words and a fix for a request that got no answer at all. */
export const networkProblem = (error, url, timeoutMs) => {
  const cause = error?.cause ?? error
  const code = cause?.code ?? ''
  const host = new URL(url).host
  const problems = {
    ECONNREFUSED: [
      `Nothing listens at ${host} (connection refused)`,
      'Start the server (npm start), or check the host and port',
    ],
    ENOTFOUND: [
      `The name ${new URL(url).hostname} does not resolve (DNS)`,
      'Check the spelling; a new workers.dev subdomain or custom domain can take a few minutes to appear',
    ],
    EAI_AGAIN: [
      `The name ${new URL(url).hostname} could not be resolved right now (DNS)`,
      'Check your network and try again',
    ],
    ECONNRESET: [
      `${host} closed the connection without answering`,
      'A firewall or proxy may be cutting MCP traffic; try from another network',
    ],
    UND_ERR_CONNECT_TIMEOUT: [
      `${host} did not accept a connection in time`,
      'Check that the host is reachable from the internet (OpenAI and Anthropic connect from their servers)',
    ],
    CERT_HAS_EXPIRED: [`The TLS certificate of ${host} has expired`, 'Renew the certificate'],
    DEPTH_ZERO_SELF_SIGNED_CERT: [
      `${host} presents a self-signed TLS certificate, which ChatGPT, Claude and the Responses API refuse`,
      'Use a publicly trusted certificate (workers.dev and Cloudflare custom domains have one)',
    ],
    SELF_SIGNED_CERT_IN_CHAIN: [
      `The TLS certificate chain of ${host} ends in a self-signed root`,
      'Use a publicly trusted certificate',
    ],
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: [
      `The TLS certificate of ${host} cannot be verified (incomplete chain)`,
      'Serve the full certificate chain',
    ],
    ERR_TLS_CERT_ALTNAME_INVALID: [
      `The TLS certificate does not cover ${new URL(url).hostname}`,
      'Use the hostname the certificate was issued for, or add this one to it',
    ],
    ERR_SSL_WRONG_VERSION_NUMBER: [
      `${host} does not speak TLS on this port (https to a plain http server)`,
      'Use http:// for a local server, or put it behind TLS',
    ],
    EPROTO: [`The TLS handshake with ${host} failed`, 'Check that the port serves https'],
  }
  if (
    error?.name === 'AbortError' ||
    error?.name === 'TimeoutError' ||
    /timeout/.test(String(cause?.message))
  ) {
    return {
      problem: `No answer from ${host} within ${timeoutMs / 1000} s`,
      fix: 'A client gives up as well: check the server, or raise --timeout if it is just slow',
    }
  }
  const [problem, fix] = problems[code] ?? [
    `The request to ${host} failed: ${cause?.message ?? String(error)}${code ? ` (${code})` : ''}`,
    'Check the URL and that the server is reachable from here',
  ]
  return { problem, fix }
}

/** Seconds-free summary of an answer for a report line: "200 text/event-stream". */
export const shape = (answer) =>
  answer.ok
    ? `${answer.status}${answer.contentType ? ` ${answer.contentType.split(';')[0]}` : ''}`
    : 'no answer'
