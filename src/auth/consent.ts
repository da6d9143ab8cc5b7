// STUB: replaced by the consent work.
import { errorPage } from './html.ts'
import type { AuthContext } from './types.ts'

export const consent = async (_ctx: AuthContext): Promise<Response> =>
  errorPage(501, 'Not implemented', 'consent')
