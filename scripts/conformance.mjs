// npm run conformance: the official MCP conformance suite against this Worker.
//
//   1. starts `wrangler dev --env conformance` (the build with the fixture pack, FIXTURES=conformance)
//      on 127.0.0.1 (free ports, its own state);
//   2. checks that every fixture the suite calls is advertised (tools/list, resources/list,
//      resources/templates/list, prompts/list, capabilities), since several of the suite's checks
//      pass on any result of the right shape (../shared/spec/CONFORMANCE.md, "Shallow checks");
//   3. runs @modelcontextprotocol/conformance 0.1.16 `--suite all` (32 scenarios) and
//      0.2.0-alpha.12 `--suite all --spec-version V` for V = 2025-03-26 .. 2026-07-28;
//   4. prints each run's summary (the runner's own lines), every WARNING, SKIPPED check and
//      FAILURE, and exits 1 if any scenario has a FAILURE, a run ends abnormally, or a fixture
//      is missing.
//
// Options: `--only <run>` (repeatable: stable, next, next:2026-07-28, ...) runs only those;
// `--url <base>` tests a server that is already running instead of starting one.
// Each run's full output and checks.json files are kept in .wrangler/conformance/.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT, startWrangler } from './lib/wrangler.mjs'

const OUT = path.join(ROOT, '.wrangler', 'conformance')

/**
 * What the conformance pack must advertise: CONFORMANCE.md's complete fixture set (the 0.1.16
 * scenarios), plus the fixtures the 0.2.0-alpha.12 scenarios of 2026-07-28 call.
 */
export const FIXTURES = {
  tools: [
    'test_simple_text',
    'test_image_content',
    'test_audio_content',
    'test_embedded_resource',
    'test_multiple_content_types',
    'test_tool_with_logging',
    'test_tool_with_progress',
    'test_error_handling',
    'test_sampling',
    'test_elicitation',
    'test_elicitation_sep1034_defaults',
    'test_elicitation_sep1330_enums',
    'json_schema_2020_12_tool',
    'test_reconnection',
    // 0.2.0-alpha.12, 2026-07-28: server-stateless, input-required-result-*,
    // http-custom-header-server-validation (any tool with an x-mcp-header string argument).
    'test_missing_capability',
    'test_streaming_elicitation',
    'test_logging_tool',
    'test_input_required_result_elicitation',
    'test_input_required_result_sampling',
    'test_input_required_result_list_roots',
    'test_input_required_result_request_state',
    'test_input_required_result_multiple_inputs',
    'test_input_required_result_multi_round',
    'test_input_required_result_tampered_state',
    'test_input_required_result_capabilities',
    'test_custom_header',
  ],
  resources: ['test://static-text', 'test://static-binary', 'test://watched-resource'],
  templates: ['test://template/{id}/data'],
  prompts: [
    'test_simple_prompt',
    'test_prompt_with_arguments',
    'test_prompt_with_embedded_resource',
    'test_prompt_with_image',
    'test_input_required_result_prompt', // 2026-07-28: input-required-result-non-tool-request
  ],
}

/** The runs: which installed suite, and its arguments after `server --url <url>`. */
export const RUNS = [
  { id: 'stable', suite: 'conformance-stable', args: ['--suite', 'all'], scenarios: 32 },
  ...['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'].map((version) => ({
    id: `next:${version}`,
    suite: 'conformance-next',
    args: ['--suite', 'all', '--spec-version', version],
  })),
]

const versionOf = (suite) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', suite, 'package.json'), 'utf8'))
    .version

// ---------------------------------------------------------------------------------------------
// The fixture check

