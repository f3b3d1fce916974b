import { describe, expect, it } from 'vitest'
import { MalformedResponse, parseResponse } from './response-parser.js'

const buf = (text: string) => Buffer.from(text, 'latin1')

describe('parseResponse', () => {
  it('frames a body by Content-Length and leaves the next response', () => {
    const data = buf('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n')
    const first = parseResponse(data, 'GET', false)
    if (first === 'incomplete') throw new Error('incomplete')
    expect(first.response.status).toBe(200)
    expect(first.response.body.toString()).toBe('hello')
    const second = parseResponse(data.subarray(first.consumed), 'GET', false)
    expect(second).toMatchObject({ response: { status: 204 } })
  })

  it('decodes chunks with extensions and trailers', () => {
    const data = buf('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n')
    const parsed = parseResponse(data, 'GET', false)
    expect(parsed).toMatchObject({ consumed: data.length })
    if (parsed !== 'incomplete') expect(parsed.response.body.toString()).toBe('hello!')
  })

  it('reads no body after HEAD, 1xx, 204 and 304, whatever the headers say', () => {
    const head = buf('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n')
    expect(parseResponse(head, 'HEAD', false)).toMatchObject({ consumed: head.length, response: { body: Buffer.alloc(0) } })
    expect(parseResponse(buf('HTTP/1.1 100 Continue\r\n\r\n'), 'POST', false)).toMatchObject({ response: { status: 100 } })
    expect(parseResponse(buf('HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n'), 'GET', false)).toMatchObject({ response: { status: 304 } })
  })

  it('waits for more bytes, and for the close of a body framed by neither', () => {
    expect(parseResponse(buf('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'), 'GET', false)).toBe('incomplete')
    expect(parseResponse(buf('HTTP/1.1 200 OK\r\n\r\nuntil close'), 'GET', false)).toBe('incomplete')
    expect(parseResponse(buf('HTTP/1.1 200 OK\r\n\r\nuntil close'), 'GET', true)).toMatchObject({ response: { body: buf('until close') } })
  })

  it('throws on bytes that are not a response (a stray body before the next one)', () => {
    expect(() => parseResponse(buf('hello worldHTTP/1.1 200 OK\r\n\r\n'), 'GET', false)).toThrow(MalformedResponse)
    expect(() => parseResponse(buf('hel'), 'GET', false)).toThrow(MalformedResponse)
    expect(parseResponse(buf('HTT'), 'GET', false)).toBe('incomplete')
  })
})
