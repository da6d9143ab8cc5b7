// BM-FUZZ-4: sequences through the real Worker that keep state between requests. A legacy
// session (initialize, the session id, hostile follow-ups of every kind: POSTs, batches, GET
// streams with Last-Event-ID, answers to the server's own requests, DELETE), and a 2026-07-28
// call that asks the client (input_required) retried with tampered state and answers. Every
// response passes expectSound; a deleted session stays deleted; the server still answers.

import fc from 'fast-check'
import { expect, test } from 'vitest'
import {
  checkAsync,
  expectSound,
  runs,
  stillAnswers,
  timeoutFor,
  withLiveness,
  type Seen,
} from '../helpers/fuzz.ts'
import {
  changeState,
  CLIENT,
  MODERN,
  mrtrSequence,
  mutateHeaders,
  nameHeader,
  sendHostile,
  sessionSequence,
  toJson,
  withMeta,
  type HostileRequest,
  type SessionRef,
  type SessionSequence,
} from '../helpers/hostile.ts'

const FORGED = 's0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

/** What the client has learnt from the server so far in one session. */
interface Learnt {
  session: string | null
  revision: string | null
  /** Event ids seen on any stream of the session. */
  eventIds: string[]
  /** Ids of requests the server sent the client (elicitation, sampling, roots). */
  asked: (string | number)[]
}

const learn = (learnt: Learnt, seen: Seen): void => {
  for (const event of seen.events)
    if (event.lastEventId !== '') learnt.eventIds.push(event.lastEventId)
  for (const value of seen.json) {
    for (const message of Array.isArray(value) ? value : [value]) {
      const m = message as { id?: unknown; method?: unknown }
      if (typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number'))
        learnt.asked.push(m.id)
    }
  }
}

/** `headers` with the session id `ref` names (or none). */
const withSession = (
  headers: Record<string, string>,
  ref: SessionRef,
  learnt: Learnt,
): Record<string, string> => {
  const { 'mcp-session-id': _, ...rest } = headers
  if (ref === 'none') return rest
  return { ...rest, 'mcp-session-id': ref === 'real' ? (learnt.session ?? FORGED) : FORGED }
}

const versionHeader = (ref: string, learnt: Learnt): Record<string, string> => {
  if (ref === 'none') return {}
  if (ref === 'negotiated')
    return learnt.revision === null ? {} : { 'mcp-protocol-version': learnt.revision }
  return { 'mcp-protocol-version': ref }
}

/** A call in a session may ask the client and wait for the answer: greet does. */
const mayAsk = (r: HostileRequest) => (r.body ?? '').includes('greet')

const runSession = async (seq: SessionSequence): Promise<void> => {
  const learnt: Learnt = { session: null, revision: null, eventIds: [], asked: [] }
  const init = await expectSound(
    sendHostile({
      method: 'POST',
      path: seq.path,
      headers: mutateHeaders(CLIENT, seq.initHeaders),
      body: toJson(seq.init),
      mayStayOpen: false,
    }),
    { mayStayOpen: false, rpc: true },
  )
  learnt.session = init.headers.get('mcp-session-id')
  const result = (init.json[0] as { result?: { protocolVersion?: unknown } } | undefined)?.result
  if (typeof result?.protocolVersion === 'string') learnt.revision = result.protocolVersion
  learn(learnt, init)
  const base = () => ({
    ...CLIENT,
    ...(learnt.session === null ? {} : { 'mcp-session-id': learnt.session }),
    ...(learnt.revision === null ? {} : { 'mcp-protocol-version': learnt.revision }),
  })
  await expectSound(
    sendHostile({
      method: 'POST',
      path: seq.path,
      headers: base(),
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      mayStayOpen: false,
    }),
    { mayStayOpen: false, rpc: true },
  )

  let deleted = false
  for (const step of seq.steps) {
    let request: HostileRequest
    if (step.kind === 'post') {
      const { 'mcp-protocol-version': _, ...headers } = step.request.headers
      request = {
        ...step.request,
        path: seq.path,
        headers: withSession(
          { ...headers, ...versionHeader(step.version, learnt) },
          step.session,
          learnt,
        ),
        mayStayOpen: mayAsk(step.request),
      }
    } else if (step.kind === 'get') {
      const last = learnt.eventIds.at(-1)
      const lastEventId =
        step.lastEventId === 'none' || last === undefined
          ? undefined
          : step.lastEventId === 'seen'
            ? last
            : step.lastEventId === 'bumped'
              ? last.replace(/\d+$/, (n) => String(Number(n) + 1_000))
              : step.lastEventId
      request = {
        method: 'GET',
        path: seq.path,
        headers: withSession(
          {
            accept: 'text/event-stream',
            ...versionHeader('negotiated', learnt),
            ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
          },
          step.session,
          learnt,
        ),
        mayStayOpen: true,
      }
    } else if (step.kind === 'delete') {
      request = {
        method: 'DELETE',
        path: seq.path,
        headers: withSession(base(), step.session, learnt),
        mayStayOpen: false,
      }
    } else {
      const id = learnt.asked.at(-1) ?? 'never-asked'
      request = {
        method: 'POST',
        path: seq.path,
        headers: withSession(base(), step.session, learnt),
        body: toJson({ jsonrpc: '2.0', id, result: step.result }),
        mayStayOpen: false,
      }
    }
    const seen = await expectSound(sendHostile(request), {
      mayStayOpen: request.mayStayOpen,
      rpc: true,
      head: false,
    })
    learn(learnt, seen)
    if (step.kind === 'delete' && step.session === 'real' && seen.status === 204) deleted = true
  }

  // DELETE ends the session (R-HT-15); afterwards its id is unknown (R-HT-14).
  if (learnt.session !== null && !deleted) {
    const end = await expectSound(
      sendHostile({ method: 'DELETE', path: seq.path, headers: base(), mayStayOpen: false }),
      { mayStayOpen: false, rpc: true },
    )
    expect(end.status, 'DELETE of a live session').toBe(204)
  }
  if (learnt.session !== null) {
    const after = await expectSound(
      sendHostile({
        method: 'POST',
        path: seq.path,
        headers: base(),
        body: '{"jsonrpc":"2.0","id":"after","method":"ping"}',
        mayStayOpen: false,
      }),
      { mayStayOpen: false, rpc: true },
    )
    expect(after.status, 'a request in a deleted session').toBe(404)
  }
}

const SESSIONS = 120
test(
  `BM-FUZZ-4 legacy sessions: initialize, hostile POSTs, batches, GET streams, answers and DELETE never get a 5xx, a leak or a hang (${runs(SESSIONS)} sequences)`,
  async () => {
    await checkAsync(fc.asyncProperty(sessionSequence, withLiveness(runSession)), SESSIONS)
    await stillAnswers()
  },
  timeoutFor(SESSIONS, 600),
)

/** The modern request for a greet call in `round`, with the state and answers it asks for. */
const greetCall = (
  meta: Record<string, unknown>,
  extra: Record<string, unknown>,
  name: unknown,
  mutation: Parameters<typeof mutateHeaders>[1],
): HostileRequest => {
  const body = withMeta(
    { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: {}, ...extra } },
    meta,
  )
  return {
    method: 'POST',
    path: '/mcp',
    headers: mutateHeaders(
      {
        ...CLIENT,
        'mcp-protocol-version': MODERN,
        'mcp-method': 'tools/call',
        ...nameHeader(name),
      },
      mutation,
    ),
    body: toJson(body),
    mayStayOpen: false,
  }
}

