// What a source file says for itself, read from its syntax tree (never from its text, so a rule
// id in a comment, an expected message or a string inside a test body proves nothing):
//
// - `testNames`: the name of every test a test file declares, with the describe blocks around
//   it, as vitest would report them. Names built from tables are expanded row by row:
//   `test.each(cases)('$rule $name', ...)` with `{ rule: 'R-HT-4', name: 'x' }` is "R-HT-4 x",
//   `test.each([['a', 1]])('%s is %i', ...)` is "a is 1", and a helper that does the same with
//   its argument (`wireTable(cases)` in test/helpers/wire.ts) counts as that `test.each`. What
//   cannot be known without running the file (a computed value) reads as UNKNOWN.
// - `declaredNames`: every name a module declares: functions, classes and their members
//   (`#private` ones with their `#`), variables, interfaces and their members, types, enums and
//   object keys.

import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseSync } from 'oxc-parser'

/** Stands for a part of a name that only running the file would tell. */
export const UNKNOWN = '\u0000'

export interface TestName {
  /** The test's own name. */
  name: string
  /** The names of the describe blocks around it, outermost first. */
  describes: string[]
  line: number
}

type Node = { type: string; start: number; [key: string]: unknown }

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).type === 'string'

const child = (node: Node, key: string): Node | undefined => {
  const value = node[key]
  return isNode(value) ? value : undefined
}

const children = (node: Node, key: string): (Node | null)[] => {
  const value = node[key]
  return Array.isArray(value) ? value.map((item) => (isNode(item) ? item : null)) : []
}

/** Every node below `node` (itself included), depth first, in source order. */
const walk = function* (node: Node): Generator<Node> {
  yield node
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent') continue
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield* walk(item)
    } else if (isNode(value)) yield* walk(value)
  }
}

const parse = (path: string, source: string): Node => {
  const result = parseSync(path, source)
  if (result.errors.length > 0) {
    throw new Error(`${path} does not parse: ${result.errors.map((e) => e.message).join('; ')}`)
  }
  return result.program as unknown as Node
}

/** `x as const`, `x satisfies T`, `(x)`, `x!`: the expression inside. */
const unwrap = (node: Node | undefined): Node | undefined => {
  let current = node
  while (
    current !== undefined &&
    [
      'TSAsExpression',
      'TSSatisfiesExpression',
      'ParenthesizedExpression',
      'TSNonNullExpression',
    ].includes(current.type)
  ) {
    current = child(current, 'expression')
  }
  return current
}

const keyName = (node: Node | undefined): string | undefined => {
  if (node === undefined) return undefined
  if (node.type === 'Identifier') return node.name as string
  if (node.type === 'PrivateIdentifier') return `#${node.name as string}`
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value
  return undefined
}

/** One module's constants (`const NAME = ...`) and the helpers that run tables of tests. */
interface Scope {
  /** Every `const NAME = init` of the module, by name, in source order. */
  constants: Map<string, { start: number; init: Node }[]>
  runners: Map<string, Runner>
}

/**
 * What `identifier` names: of the constants so named, the last declared before it (shadowing is
 * not modelled; a table is declared before the tests that use it).
 */
const constant = (scope: Scope, identifier: Node): Node | undefined => {
  const candidates = scope.constants.get(identifier.name as string) ?? []
  const before = candidates.filter((c) => c.start < identifier.start)
  return (before[before.length - 1] ?? candidates[0])?.init
}

/** A function that calls `test.each(<its argument>)(pattern, ...)`, like `wireTable`. */
interface Runner {
  argument: number
  pattern: Node
  scope: Scope
}

const TEST_FUNCTIONS = new Set(['test', 'it', 'describe', 'suite'])
/** Modifiers after which a test does not run, so it proves nothing. */
const NOT_RUN = new Set(['skip', 'todo'])

