// R-AU-14: a tool call the token lacks scopes for is refused before anything runs, with 403
// `insufficient_scope` naming what it needs (what a caller may see otherwise:
// src/catalog/visibility.ts).

import type { ServerFeatures } from '../catalog/catalog.ts'
import { missingScopes } from '../catalog/visibility.ts'
import type { Config } from '../settings/config.ts'
import type { Env } from '../settings/env.ts'
import type { JSONRPCMessage, Parsed } from '../jsonrpc/message.ts'
import type { Principal } from '../protocol/principal.ts'
import { insufficientScope } from './guard.ts'
import { audit } from '../observe/audit.ts'

/** The 403 refusing a tool call among `messages` that `principal` lacks scopes for, or null. */
export const scopeRefusal = (
  request: Request,
  env: Env,
  config: Config,
  features: ServerFeatures,
  principal: Principal | null,
  messages: readonly Parsed<JSONRPCMessage>[],
): Response | null => {
  if (principal === null) return null
  for (const message of messages) {
    if (!message.ok || message.value.kind !== 'request') continue
    const { method, params } = message.value.message
    if (method !== 'tools/call' || typeof params?.name !== 'string') continue
    const tool = features.tools.get(params.name)
    if (tool === undefined) continue
    const missing = missingScopes(tool, principal)
    if (missing.length > 0) {
      const description = `Tool ${tool.name} needs scope ${missing.join(' ')}`
      const response = insufficientScope(request, config, principal, tool.scopes, description)
      audit(env, request, {
        name: 'auth.refused',
        outcome: 'failure',
        status: 403,
        reason: description,
        subject: principal.subject,
        client: principal.clientId,
      })
      return response
    }
  }
  return null
}