interface InputRequired {
  resultType?: unknown
  inputRequests?: Record<string, unknown>
  requestState?: unknown
}

const MRTR = 250
test(
  `BM-FUZZ-4 2026-07-28 input_required: retries with tampered requestState and hostile inputResponses never get a 5xx, a leak or a hang (${runs(MRTR)} sequences)`,
  async () => {
    await checkAsync(
      fc.asyncProperty(
        mrtrSequence,
        withLiveness(async ({ meta, rounds }) => {
          const first = await expectSound(
            sendHostile(greetCall(meta, {}, 'greet', { set: [], drop: [] })),
            { mayStayOpen: false, rpc: true },
          )
          let asked = (first.json[0] as { result?: InputRequired } | undefined)?.result
          const firstState = typeof asked?.requestState === 'string' ? asked.requestState : ''
          let state = firstState
          for (const round of rounds) {
            const keys = Object.keys(asked?.inputRequests ?? { q0: null })
            const responses =
              round.responses === 'answer'
                ? Object.fromEntries(
                    keys.map((k) => [k, { action: 'accept', content: { name: 'Ada' } }]),
                  )
                : round.responses === 'decline'
                  ? Object.fromEntries(keys.map((k) => [k, { action: 'decline' }]))
                  : round.responses === 'none'
                    ? undefined
                    : round.responses
            const sentState = changeState(round.state, state, firstState)
            const seen = await expectSound(
              sendHostile(
                greetCall(
                  round.meta,
                  {
                    ...(responses === undefined ? {} : { inputResponses: responses }),
                    ...(sentState === undefined ? {} : { requestState: sentState }),
                  },
                  round.name,
                  round.headers,
                ),
              ),
              { mayStayOpen: false, rpc: true },
            )
            const next = (seen.json[0] as { result?: InputRequired } | undefined)?.result
            if (next?.resultType === 'input_required' && typeof next.requestState === 'string') {
              asked = next
              state = next.requestState
            }
          }
        }),
      ),
      MRTR,
    )
    await stillAnswers()
  },
  timeoutFor(MRTR, 300),
)
