import { describe, expect, test } from 'vitest'
import { comment, frame } from '../../src/transports/sse.ts'

describe('R-HT-8 SSE framing', () => {
  test.each([
    [{ data: '{"a":1}' }, 'data: {"a":1}\n\n'],
    [{ data: '{}', event: 'message' }, 'event: message\ndata: {}\n\n'],
    [{ data: '', id: 's1-0' }, 'id: s1-0\ndata: \n\n'],
    [{ data: 'x', retry: 1500 }, 'retry: 1500\ndata: x\n\n'],
    [{ data: 'a\nb\r\nc' }, 'data: a\ndata: b\ndata: c\n\n'],
    [
      { data: '{}', event: 'message\ndata: forged', id: 'a\rb' },
      'id: ab\nevent: messagedata: forged\ndata: {}\n\n',
    ],
  ])('frame(%j)', (event, text) => {
    expect(frame(event)).toBe(text)
  })

  test('a comment is a line starting with a colon', () => {
    expect(comment('keep-alive')).toBe(': keep-alive\n\n')
  })
})
