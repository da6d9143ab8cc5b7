// The deploy pipeline, checked without an account: the GitHub workflow parses and does what the
// README says (tests with .ci/run's command, deploys with wrangler-action on pushes to main,
// reads exactly the secrets the README lists), and every wrangler environment is valid for
// wrangler itself (`wrangler deploy --dry-run`), with its bindings and without a secret in it.

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { ROOT, WRANGLER_ENV } from '../../scripts/lib/wrangler.mjs'

const run = promisify(execFile)
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')

interface Step {
  uses?: string
  run?: string
  if?: string
  with?: Record<string, string>
  env?: Record<string, string>
}
interface Job {
  needs?: string | string[]
  if?: string
  container?: string | { image: string }
  environment?: string
  'runs-on': string
  steps: Step[]
}
interface Workflow {
  on: { push?: { branches?: string[] }; pull_request?: unknown }
  jobs: Record<string, Job>
}

const WORKFLOW_FILE = '.github/workflows/deploy.yml'
const workflowText = read(WORKFLOW_FILE)
const workflow = parse(workflowText) as Workflow

/** The names a README table lists in its first column, in the section titled `heading`. */
const readmeTableNames = (heading: string): string[] => {
  const readme = read('README.md')
  const start = readme.indexOf(`\n## ${heading}\n`)
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]!)
}

/** Secrets the Worker reads; never a wrangler.toml var. */
const WORKER_SECRETS = [
  'AUTH_SECRET',
  'MRTR_SECRET',
  'GITHUB_CLIENT_SECRET',
  'OIDC_CLIENT_SECRET',
  'ADMIN_TOKEN',
  'KB_ADMIN_TOKEN',
]

describe('BM-DEPLOY-1 the workflow tests with the same command as .ci/run', () => {
  test('BM-DEPLOY-1 runs on pushes to main and on pull requests', () => {
    expect(workflow.on.push?.branches).toEqual(['main'])
    expect(workflow.on).toHaveProperty('pull_request')
  })

  test('BM-DEPLOY-1 the test job runs .ci/run in Debian, and .ci/run installs chromium and runs npm test', () => {
    const job = workflow.jobs.test!
    const image = typeof job.container === 'string' ? job.container : job.container?.image
    expect(image).toMatch(/bookworm|trixie|debian/)
    expect(job.steps.map((step) => step.run).filter(Boolean)).toEqual(['.ci/run'])
    const ci = read('.ci/run')
    expect(ci).toMatch(/apt-get install .*chromium/)
    expect(ci).toMatch(/^export BARE_MCP_BROWSER=required$/m)
    expect(ci).toMatch(/^npm test -- /m)
  })
})

describe('BM-DEPLOY-2 the workflow deploys with wrangler-action on pushes to main', () => {
  const deploys = Object.entries(workflow.jobs).filter(([, job]) =>
    job.steps.some((step) => step.uses?.startsWith('cloudflare/wrangler-action@')),
  )

  test('BM-DEPLOY-2 staging, then production, only after the tests and only on main', () => {
    expect(deploys.map(([name, job]) => [name, job.environment])).toEqual([
      ['deploy-staging', 'staging'],
      ['deploy-production', 'production'],
    ])
    expect(workflow.jobs['deploy-staging']!.needs).toBe('test')
    expect(workflow.jobs['deploy-staging']!.if).toBe(
      "github.event_name == 'push' && github.ref == 'refs/heads/main'",
    )
    expect(workflow.jobs['deploy-production']!.needs).toBe('deploy-staging')
  })

  test.each(['staging', 'production'])(
    'BM-DEPLOY-2 %s: wrangler deploy --env with the account secrets and the Worker secrets',
    (environment) => {
      const step = workflow.jobs[`deploy-${environment}`]!.steps.find((s) =>
        s.uses?.startsWith('cloudflare/wrangler-action@'),
      )!
      expect(step.uses).toBe('cloudflare/wrangler-action@v4')
      expect(step.with).toMatchObject({
        apiToken: '${{ secrets.CLOUDFLARE_API_TOKEN }}',
        accountId: '${{ secrets.CLOUDFLARE_ACCOUNT_ID }}',
        environment,
        command: `deploy --env ${environment}`,
      })
      // Every Worker secret it uploads comes from a GitHub secret, never from a literal.
      const names = step.with!.secrets!.trim().split(/\s+/)
      expect(names.sort()).toEqual(Object.keys(step.env!).sort())
      for (const name of names) expect(step.env![name]).toMatch(/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/)
    },
  )
})

describe('BM-DEPLOY-3 secrets are documented and never in the repository', () => {
  test('BM-DEPLOY-3 the README lists exactly the GitHub secrets the workflow reads', () => {
    const used = new Set([...workflowText.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]!))
    expect(new Set(readmeTableNames('Deploying'))).toEqual(used)
    // GitHub refuses secret names that start with GITHUB_.
    for (const name of used) expect(name).not.toMatch(/^GITHUB_/)
  })

  test('BM-DEPLOY-3 the README has the Deploy to Cloudflare button and the staging command', () => {
    const readme = read('README.md')
    expect(readme).toContain('https://deploy.workers.cloudflare.com/?url=')
    expect(readme).toContain('npm run deploy -- --env staging')
  })
})

describe('BM-DEPLOY-4 every wrangler environment is valid, with its bindings and no secret', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'bare-mcp-dry-'))
  const dryRun = async (environment?: string) => {
    const { stdout } = await run(
      'npx',
      [
        'wrangler',
        'deploy',
        '--dry-run',
        '--outdir',
        path.join(out, environment ?? 'top'),
        ...(environment === undefined ? [] : ['--env', environment]),
      ],
      { cwd: ROOT, env: { ...process.env, ...WRANGLER_ENV }, timeout: 60_000 },
    )
    return stdout
  }

  test.each([
    ['(none: npm start)', { MCP_PATH: '/mcp' }],
    ['development', { AUTH: 'true', AUTH_PROVIDER: 'github', PUBLIC_URL: 'http://localhost:8787' }],
    ['staging', { AUTH: 'true', AUTH_PROVIDER: 'github' }],
    ['production', { AUTH: 'true', AUTH_PROVIDER: 'github' }],
    ['conformance', { FIXTURES: 'conformance' }],
  ])(
    'BM-DEPLOY-4 --env %s',
    async (label, vars) => {
      const environment = label.startsWith('(') ? undefined : label
      const stdout = await dryRun(environment)
      for (const [name, kind] of [
        ['KB', 'KnowledgeBase'],
        ['SESSION_SHARD', 'SessionShard'],
        ['AUTH_STORE', 'AuthStore'],
      ]) {
        expect(stdout).toMatch(new RegExp(`env\\.${name} \\(${kind}\\) +Durable Object`))
      }
      // BM-METRICS-4: each environment writes its own Analytics Engine dataset.
      const dataset = environment === undefined ? 'bare_mcp' : `bare_mcp_${environment}`
      expect(stdout).toMatch(
        new RegExp(`env\\.ANALYTICS \\(${dataset}\\) +Analytics Engine Dataset`),
      )
      for (const [name, value] of Object.entries(vars)) {
        expect(stdout).toMatch(new RegExp(`env\\.${name} \\("${value}"\\) +Environment Variable`))
      }
      for (const name of WORKER_SECRETS) expect(stdout).not.toContain(`env.${name} `)
      // npm start (no environment) needs no account and no secret: authorization stays off.
      if (environment === undefined) expect(stdout).not.toContain('env.AUTH ')
    },
    60_000,
  )
})
