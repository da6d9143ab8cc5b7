// The observer behind the operation log and the metrics: when an exchange ends, its operations
// (operations.ts) each become a log line (log.ts) and a data point (points.ts), after the
// response has gone (nothing here adds to its latency). One line per operation:
//
//   {"time":"2026-12-03T10:31:02.114Z","level":"info","kind":"operation",
//    "mcp.method.name":"tools/call","gen_ai.operation.name":"execute_tool",
//    "gen_ai.tool.name":"add","jsonrpc.request.id":"3","mcp.protocol.version":"2025-11-25",
//    "mcp.transport":"streamable-http","network.protocol.name":"http",
//    "http.request.method":"POST","url.path":"/mcp","http.response.status_code":200,
//    "duration_ms":3,"mcp.client.name":"inspector","mcp.client.version":"0.17.2",
//    "mcp.tool.arguments.size":13,"mcp.tool.arguments.sha256":"3f1c9a0b7e2d4c11",
//    "mcp.tool.result.size":52,"mcp.tool.result.sha256":"9a77c0e1d2b3f405"}

import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import { digestPrefix, utf8 } from './digest.ts'
import type { Exchange, Frame, Observer } from './exchange.ts'
import { keepPoint } from './local-stats.ts'
import { logs, writeLine, type Fields, type Level } from './log.ts'
import { operationsOf, type Operation } from './operations.ts'
import { datasetOf, writePoint, type Point } from './points.ts'
import { traceIdOf } from './trace.ts'

/** JSON-RPC's internal error: a fault of the server, not of the request. */
const INTERNAL_ERROR = -32603

/** An operation's level: a server fault is an error, any other failure a warning. */
export const levelOf = (op: Operation): Level => {
  if (op.kind === 'response') return 'debug'
  if (op.errorType === null) return 'info'
  return (op.status ?? 0) >= 500 || op.code === INTERNAL_ERROR ? 'error' : 'warn'
}

/** Measured and digested arguments and result (null where there were none, or no line). */
interface Sized {
  argumentBytes: number
  resultBytes: number
  argumentDigest: string | null
  resultDigest: string | null
}

/** The log line of an operation. */
export const operationFields = (op: Operation, sized: Sized): Fields => ({
  kind: 'operation',
  'mcp.method.name': op.method,
  'gen_ai.operation.name': op.method === 'tools/call' ? 'execute_tool' : null,
  'gen_ai.tool.name': op.tool,
  'gen_ai.prompt.name': op.prompt,
  'mcp.resource.uri': op.resource,
  'jsonrpc.request.id': op.id,
  'mcp.protocol.version': op.revision,
  'mcp.session.id': op.session,
  'mcp.transport': op.transport,
  'network.protocol.name': 'http',
  'http.request.method': op.httpMethod,
  'url.path': op.path,
  'http.response.status_code': op.status,
  'rpc.response.status_code': op.code === null ? null : String(op.code),
  'error.type': op.errorType,
  duration_ms: op.durationMs,
  'mcp.client.name': op.client?.name,
  'mcp.client.version': op.client?.version,
  'enduser.id': op.subject,
  'oauth.client.id': op.clientId,
  'enduser.auth': op.via,
  'client.address': op.address,
  'mcp.tool.arguments.size': op.arguments === null ? null : sized.argumentBytes,
  'mcp.tool.arguments.sha256': sized.argumentDigest,
  'mcp.tool.result.size': op.result === null ? null : sized.resultBytes,
  'mcp.tool.result.sha256': sized.resultDigest,
  traceparent: op.traceparent,
  trace_id: op.traceparent === null ? null : traceIdOf(op.traceparent),
})

/** The data point of an operation. */
export const operationPoint = (op: Operation, sized: Sized, at: number): Point => ({
  kind: 'op',
  name: op.name,
  target: op.tool ?? op.prompt ?? '',
  ok: op.errorType === null,
  errorType: op.errorType ?? '',
  client: op.client?.name ?? '',
  clientVersion: op.client?.version ?? '',
  revision: op.revision ?? '',
  transport: op.transport,
  via: op.via ?? '',
  durationMs: op.durationMs,
  status: op.status ?? 0,
  argumentBytes: sized.argumentBytes,
  resultBytes: sized.resultBytes,
  at,
})

/** Runs `work` once the current task is done: after the response has been handed on. */
const afterResponse = (work: () => Promise<void>): Promise<void> =>
  new Promise<void>((resolve) => setTimeout(resolve, 0)).then(work)

/** What a server-sent message on a stream is, at debug (never its params or result). */
const messageFields = (exchange: Exchange, frame: Frame): Fields | null => {
  if (frame.data === undefined || !frame.data.startsWith('{')) return null
  let message: { method?: unknown; id?: unknown; error?: { code?: unknown } }
  try {
    message = JSON.parse(frame.data) as typeof message
  } catch {
    return null
  }
  return {
    kind: 'message',
    'mcp.method.name': typeof message.method === 'string' ? message.method : null,
    'jsonrpc.request.id':
      typeof message.id === 'string' || typeof message.id === 'number' ? String(message.id) : null,
    'rpc.response.status_code':
      typeof message.error?.code === 'number' ? String(message.error.code) : null,
    'mcp.session.id': exchange.session,
    'url.path': exchange.request.target.split('?')[0],
    'message.size': utf8(frame.data).byteLength,
  }
}

/**
 * The observer that logs and counts operations, per the settings: null when SERVER_LOG_LEVEL is
 * off and METRICS false (then nothing is observed for them at all).
 */
export const operationsObserver = (env: Env, config: Config): Observer | null => {
  const threshold = config.SERVER_LOG_LEVEL
  const sampleRate = config.SERVER_LOG_SAMPLE_RATE
  const metrics = config.METRICS
  if (threshold === 'off' && !metrics) return null
  const dataset = metrics ? datasetOf(env) : null
  const capacity = metrics ? config.LOCAL_STATS_MAX : 0
  /** Whole JSON bodies, until their exchange ends. */
  const bodies = new WeakMap<Exchange, string>()

  const observe = async (exchange: Exchange, body: string | null): Promise<void> => {
    const at = exchange.endedAt ?? Date.now()
    for (const op of operationsOf(exchange, body)) {
      const level = levelOf(op)
      const logged =
        logs(threshold, level) &&
        (level !== 'info' || sampleRate >= 1 || Math.random() < sampleRate)
      const args = op.arguments === null ? null : utf8(op.arguments)
      const result = op.result === null ? null : utf8(op.result)
      const sized: Sized = {
        argumentBytes: args?.byteLength ?? 0,
        resultBytes: result?.byteLength ?? 0,
        argumentDigest: logged && args !== null ? await digestPrefix(args) : null,
        resultDigest: logged && result !== null ? await digestPrefix(result) : null,
      }
      if (metrics && op.kind !== 'response') {
        const point = operationPoint(op, sized, at)
        if (dataset !== null) writePoint(dataset, point)
        keepPoint(point, capacity)
      }
      if (logged) writeLine(level, operationFields(op, sized))
    }
  }

  return {
    response: (exchange, body) => void bodies.set(exchange, body),
    ...(logs(threshold, 'debug')
      ? {
          frame: (exchange: Exchange, frame: Frame) => {
            const fields = messageFields(exchange, frame)
            if (fields !== null) writeLine('debug', fields)
          },
        }
      : {}),
    end: (exchange) => {
      const body = bodies.get(exchange) ?? null
      bodies.delete(exchange)
      return afterResponse(() => observe(exchange, body))
    },
  }
}