interface TestCall {
  kind: 'test' | 'describe'
  /** The table of `.each(table)` / `.for(table)`, if any. */
  table: Node | undefined
  runs: boolean
}

/** Reads `test`, `describe.each(t)`, `test.skipIf(c)`, `it.concurrent.each(t)` ... */
const testCall = (callee: Node): TestCall | undefined => {
  if (callee.type === 'Identifier') {
    const name = callee.name as string
    if (!TEST_FUNCTIONS.has(name)) return undefined
    return {
      kind: name === 'describe' || name === 'suite' ? 'describe' : 'test',
      table: undefined,
      runs: true,
    }
  }
  if (callee.type === 'MemberExpression') {
    const base = testCall(child(callee, 'object')!)
    if (base === undefined) return undefined
    const modifier = keyName(child(callee, 'property'))
    return { ...base, runs: base.runs && !NOT_RUN.has(modifier ?? '') }
  }
  if (callee.type === 'CallExpression') {
    const inner = child(callee, 'callee')!
    const base = testCall(inner)
    if (base === undefined || inner.type !== 'MemberExpression') return undefined
    const modifier = keyName(child(inner, 'property'))
    const [argument] = children(callee, 'arguments')
    if (modifier === 'each' || modifier === 'for') return { ...base, table: argument ?? undefined }
    return base
  }
  return undefined
}

/** The value of a string expression, with UNKNOWN for what cannot be known. */
const stringOf = (node: Node | undefined, scope: Scope, seen = new Set<Node>()): string => {
  const expression = unwrap(node)
  if (expression === undefined || seen.has(expression)) return UNKNOWN
  seen.add(expression)
  switch (expression.type) {
    case 'Literal':
      return typeof expression.value === 'string' || typeof expression.value === 'number'
        ? String(expression.value)
        : UNKNOWN
    case 'TemplateLiteral': {
      const quasis = children(expression, 'quasis')
      const expressions = children(expression, 'expressions')
      return quasis
        .map((quasi, i) => {
          const cooked = (quasi?.value as { cooked?: string } | undefined)?.cooked ?? UNKNOWN
          return i < expressions.length
            ? cooked + stringOf(expressions[i] ?? undefined, scope, seen)
            : cooked
        })
        .join('')
    }
    case 'Identifier': {
      const init = constant(scope, expression)
      return init === undefined ? UNKNOWN : stringOf(init, scope, seen)
    }
    case 'BinaryExpression':
      return expression.operator === '+'
        ? stringOf(child(expression, 'left'), scope, seen) +
            stringOf(child(expression, 'right'), scope, seen)
        : UNKNOWN
    default:
      return UNKNOWN
  }
}

const UNKNOWN_ROW: Node = { type: 'Unknown', start: 0 }

/**
 * The rows of a test table. A part that cannot be known without running (a computed array) is
 * one UNKNOWN row; `list.map(x => ({ rule: 'R-X-1', ... }))` is one row, the object it returns.
 */
