// RFC 6570 levels 1 to 3: every string-valued example of the RFC, expanded and matched back,
// then the matching rules of src/resources/uri-template.ts one by one.

import { describe, expect, expectTypeOf, test } from 'vitest'
import {
  parseUriTemplate,
  UriTemplateError,
  type TemplateVariables,
} from '../../src/resources/uri-template.ts'

/** RFC 6570 section 3.2's variables that are strings (lists and maps are level 4's business). */
const RFC_VALUES: Record<string, string> = {
  dub: 'me/too',
  hello: 'Hello World!',
  half: '50%',
  var: 'value',
  who: 'fred',
  base: 'http://example.com/home/',
  path: '/foo/bar',
  v: '6',
  x: '1024',
  y: '768',
  empty: '',
}

/** [template, expansion] from RFC 6570 section 1.2 (levels 1-3) and sections 3.2.2 to 3.2.9. */
const RFC_EXAMPLES: [string, string][] = [
  // 1.2 Level 1
  ['{var}', 'value'],
  ['{hello}', 'Hello%20World%21'],
  // 1.2 Level 2
  ['{+var}', 'value'],
  ['{+hello}', 'Hello%20World!'],
  ['{+path}/here', '/foo/bar/here'],
  ['here?ref={+path}', 'here?ref=/foo/bar'],
  ['X{#var}', 'X#value'],
  ['X{#hello}', 'X#Hello%20World!'],
  // 1.2 Level 3
  ['map?{x,y}', 'map?1024,768'],
  ['{x,hello,y}', '1024,Hello%20World%21,768'],
  ['{+x,hello,y}', '1024,Hello%20World!,768'],
  ['{+path,x}/here', '/foo/bar,1024/here'],
  ['{#x,hello,y}', '#1024,Hello%20World!,768'],
  ['{#path,x}/here', '#/foo/bar,1024/here'],
  ['X{.var}', 'X.value'],
  ['X{.x,y}', 'X.1024.768'],
  ['{/var}', '/value'],
  ['{/var,x}/here', '/value/1024/here'],
  ['{;x,y}', ';x=1024;y=768'],
  ['{;x,y,empty}', ';x=1024;y=768;empty'],
  ['{?x,y}', '?x=1024&y=768'],
  ['{?x,y,empty}', '?x=1024&y=768&empty='],
  ['?fixed=yes{&x}', '?fixed=yes&x=1024'],
  ['{&x,y,empty}', '&x=1024&y=768&empty='],
  // 3.2.2 Simple string expansion
  ['{half}', '50%25'],
  ['O{empty}X', 'OX'],
  ['O{undef}X', 'OX'],
  ['{x,y}', '1024,768'],
  ['?{x,empty}', '?1024,'],
  ['?{x,undef}', '?1024'],
  ['?{undef,y}', '?768'],
  // 3.2.3 Reserved expansion
  ['{+half}', '50%25'],
  ['{base}index', 'http%3A%2F%2Fexample.com%2Fhome%2Findex'],
  ['{+base}index', 'http://example.com/home/index'],
  ['O{+empty}X', 'OX'],
  ['O{+undef}X', 'OX'],
  ['up{+path}{var}/here', 'up/foo/barvalue/here'],
  // 3.2.4 Fragment expansion
  ['{#var}', '#value'],
  ['{#hello}', '#Hello%20World!'],
  ['{#half}', '#50%25'],
  ['foo{#empty}', 'foo#'],
  ['foo{#undef}', 'foo'],
  // 3.2.5 Label expansion with dot-prefix
  ['{.who}', '.fred'],
  ['{.who,who}', '.fred.fred'],
  ['{.half,who}', '.50%25.fred'],
  ['X{.empty}', 'X.'],
  ['X{.undef}', 'X'],
  // 3.2.6 Path segment expansion
  ['{/who}', '/fred'],
  ['{/who,who}', '/fred/fred'],
  ['{/half,who}', '/50%25/fred'],
  ['{/who,dub}', '/fred/me%2Ftoo'],
  ['{/var,empty}', '/value/'],
  ['{/var,undef}', '/value'],
  // 3.2.7 Path-style parameter expansion
  ['{;who}', ';who=fred'],
  ['{;half}', ';half=50%25'],
  ['{;empty}', ';empty'],
  ['{;v,empty,who}', ';v=6;empty;who=fred'],
  ['{;v,bar,who}', ';v=6;who=fred'],
  ['{;x,y,undef}', ';x=1024;y=768'],
  // 3.2.8 Form-style query expansion
  ['{?who}', '?who=fred'],
  ['{?half}', '?half=50%25'],
  ['{?x,y,undef}', '?x=1024&y=768'],
  // 3.2.9 Form-style query continuation
  ['{&who}', '&who=fred'],
  ['{&half}', '&half=50%25'],
  ['{&x,y,undef}', '&x=1024&y=768'],
]

