// How a bad setting is reported (BM-CONFIG-1): the setting's name and what it must be, never the
// value it has, since settings include secrets and the message reaches the client in the 500.

import { describe, expect, test } from 'vitest'
import { config, ConfigError } from '../../src/settings/config.ts'

const problem = (env: Record<string, unknown>): string => {
  try {
    config(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('the settings were accepted')
}

describe('BM-CONFIG-1 a bad setting is named, its value never echoed', () => {
  const secret = 'Zx9-secret-value-that-must-not-leak'
  test.each([
    ['AUTH_SECRET given as a number', { AUTH_SECRET: 98765432109876543210 }, '98765432109876'],
    ['MRTR_SECRET given as a boolean', { MRTR_SECRET: true }, 'true'],
    [
      'a provider client secret given as a number',
      { GITHUB_CLIENT_SECRET: 123456789 },
      '123456789',
    ],
    ['OIDC_CLIENT_SECRET given as an object', { OIDC_CLIENT_SECRET: { v: secret } }, secret],
    ['AUTH_SECRET too short', { AUTH_SECRET: 'short-secret' }, 'short-secret'],
    ['a number setting that is not one', { KEEPALIVE_MS: `${secret}` }, secret],
    ['a choice that is not one', { LOG_LEVEL: secret }, secret],
    ['a URL setting that is not one', { GITHUB_URL: secret }, secret],
  ])('BM-CONFIG-1 %s', (_name, env, value) => {
    const message = problem(env)
    const name = Object.keys(env)[0]!
    expect(message).toContain(`"${name}"`)
    expect(message).not.toContain(value)
    expect(message).toMatch(/must|is required/)
  })
})