/** The names CONFORMANCE.md's "complete fixture set" lists, when the document is reachable. */
const documentedFixtures = () => {
  const file = path.resolve(ROOT, '..', 'shared', 'spec', 'CONFORMANCE.md')
  if (!fs.existsSync(file)) return null
  const text = fs.readFileSync(file, 'utf8')
  const start = text.indexOf('### The complete fixture set')
  if (start === -1) return null
  const section = text.slice(start, text.indexOf('\n#', start + 4))
  // Each list starts at a bold label ("**tools (14)**:") and runs to the next label or item.
  const labels = [...section.matchAll(/\*\*([a-z]+)[^*]*\*\*:/g)]
  const names = (label) => {
    const index = labels.findIndex((match) => match[1] === label)
    if (index === -1) return []
    const from = labels[index].index + labels[index][0].length
    const body = section.slice(from, labels[index + 1]?.index ?? section.length).split('\n* ')[0]
    return [...body.matchAll(/`([^`]+)`/g)]
      .map((match) => match[1])
      .filter((name) => /^(test:\/\/\S+|[a-z0-9_]+)$/.test(name) && !/^[a-z]+$/.test(name))
  }
  return {
    tools: names('tools'),
    resources: names('resources'),
    templates: names('template'),
    prompts: names('prompts'),
  }
}

const rpc = async (url, id, method, params, version = '2025-11-25') => {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': version,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }),
  })
  const text = await response.text()
  // An SSE answer: the data line with our id.
  const body = text.startsWith('{')
    ? JSON.parse(text)
    : text
        .split('\n')
        .filter((line) => line.startsWith('data:') && line.length > 6)
        .map((line) => JSON.parse(line.slice(5)))
        .find((message) => message.id === id)
  if (body?.result === undefined) {
    throw new Error(`${method} failed: HTTP ${response.status} ${text.slice(0, 300)}`)
  }
  return body.result
}

/** Every item of a paginated list. */
const listAll = async (url, method, key) => {
  const items = []
  let cursor
  for (let page = 0; page < 100; page += 1) {
    const result = await rpc(url, 100 + page, method, cursor ? { cursor } : undefined)
    items.push(...result[key])
    cursor = result.nextCursor
    if (cursor === undefined) return items
  }
  throw new Error(`${method} did not end after 100 pages`)
}

/** Problems with what the server advertises; empty when every fixture is there. */
export const checkFixtures = async (url) => {
  const problems = []
  const documented = documentedFixtures()
  if (documented !== null) {
    for (const [kind, names] of Object.entries(documented)) {
      if (names.length === 0) problems.push(`CONFORMANCE.md: no ${kind} found (format changed?)`)
      for (const name of names) {
        if (!FIXTURES[kind].includes(name)) {
          problems.push(`CONFORMANCE.md lists ${kind} ${name}, which this script does not check`)
        }
      }
    }
  }
  const init = await rpc(url, 1, 'initialize', {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'fixture-check', version: '1' },
  })
  const caps = init.capabilities ?? {}
  for (const capability of ['tools', 'resources', 'prompts', 'logging', 'completions']) {
    if (caps[capability] === undefined) problems.push(`capability ${capability} is not declared`)
  }
  if (caps.resources?.subscribe !== true)
    problems.push('capability resources.subscribe is not true')
  const listed = {
    tools: await listAll(url, 'tools/list', 'tools'),
    resources: await listAll(url, 'resources/list', 'resources'),
    templates: await listAll(url, 'resources/templates/list', 'resourceTemplates'),
    prompts: await listAll(url, 'prompts/list', 'prompts'),
  }
  const keyOf = { tools: 'name', resources: 'uri', templates: 'uriTemplate', prompts: 'name' }
  for (const [kind, names] of Object.entries(FIXTURES)) {
    const advertised = new Map(listed[kind].map((item) => [item[keyOf[kind]], item]))
    for (const name of names) {
      const item = advertised.get(name)
      if (item === undefined) problems.push(`${kind}: ${name} is not advertised`)
      else if ((kind === 'tools' || kind === 'prompts') && !item.description) {
        problems.push(`${kind}: ${name} has no description`)
      }
    }
  }
  const args = listed.prompts.find((prompt) => prompt.name === 'test_prompt_with_arguments')
  for (const name of ['arg1', 'arg2']) {
    if (args && !args.arguments?.some((arg) => arg.name === name && arg.required === true)) {
      problems.push(`prompts: test_prompt_with_arguments has no required argument ${name}`)
    }
  }
  // 2026-07-28 lists x-mcp-header only to its own clients (R-HT-38).
  const modern = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/list',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  }).then((response) => response.json())
  const headerTool = modern.result?.tools?.find((tool) =>
    Object.values(tool.inputSchema?.properties ?? {}).some(
      (property) => property.type === 'string' && property['x-mcp-header'] !== undefined,
    ),
  )
  if (headerTool === undefined) problems.push('tools: none has a string x-mcp-header argument')
  const counts = Object.fromEntries(
    Object.entries(listed).map(([kind, items]) => [kind, items.length]),
  )
  return { problems, counts }
}

// ---------------------------------------------------------------------------------------------
// Running the suites

/** Runs one suite process; resolves to its exit code, stdout+stderr kept in `log`. */
const runSuite = (run, url, dir, log) =>
  new Promise((resolve) => {
    const bin = path.join(ROOT, 'node_modules', run.suite, 'dist', 'index.js')
    const args = [bin, 'server', '--url', `${url}/mcp`, ...run.args, '-o', dir]
    const fd = fs.openSync(log, 'w')
    fs.writeSync(fd, `$ node ${args.map((arg) => path.relative(ROOT, arg) || arg).join(' ')}\n`)
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    })
    fs.closeSync(fd)
    child.on('error', () => resolve(-1))
    child.on('exit', (code, signal) => resolve(signal ? -1 : code))
  })

/** Reads a run's results: the runner's summary lines and every check of every scenario. */
const readResults = (dir, log) => {
  const text = fs.readFileSync(log, 'utf8')
  const summary = text.slice(text.lastIndexOf('=== SUMMARY ===')).split('\n')
  const scenarios = summary
    .map((line) => /^([✓✗]) (\S+): (\d+) passed, (\d+) failed$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map(([line, , name, passed, failed]) => ({
      line,
      name,
      passed: Number(passed),
      failed: Number(failed),
    }))
  const total = summary.find((line) => line.startsWith('Total:')) ?? '(no Total line)'
  const checks = []
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const file = path.join(dir, entry, 'checks.json')
    if (!fs.existsSync(file)) continue
    const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '')
    for (const check of JSON.parse(fs.readFileSync(file, 'utf8'))) checks.push({ scenario, check })
  }
  return { scenarios, total, checks }
}

const parseOptions = (argv) => {
  const options = { only: [], url: undefined }
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--only') options.only.push(argv[++i])
    else if (argv[i] === '--url') options.url = argv[++i]?.replace(/\/+$/, '')
    else throw new Error(`unknown option ${argv[i]} (use --only <run> or --url <base>)`)
  }
  return options
}

/** Runs everything; resolves to the exit status (0: no FAILURE anywhere). */
export const runConformance = async (argv = [], print = console.log) => {
  const options = parseOptions(argv)
  const runs = RUNS.filter(
    (run) =>
      options.only.length === 0 ||
      options.only.some((only) => run.id === only || run.id.startsWith(`${only}:`)),
  )
  fs.rmSync(OUT, { recursive: true, force: true })
  fs.mkdirSync(OUT, { recursive: true })
  const started = Date.now()
  const worker =
    options.url === undefined
      ? await startWrangler({
          env: 'conformance',
          log: path.join(OUT, 'wrangler.log'),
          persistTo: path.join(OUT, 'state'),
        })
      : { url: options.url, stop: async () => {} }
  let failed = false
  try {
    print(`conformance: Worker with FIXTURES=conformance at ${worker.url}/mcp`)
    const { problems, counts } = await checkFixtures(worker.url)
    if (problems.length > 0) {
      failed = true
      print(`FIXTURES: ${problems.length} problem(s)`)
      for (const problem of problems) print(`  FAILURE ${problem}`)
    } else {
      print(
        `fixtures: every one advertised (${counts.tools} tools, ${counts.resources} resources, ` +
          `${counts.templates} templates, ${counts.prompts} prompts)`,
      )
    }
    for (const run of runs) {
      const label = `${run.suite}@${versionOf(run.suite)} ${run.args.join(' ')}`
      const dir = path.join(OUT, run.id.replace(':', '-'))
      const log = `${dir}.log`
      const runStarted = Date.now()
      const code = await runSuite(run, worker.url, dir, log)
      const { scenarios, total, checks } = readResults(dir, log)
      const seconds = ((Date.now() - runStarted) / 1000).toFixed(0)
      const failures = checks.filter(({ check }) => check.status === 'FAILURE')
      const warnings = checks.filter(({ check }) => check.status === 'WARNING')
      const skipped = checks.filter(({ check }) => check.status === 'SKIPPED')
      const bad = scenarios.filter((scenario) => scenario.failed > 0)
      print(
        `\n${label}: ${scenarios.length - bad.length}/${scenarios.length} scenarios passed, ` +
          `${bad.length} failed, ${warnings.length} warnings, ${skipped.length} checks skipped ` +
          `(${seconds} s); runner: ${total}`,
      )
      for (const scenario of scenarios) print(`  ${scenario.line}`)
      for (const { scenario, check } of warnings) {
        print(`  WARNING ${scenario} ${check.id}: ${check.errorMessage ?? check.description}`)
      }
      for (const { scenario, check } of skipped) {
        const why = check.errorMessage ?? check.details?.note ?? check.description
        print(`  SKIPPED ${scenario} ${check.id}: ${why}`)
      }
      for (const { scenario, check } of failures) {
        print(`  FAILURE ${scenario} ${check.id}: ${check.errorMessage ?? check.description}`)
      }
      const problems = []
      if (code !== 0) problems.push(`the runner exited with ${code}`)
      if (scenarios.length === 0) problems.push('the runner printed no summary')
      if (run.scenarios !== undefined && scenarios.length !== run.scenarios) {
        problems.push(`expected ${run.scenarios} scenarios, the runner ran ${scenarios.length}`)
      }
      if (bad.length > 0) problems.push(`${bad.length} scenario(s) failed`)
      if (problems.length > 0) {
        failed = true
        print(`  => FAILED: ${problems.join('; ')} (full output: ${path.relative(ROOT, log)})`)
      }
    }
  } finally {
    await worker.stop()
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  print(`\nconformance: ${failed ? 'FAILED' : 'passed'} in ${seconds} s`)
  return failed ? 1 : 0
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runConformance(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`conformance: ${error?.stack ?? error}`)
      process.exit(1)
    },
  )
}
