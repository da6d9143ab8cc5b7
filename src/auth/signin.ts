// STUB: replaced by the sign-in work (dev form, GitHub, OIDC).
import { errorPage } from './html.ts'
import type { AuthContext, Pending } from './types.ts'

/** Starts sign-in for a checked authorization request: a redirect upstream, or the dev form. */
export const beginSignIn = async (_ctx: AuthContext, _pending: Pending): Promise<Response> =>
  errorPage(501, 'Not implemented', 'beginSignIn')

export const signin = async (_ctx: AuthContext): Promise<Response> =>
  errorPage(501, 'Not implemented', 'signin')

export const callback = async (_ctx: AuthContext): Promise<Response> =>
  errorPage(501, 'Not implemented', 'callback')
