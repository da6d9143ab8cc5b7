// URL-mode elicitation: sending the user to a web page for a step that must not pass through the
// client (connecting a third-party account, a payment, an API key). The page is the server's;
// the client only shows the URL and, with consent, opens it. Two ways to ask:
//
// - `ctx.ask({method: 'elicitation/create', params: {mode: 'url', message, url, elicitationId}})`
//   in the middle of a call (a request on the call's stream, or an MRTR round in 2026-07-28);
// - `throw new UrlElicitationRequired([{elicitationId, url, message}])` to end the request at
//   once; in 2025-11-25 that is the -32042 error, and the client retries after the visit:
//
//   <- {"jsonrpc":"2.0","id":2,"error":{"code":-32042,"message":"...","data":{"elicitations":
//       [{"mode":"url","message":"Connect your account.","elicitationId":"e-17",
//       "url":"https://example.com/connect?e=e-17"}]}}}
//
// When the page reports the step done, the server MAY tell the client that asked (and only that
// client) with `notifications/elicitation/complete`, on the call's stream while the call runs,
// else on the session's GET stream:
//
//   <- {"jsonrpc":"2.0","method":"notifications/elicitation/complete","params":{"elicitationId":"e-17"}}
//
// 2026-07-28 has neither the error (R-JR-14: MUST NOT emit -32042) nor the notification, and its
// URL elicitations carry no `elicitationId` (R-SF-46): the question is an `input_required`
// round, and the client's retry tells the tool to look again whether the step is done.
//
// R-SF-42 · https://modelcontextprotocol.io/specification/2025-11-25/client/elicitation#url-elicitation-required-error
// R-SF-46 · https://modelcontextprotocol.io/specification/2026-07-28/client/elicitation#url-mode-flow

import { ErrorCode, JsonRpcError } from '../jsonrpc/errors.ts'
import { notification, type JSONRPCNotification } from '../jsonrpc/message.ts'
import type { RequestContext } from './context.ts'
import { allows, forModern, InputRequired, type InputRequest, type Inputs } from './mrtr.ts'
import { rules } from './revisions.ts'

/** One URL the user must visit: the 2025-11-25 `ElicitRequestURLParams` without `mode`. */
export interface UrlElicitation {
  /** Unique within the server; put it in `url` to find the step again when the page loads. */
  elicitationId: string
  /** An absolute URL, with no credentials or personal data in it, and not pre-authenticated. */
  url: string
  /** Why the user should go there. */
  message: string
}

/**
 * Thrown by a tool, a prompt's `get` or a resource's `read` when the request cannot go on until
 * the user has visited these URLs. In 2025-11-25 the request fails with -32042 listing them
 * (clients that declared `elicitation.url` only); in 2026-07-28 it is an `input_required` round
 * asking them; any other client gets a tool error (prompts, resources: -32603) with the message
 * and URL in words.
 */
export class UrlElicitationRequired extends Error {
  readonly elicitations: readonly UrlElicitation[]
  constructor(elicitations: readonly UrlElicitation[]) {
    if (elicitations.length === 0) throw new TypeError('UrlElicitationRequired needs a URL')
    for (const { elicitationId, url } of elicitations) {
      if (elicitationId === '') throw new TypeError('An elicitationId must not be empty')
      // R-SF-42: "The url parameter MUST contain a valid URL."
      if (!URL.canParse(url)) throw new TypeError(`"${url}" is not an absolute URL`)
    }
    super(`URL elicitation required: ${elicitations.map((e) => e.elicitationId).join(', ')}`)
    this.elicitations = elicitations
  }
}

/** The capability a URL-mode question needs: `elicitation: {url: {}}`. */
const URL_MODE: InputRequest = { method: 'elicitation/create', params: { mode: 'url' } }

/** The `elicitation/create` params of a URL elicitation, in the schema's order. */
const urlParams = ({ elicitationId, url, message }: UrlElicitation) => ({
  mode: 'url',
  message,
  elicitationId,
  url,
})

/** The `elicitationId` of a URL-mode `elicitation/create` request, if it is one. */
export const urlElicitationId = (method: string, params: Record<string, unknown>): string | null =>
  method === 'elicitation/create' &&
  params.mode === 'url' &&
  typeof params.elicitationId === 'string'
    ? params.elicitationId
    : null

/** `notifications/elicitation/complete` for `elicitationId` (2025-11-25). */
export const elicitationComplete = (elicitationId: string): JSONRPCNotification =>
  notification('notifications/elicitation/complete', { elicitationId })

/**
 * What a handler's `UrlElicitationRequired` becomes for this request: the `input_required`
 * result (2026-07-28), or a thrown -32042 (2025-11-25) or -32021 (2026-07-28 without the
 * capability). Null when the client cannot be told this way (it did not declare
 * `elicitation.url`, an older revision, or a request without a session, whose capabilities are
 * unknown): the caller then fails in words.
 */
export const urlElicitationRequired = async (
  required: UrlElicitationRequired,
  ctx: RequestContext,
  asking: Inputs | null,
): Promise<Record<string, unknown> | null> => {
  const declared = ctx.clientCapabilities
  if (asking !== null) {
    // R-JR-14: never -32042 in 2026-07-28; the same questions as one MRTR round (R-SF-46).
    const requests: Record<string, InputRequest> = {}
    required.elicitations.forEach((elicitation, index) => {
      requests[`url${index}`] = forModern({
        method: 'elicitation/create',
        params: urlParams(elicitation),
      })
    })
    if (declared === null || !allows(declared, URL_MODE)) {
      throw new JsonRpcError({
        code: ErrorCode.MissingRequiredClientCapability,
        message: 'This request needs the client capability for elicitation/create',
        data: { requiredCapabilities: { elicitation: { url: {} } } },
      })
    }
    return asking.required(new InputRequired(requests))
  }
  // R-JR-14, R-SF-42: -32042 in 2025-11-25 only, to a client that declared URL mode.
  if (!rules(ctx.revision).urlElicitationIds || declared === null || !allows(declared, URL_MODE)) {
    return null
  }
  for (const { elicitationId } of required.elicitations)
    ctx.session?.issueElicitation(elicitationId)
  throw new JsonRpcError({
    code: ErrorCode.UrlElicitationRequired,
    message: 'This request requires more information: the user must visit a URL first',
    data: { elicitations: required.elicitations.map(urlParams) },
  })
}

/** The words for a client that cannot be sent to a URL by the protocol. */
export const describeUrlElicitations = (required: UrlElicitationRequired): string =>
  required.elicitations
    .map(({ message, url }) => `${message} Open ${url} to continue, then try again.`)
    .join(' ')