/**
 * Expansions that cannot be reversed to the values that made them (RFC 6570 section 1.4): an
 * empty value and a left-out one look alike, a missing first value hands its place to the next,
 * and two adjacent values have no boundary. What our matcher reads instead.
 */
const AMBIGUOUS: Record<string, Record<string, string>> = {
  'O{undef}X': { undef: '' },
  'O{+undef}X': { undef: '' },
  '?{undef,y}': { undef: '768' },
  'up{+path}{var}/here': { path: '/foo/barvalue', var: '' },
}

describe('R-SF-22 RFC 6570 expansion', () => {
  test.each(RFC_EXAMPLES)('%s expands to %s', (template, expanded) => {
    expect(parseUriTemplate(template).expand(RFC_VALUES)).toBe(expanded)
  })

  test.each([
    ['{name}', { name: 'Ada Lovelace' }, 'Ada%20Lovelace'],
    ['{name}', { name: 'José' }, 'Jos%C3%A9'],
    ['{name}', { name: '🙂' }, '%F0%9F%99%82'],
    ['{+name}', { name: 'a%20b%zz' }, 'a%20b%25zz'],
    ['{name}', { name: 'a%20b' }, 'a%2520b'],
    ['a b/{x}', { x: '1' }, 'a%20b/1'],
    ['{?q}', { q: 'a&b=c' }, '?q=a%26b%3Dc'],
    ['{x}', {}, ''],
  ] as const)('%s with %j expands to %s', (template, values, expanded) => {
    expect(parseUriTemplate(template).expand(values)).toBe(expanded)
  })
})

