// W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header): a client that
// traces its calls sends `traceparent`, in the request's `params._meta` (SEP-414; the
// OpenTelemetry conventions for MCP carry it there, unprefixed) or as an HTTP header. The log
// line carries it, so the server's line joins the client's trace. Only a well-formed value is
// kept: anything else a client sends there is not written to the log.
//
//   traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//                version-trace id (32 hex)-parent span id (16 hex)-flags

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** A well-formed traceparent (version not ff, ids not all zero), or null. */
export const traceparentOf = (value: unknown): string | null => {
  if (typeof value !== 'string') return null
  const match = TRACEPARENT.exec(value.trim())
  if (match === null || match[1] === 'ff') return null
  if (/^0+$/.test(match[2]!) || /^0+$/.test(match[3]!)) return null
  return match[0]
}

/** The trace id of a well-formed traceparent. */
export const traceIdOf = (traceparent: string): string => traceparent.slice(3, 35)
