// `npm run keys -- <command>`: API keys for callers that cannot do OAuth (the Responses API's
// `authorization`/`headers` fields, server-to-server jobs), through the admin API
// (src/auth/admin-keys.ts). The key is printed once, at creation; the server keeps its hash.
//
//   npm run keys -- create --label ci --scopes mcp        # prints the key
//   npm run keys -- list
//   npm run keys -- revoke <id>
//
// Options: --url <origin> (default http://localhost:8787, i.e. `npm start`),
//          --token <ADMIN_TOKEN> (default: $ADMIN_TOKEN, else ADMIN_TOKEN in .dev.vars).
// Exit status: 0 done, 1 refused by the server, 2 bad usage.

import { devVar } from './lib/dev-vars.mjs'

const USAGE = `usage: npm run keys -- create --label <label> --scopes <a,b> | list | revoke <id>
  [--url http://localhost:8787] [--token <ADMIN_TOKEN>]`

class Usage extends Error {}

const parse = (argv) => {
  const options = { url: 'http://localhost:8787', token: undefined, label: undefined, scopes: [] }
  const rest = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Usage(`${arg} needs a value`)
      return next
    }
    if (arg === '--url') options.url = value().replace(/\/+$/, '')
    else if (arg === '--token') options.token = value()
    else if (arg === '--label') options.label = value()
    else if (arg === '--scopes')
      options.scopes = value()
        .split(/[\s,]+/)
        .filter(Boolean)
    else if (arg === '--help' || arg === '-h') throw new Usage('')
    else if (arg.startsWith('--')) throw new Usage(`unknown option ${arg}`)
    else rest.push(arg)
  }
  const [command, id] = rest
  if (command === 'create' && options.label === undefined) throw new Usage('create needs --label')
  if (command === 'revoke' && id === undefined) throw new Usage('revoke needs the key id')
  if (!['create', 'list', 'revoke'].includes(command ?? '')) throw new Usage('')
  return { ...options, command, id }
}

const call = async (options, method, path, body) => {
  const response = await fetch(`${options.url}/admin/keys${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  const json = text === '' ? null : JSON.parse(text)
  if (!response.ok) {
    console.error(`${response.status}: ${json?.message ?? text}`)
    process.exit(1)
  }
  return json
}

const main = async () => {
  let options
  try {
    options = parse(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof Usage)) throw error
    if (error.message) console.error(error.message)
    console.error(USAGE)
    process.exit(2)
  }
  options.token ??= devVar('ADMIN_TOKEN')
  if (!options.token) {
    console.error(
      'no admin token: pass --token, set ADMIN_TOKEN, or put ADMIN_TOKEN=... in .dev.vars',
    )
    process.exit(2)
  }
  if (options.command === 'create') {
    const key = await call(options, 'POST', '', { label: options.label, scopes: options.scopes })
    console.log(`created ${key.id} (${key.label}; scopes: ${key.scopes.join(' ') || 'none'})`)
    console.log(`key (shown once): ${key.key}`)
  } else if (options.command === 'list') {
    const { keys } = await call(options, 'GET', '')
    for (const key of keys) {
      const state =
        key.revokedAt === null ? 'live' : `revoked ${new Date(key.revokedAt).toISOString()}`
      console.log(`${key.id}  ${key.label}  [${key.scopes.join(' ')}]  ${state}`)
    }
    if (keys.length === 0) console.log('no keys')
  } else {
    await call(options, 'DELETE', `/${encodeURIComponent(options.id)}`)
    console.log(`revoked ${options.id}`)
  }
}

main().catch((error) => {
  console.error(error.message)
  process.exit(1)
})