const rowsOf = (node: Node | undefined, scope: Scope, depth = 0): Node[] => {
  const table = unwrap(node)
  if (table === undefined || depth > 20) return [UNKNOWN_ROW]
  if (table.type === 'Identifier') {
    return rowsOf(constant(scope, table), scope, depth + 1)
  }
  if (table.type === 'ArrayExpression') {
    return children(table, 'elements').flatMap((element) =>
      element === null
        ? [UNKNOWN_ROW]
        : element.type === 'SpreadElement'
          ? rowsOf(child(element, 'argument'), scope, depth + 1)
          : [element],
    )
  }
  if (table.type !== 'CallExpression') return [UNKNOWN_ROW]
  const callee = child(table, 'callee')!
  const [first] = children(table, 'arguments')
  if (callee.type !== 'MemberExpression') return [UNKNOWN_ROW]
  const method = keyName(child(callee, 'property'))
  // Object.entries({ a: x }): rows ['a', x].
  if (keyName(child(callee, 'object')) === 'Object' && method === 'entries') {
    const object = unwrap(first ?? undefined)
    const resolved = object?.type === 'Identifier' ? unwrap(constant(scope, object)) : object
    if (resolved?.type !== 'ObjectExpression') return [UNKNOWN_ROW]
    return children(resolved, 'properties').map((property) =>
      property?.type !== 'Property'
        ? UNKNOWN_ROW
        : {
            type: 'ArrayExpression',
            start: property.start,
            elements: [
              { type: 'Literal', start: 0, value: keyName(child(property, 'key')) ?? null },
              child(property, 'value'),
            ],
          },
    )
  }
  // list.map(fn) / list.flatMap(fn): what fn returns.
  if (method === 'map' || method === 'flatMap') {
    const fn = functionOf(first ?? undefined)
    let body = fn === undefined ? undefined : unwrap(child(fn, 'body'))
    if (body?.type === 'BlockStatement') {
      const statements = children(body, 'body')
      const last = statements[statements.length - 1]
      body = last?.type === 'ReturnStatement' ? unwrap(child(last, 'argument')) : undefined
    }
    if (body === undefined) return [UNKNOWN_ROW]
    if (method === 'flatMap') return rowsOf(body, scope, depth + 1)
    // list.map((c) => ({ ...c, target })): the list's rows, each with more fields.
    const param = keyName(children(fn!, 'params')[0] ?? undefined)
    const spreadsParam = children(body, 'properties').some(
      (p) => p?.type === 'SpreadElement' && keyName(child(p, 'argument')) === param,
    )
    return spreadsParam ? rowsOf(child(callee, 'object'), scope, depth + 1) : [body]
  }
  // list.filter(fn), list.slice(...): some of the list's rows.
  if (method === 'filter' || method === 'slice')
    return rowsOf(child(callee, 'object'), scope, depth + 1)
  return [UNKNOWN_ROW]
}

/** A row's value at `$path` (`$rule`, `$a.b`). */
const fieldOf = (row: Node, path: string[], scope: Scope): Node | undefined => {
  let current: Node | undefined = unwrap(row)
  for (const key of path) {
    if (current?.type === 'Identifier') current = unwrap(constant(scope, current))
    if (current?.type !== 'ObjectExpression') return undefined
    const property = children(current, 'properties').find(
      (p) => p?.type === 'Property' && keyName(child(p, 'key')) === key,
    )
    current =
      property === undefined || property === null ? undefined : unwrap(child(property, 'value'))
  }
  return current
}

