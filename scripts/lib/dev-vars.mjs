// A setting for a command-line script: from the environment, else from .dev.vars (what
// `npm start` reads), so `npm run kb:import` and `npm run keys` find the admin tokens of a local
// server without flags.

import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from './wrangler.mjs'

/** `name` from process.env, else its line in .dev.vars (quotes removed), else undefined. */
export const devVar = (name) => {
  if (process.env[name]) return process.env[name]
  const file = path.join(ROOT, '.dev.vars')
  if (!fs.existsSync(file)) return undefined
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (match && match[1] === name) return match[2].replace(/^(["'])(.*)\1$/, '$2')
  }
  return undefined
}
