// The resource server's side of auth, as the request pipeline sees it (src/pipeline/mcp.ts):
// who is calling (a verified token or API key, or the 401/400 refusing it), which scopes exist,
// and the 403 for a tool call the token lacks scopes for. Everything else in src/auth/ is the
// authorization server (metadata, registration, sign-in, consent, tokens), which the request
// path never touches.
//
// R-AU-1, R-AU-2 · https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization

export { scopeRefusal } from './access.ts'
export { hasAuthStore } from './binding.ts'
export { authenticate } from './guard.ts'
export { authMisconfigured } from './routes.ts'
export { supportedScopes } from './scopes.ts'
export { purposeKey } from './tokens.ts'
