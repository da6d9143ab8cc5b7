// What an upstream sign-in (GitHub, an OIDC provider) starts with and gives back: the person's
// identity, as the provider vouched for it.

/** Who signed in, as the upstream provider said. `subject` is stable: "github:123", "oidc:<sub>". */
export interface Identity {
  subject: string
  provider: 'dev' | 'github' | 'oidc'
  name?: string
  email?: string
}

/** What the upstream authorize URL carries. */
export interface SignInStart {
  /** `${issuer}/callback`, registered with the provider. */
  redirectUri: string
  /** Our own signed state (src/auth/signin.ts). */
  state: string
  /** RFC 7636 S256 challenge of the verifier kept in the Pending. */
  codeChallenge: string
  /** OIDC only: the nonce the ID token must carry. */
  nonce?: string
}

/** What the callback hands the provider to learn who signed in. */
export interface UpstreamCallback {
  code: string
  redirectUri: string
  verifier: string
  nonce?: string
}