/** Vitest's name for one row: `$field` for object rows, printf-style `%s` for the others. */
const formatRow = (pattern: string, row: Node, index: number, scope: Scope): string => {
  const expression = unwrap(row)
  if (expression === UNKNOWN_ROW) return pattern.replace(/[$%].*/s, UNKNOWN)
  if (pattern.includes('$') && expression?.type === 'ObjectExpression') {
    return pattern.replace(/\$([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/g, (_, path: string) =>
      stringOf(fieldOf(row, path.split('.'), scope), scope),
    )
  }
  const args = expression?.type === 'ArrayExpression' ? children(expression, 'elements') : [row]
  let next = 0
  return pattern.replace(/%[sdifjo#%$]/g, (token) => {
    if (token === '%%') return '%'
    if (token === '%#') return String(index)
    if (token === '%$') return String(index + 1)
    const arg = args[next++] ?? undefined
    const value = stringOf(arg, scope)
    return token === '%s' || token === '%d' || token === '%i' ? value : UNKNOWN
  })
}

const namesOf = (pattern: Node | undefined, table: Node | undefined, scope: Scope): string[] => {
  const name = stringOf(pattern, scope)
  if (table === undefined) return [name]
  return rowsOf(table, scope).map((row, i) => formatRow(name, row, i, scope))
}

const functionOf = (node: Node | undefined): Node | undefined => {
  const expression = unwrap(node)
  return expression !== undefined &&
    ['ArrowFunctionExpression', 'FunctionExpression', 'FunctionDeclaration'].includes(
      expression.type,
    )
    ? expression
    : undefined
}

/** If `fn` runs `test.each(<parameter>)(pattern)`, the runner it is. */
const runnerOf = (fn: Node, scope: Scope): Runner | undefined => {
  const params = children(fn, 'params').map((p) =>
    keyName(p?.type === 'AssignmentPattern' ? child(p, 'left') : (p ?? undefined)),
  )
  for (const node of walk(child(fn, 'body')!)) {
    if (node.type !== 'CallExpression') continue
    const call = testCall(child(node, 'callee')!)
    const table = call?.table === undefined ? undefined : unwrap(call.table)
    if (table?.type !== 'Identifier') continue
    const argument = params.indexOf(table.name as string)
    const pattern = children(node, 'arguments')[0]
    if (argument >= 0 && pattern !== null && pattern !== undefined) {
      return { argument, pattern, scope }
    }
  }
  return undefined
}

const scopes = new Map<string, Scope>()

/** The constants and table runners of the module at `path` (imports followed for runners). */
const scopeOf = (path: string, program?: Node): Scope => {
  const cached = scopes.get(path)
  if (cached !== undefined) return cached
  const tree = program ?? parse(path, readFileSync(path, 'utf8'))
  const scope: Scope = { constants: new Map(), runners: new Map() }
  scopes.set(path, scope)
  for (const node of walk(tree)) {
    if (node.type === 'VariableDeclarator' && child(node, 'id')?.type === 'Identifier') {
      const init = child(node, 'init')
      const name = keyName(child(node, 'id'))!
      if (init !== undefined) {
        scope.constants.set(name, [
          ...(scope.constants.get(name) ?? []),
          { start: node.start, init },
        ])
      }
    }
  }
  for (const node of children(tree, 'body')) {
    if (node?.type === 'ImportDeclaration') {
      const from = (child(node, 'source')?.value as string) ?? ''
      const target = resolve(dirname(path), from)
      // Only our own modules can hold table runners (and a missing one fails the typecheck);
      // a Markdown file imported as text (src/wire/notes.ts) holds none.
      if (!from.startsWith('.') || !/\.[cm]?[jt]s$/.test(from) || !existsSync(target)) continue
      const imported = scopeOf(target)
      for (const specifier of children(node, 'specifiers')) {
        const runner = imported.runners.get(keyName(child(specifier!, 'imported')) ?? '')
        if (runner !== undefined) scope.runners.set(keyName(child(specifier!, 'local'))!, runner)
      }
    }
  }
  for (const [name, [declaration]] of scope.constants) {
    const fn = functionOf(declaration?.init)
    const runner = fn === undefined ? undefined : runnerOf(fn, scope)
    if (runner !== undefined) scope.runners.set(name, runner)
  }
  for (const node of walk(tree)) {
    if (node.type === 'FunctionDeclaration' && child(node, 'id') !== undefined) {
      const runner = runnerOf(node, scope)
      if (runner !== undefined) scope.runners.set(keyName(child(node, 'id'))!, runner)
    }
  }
  return scope
}

const lineOf = (source: string, offset: number): number =>
  source.slice(0, offset).split('\n').length

/** Every test the file at `path` declares that runs (not `.skip` or `.todo`). */
export const testNames = (path: string): TestName[] => {
  const source = readFileSync(path, 'utf8')
  const program = parse(path, source)
  scopes.delete(path)
  const scope = scopeOf(path, program)
  const found: TestName[] = []
  const visit = (node: Node, describes: string[][]): void => {
    if (node.type === 'CallExpression') {
      const callee = child(node, 'callee')!
      const args = children(node, 'arguments')
      const call = testCall(callee)
      if (call !== undefined) {
        const names = namesOf(args[0] ?? undefined, call.table, scope)
        if (call.kind === 'describe') {
          if (!call.runs) return
          const body = args.find((arg) => functionOf(arg ?? undefined) !== undefined)
          if (body !== undefined && body !== null) {
            for (const name of names) visit(body, [...describes, [name]])
          }
          return
        }
        if (call.runs) {
          for (const name of names) {
            for (const chain of combinations(describes)) {
              found.push({ name, describes: chain, line: lineOf(source, node.start) })
            }
          }
        }
        return
      }
      const runner =
        callee.type === 'Identifier' ? scope.runners.get(callee.name as string) : undefined
      if (runner !== undefined) {
        const pattern = stringOf(runner.pattern, runner.scope)
        const names = rowsOf(args[runner.argument] ?? undefined, scope).map((row, i) =>
          formatRow(pattern, row, i, scope),
        )
        for (const name of names) {
          for (const chain of combinations(describes)) {
            found.push({ name, describes: chain, line: lineOf(source, node.start) })
          }
        }
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'parent') continue
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item, describes)
      } else if (isNode(value)) visit(value, describes)
    }
  }
  visit(program, [])
  return found
}

