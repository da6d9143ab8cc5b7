// STUB: replaced by the authorization-server work (GET|POST /authorize).
import { errorPage } from './html.ts'
import type { AuthContext, Identity, Pending } from './types.ts'

export const authorize = async (_ctx: AuthContext): Promise<Response> =>
  errorPage(501, 'Not implemented', 'authorize')

/** Issues the code for a signed-in, consenting user; redirects to the client. */
export const finishAuthorization = async (
  _ctx: AuthContext,
  _pending: Pending,
  _identity: Identity,
  _scopes: readonly string[],
): Promise<Response> => errorPage(501, 'Not implemented', 'finishAuthorization')

/** The user said no: redirects to the client with error=access_denied. */
export const denyAuthorization = async (_ctx: AuthContext, _pending: Pending): Promise<Response> =>
  errorPage(501, 'Not implemented', 'denyAuthorization')