describe('R-SF-22 RFC 6570 matching (the reverse of expansion)', () => {
  test.each(RFC_EXAMPLES)('%s matches %s back to its values', (template, expanded) => {
    const parsed = parseUriTemplate(template)
    const defined = Object.fromEntries(
      parsed.variables.filter((name) => name in RFC_VALUES).map((name) => [name, RFC_VALUES[name]]),
    )
    expect(parsed.match(expanded)).toEqual(AMBIGUOUS[template] ?? defined)
  })

  const GREETING = parseUriTemplate('bare-mcp://greeting/{name}')
  test.each([
    ['bare-mcp://greeting/Ada', { name: 'Ada' }],
    ['bare-mcp://greeting/Ada%20Lovelace', { name: 'Ada Lovelace' }],
    ['bare-mcp://greeting/Ada Lovelace', { name: 'Ada Lovelace' }],
    ['bare-mcp://greeting/José', { name: 'José' }],
    ['bare-mcp://greeting/Jos%C3%A9', { name: 'José' }],
    ['bare-mcp://greeting/', { name: '' }],
    ['bare-mcp://greeting/%2F..%2Fsecret', { name: '/../secret' }],
    ['bare-mcp://greeting/a/b', null],
    ['bare-mcp://greeting/a?b', null],
    ['bare-mcp://greeting/a,b', null],
    ['bare-mcp://greeting/%zz', null],
    ['bare-mcp://greeting/%E9', null],
    ['bare-mcp://greeting', null],
    ['BARE-MCP://greeting/Ada', null],
    ['xbare-mcp://greeting/Ada', null],
  ] as const)('{name}: %s -> %j', (uri, expected) => {
    expect(GREETING.match(uri)).toEqual(expected)
  })

  test.each([
    ['test://template/{id}/data', 'test://template/123/data', { id: '123' }],
    ['test://template/{id}/data', 'test://template/123/other', null],
    ['file:///{+path}', 'file:///src/a%20b.ts', { path: 'src/a b.ts' }],
    ['file:///{+path}', 'file:///src/a.ts?x', null],
    ['file:///{+path}{?rev}', 'file:///src/a.ts?rev=2', { path: 'src/a.ts', rev: '2' }],
    ['file:///{+path}{#line}', 'file:///a.ts#L10,20', { path: 'a.ts', line: 'L10,20' }],
    ['s://x{?q,lang}', 's://x?q=mcp&lang=en', { q: 'mcp', lang: 'en' }],
    ['s://x{?q,lang}', 's://x?lang=en', { lang: 'en' }],
    ['s://x{?q,lang}', 's://x?q=', { q: '' }],
    ['s://x{?q,lang}', 's://x', {}],
    ['s://x{?q,lang}', 's://x?lang=en&q=mcp', null],
    ['s://x{?q,lang}', 's://x&q=mcp', null],
    ['s://x{?q,lang}', 's://x?q=1?lang=2', null],
    ['s://x{?q,lang}', 's://x?other=1', null],
    ['s://x{?q}', 's://x?q=a%26b', { q: 'a&b' }],
    ['s://x{?q}', 's://x?q=a&b', null],
    ['s://x{/a,b}', 's://x/1', { a: '1' }],
    ['s://x{/a,b}', 's://x/1/2', { a: '1', b: '2' }],
    ['s://x{/a,b}', 's://x/1/2/3', null],
    ['s://x{.ext}', 's://x.json', { ext: 'json' }],
    ['s://x{.ext}', 's://x.tar.gz', null],
    ['s://{+a}/here', 's://x/here/y/here', { a: 'x/here/y' }],
    ['s://{+a}/x/{b}', 's://1/x/2', { a: '1', b: '2' }],
    ['s://{+a}/x/{b}', 's://1/x/2/x/3', null],
    ['s://{name}{.ext}', 's://file.json', { name: 'file.json' }],
    ['s://{name}{/rest}', 's://file/json', { name: 'file', rest: 'json' }],
    ['s://{year}-{month}-{day}', 's://2025-11-25', { year: '2025', month: '11', day: '25' }],
    ['s://{a}/{a}', 's://1/1', { a: '1' }],
    ['s://{a}/{a}', 's://1/2', null],
    ['s://{__proto__}', 's://x', { ['__proto__']: 'x' }],
  ] as const)('%s: %s -> %j', (template, uri, expected) => {
    const matched = parseUriTemplate(template).match(uri)
    expect(matched).toEqual(expected)
    if (matched !== null) expect(Object.getPrototypeOf(matched)).toBe(Object.prototype)
  })

  test('R-SF-26 matching never backtracks: long hostile URIs are answered at once', () => {
    const long = 'a'.repeat(100_000)
    expect(parseUriTemplate('s://{a}{b}{c}/x').match(`s://${long}`)).toBeNull()
    expect(parseUriTemplate('s://{a}-{b}-{c}/x').match(`s://${'-'.repeat(100_000)}`)).toBeNull()
    expect(parseUriTemplate('s://{+a}/{+b}/{+c}').match(`s://${'/'.repeat(100_000)}`)).toEqual({
      a: '',
      b: '',
      c: '/'.repeat(99_998),
    })
    expect(parseUriTemplate('s://{a}{?q,r}').match(`s://${long}?q=${long}&r`)).toBeNull()
  })
})

describe('R-SF-22 parsing', () => {
  test('variables are listed once, in order of first appearance', () => {
    expect(parseUriTemplate('s://{b}/{a}{?b,c}{&a}').variables).toEqual(['b', 'a', 'c'])
  })

  test.each([
    ['{', /never closed/],
    ['x{y', /never closed/],
    ['}', /without "\{"/],
    ['{}', /not an expression/],
    ['{a b}', /not an expression/],
    ['{=x}', /not an expression/],
    ['{a,}', /not an expression/],
    ['{var:3}', /level 4/],
    ['{list*}', /level 4/],
  ])('%s is refused', (template, message) => {
    expect(() => parseUriTemplate(template)).toThrow(UriTemplateError)
    expect(() => parseUriTemplate(template)).toThrow(message)
  })

  test('variable names are typed from the template string', () => {
    expectTypeOf<TemplateVariables<'s://{a}/{+b}{?c,d}{#e}'>>().toEqualTypeOf<
      'a' | 'b' | 'c' | 'd' | 'e'
    >()
    expectTypeOf<TemplateVariables<'s://static'>>().toEqualTypeOf<never>()
  })
})