const combinations = (levels: string[][]): string[][] =>
  levels.reduce<string[][]>(
    (chains, level) => chains.flatMap((chain) => level.map((name) => [...chain, name])),
    [[]],
  )

/** Every name the module at `path` declares. */
export const declaredNames = (path: string): Set<string> => {
  const names = new Set<string>()
  const add = (node: Node | undefined) => {
    const name = keyName(node)
    if (name !== undefined) names.add(name)
  }
  const bind = (pattern: Node | undefined): void => {
    if (pattern === undefined) return
    if (pattern.type === 'Identifier') add(pattern)
    else if (pattern.type === 'ObjectPattern') {
      for (const property of children(pattern, 'properties')) {
        if (property?.type === 'RestElement') bind(child(property, 'argument'))
        else if (property !== null) bind(child(property, 'value'))
      }
    } else if (pattern.type === 'ArrayPattern') {
      for (const element of children(pattern, 'elements')) bind(element ?? undefined)
    } else if (pattern.type === 'AssignmentPattern') bind(child(pattern, 'left'))
    else if (pattern.type === 'RestElement') bind(child(pattern, 'argument'))
  }
  for (const node of walk(parse(path, readFileSync(path, 'utf8')))) {
    switch (node.type) {
      case 'VariableDeclarator':
        bind(child(node, 'id'))
        break
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
      case 'TSInterfaceDeclaration':
      case 'TSTypeAliasDeclaration':
      case 'TSEnumDeclaration':
        add(child(node, 'id'))
        break
      case 'MethodDefinition':
      case 'PropertyDefinition':
      case 'AccessorProperty':
      case 'TSPropertySignature':
      case 'TSMethodSignature':
      case 'TSEnumMember':
        if (node.computed !== true) add(child(node, 'key') ?? child(node, 'id'))
        break
      case 'Property':
        if (node.computed !== true) add(child(node, 'key'))
        break
      case 'ExportSpecifier':
        add(child(node, 'exported'))
        break
    }
  }
  return names
}

/** Every number literal in the module at `path` (negated ones with their sign), with its line. */
export const numbersIn = (path: string): { value: number; line: number }[] => {
  const source = readFileSync(path, 'utf8')
  const found: { value: number; line: number }[] = []
  const negated = new Set<Node>()
  for (const node of walk(parse(path, source))) {
    if (node.type === 'UnaryExpression' && node.operator === '-') {
      const argument = child(node, 'argument')
      if (argument?.type === 'Literal' && typeof argument.value === 'number') {
        negated.add(argument)
        found.push({ value: -argument.value, line: lineOf(source, node.start) })
      }
    } else if (node.type === 'Literal' && typeof node.value === 'number' && !negated.has(node)) {
      found.push({ value: node.value, line: lineOf(source, node.start) })
    }
  }
  return found
}
