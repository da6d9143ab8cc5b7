// STUB: replaced by the authorization-server work.
import { oauthError } from './oauth-errors.ts'
import type { AuthContext } from './types.ts'

export const register = async (_ctx: AuthContext): Promise<Response> =>
  oauthError('server_error', 'not implemented', 501)
