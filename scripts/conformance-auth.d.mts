// Types of conformance-auth.mjs, for test/node/conformance-auth.test.ts.

export interface Check {
  id: string
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO'
  errorMessage?: string
}

export const runAuthConformance: () => Promise<{
  checks: Check[]
  output: string
  code: number | null
}>
