import { describe, expect, test } from 'vitest'
import { acceptable, isJsonContentType, parseMediaType } from '../../src/http/media-type.ts'

describe('media types', () => {
  test.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['APPLICATION/JSON;CHARSET="UTF-8"', true],
    ['application/json; charset=utf-16', false],
    ['application/jsonp', false],
    ['application/json/x', false],
    ['text/json', false],
    ['', false],
  ])('R-JR-2 Content-Type %j is JSON: %s', (header, json) => {
    expect(isJsonContentType(header)).toBe(json)
  })

  test.each([
    [null, { json: true, sse: true }],
    ['application/json, text/event-stream', { json: true, sse: true }],
    ['application/json', { json: true, sse: false }],
    ['text/event-stream', { json: false, sse: true }],
    ['*/*', { json: true, sse: true }],
    ['text/*', { json: false, sse: true }],
    ['application/json;q=0, text/event-stream', { json: false, sse: true }],
    ['text/html', { json: false, sse: false }],
    ['garbage', { json: false, sse: false }],
  ])('R-HT-4 Accept %j admits %j', (header, expected) => {
    expect(acceptable(header)).toEqual(expected)
  })

  test('R-JR-2 media type parameters are lowercased by name and unquoted', () => {
    expect(parseMediaType('text/plain; Charset="x"')?.params.get('charset')).toBe('x')
  })
})
