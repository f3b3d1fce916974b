import { describe, expect, it } from 'vitest'
import { refusalForParseError } from './parse-error.js'

const parseError = (code: string, packet: string, bytesParsed = packet.length) =>
  Object.assign(new Error('Parse Error'), { code, reason: 'llhttp says no', rawPacket: Buffer.from(packet, 'latin1'), bytesParsed })

describe('refusalForParseError', () => {
  it('answers 505 to a well-formed version node does not take, 400 to a malformed one', () => {
    expect(refusalForParseError(parseError('HPE_INVALID_VERSION', 'GET / HTTP/1.2\r\nHost: a\r\n\r\n', 14))?.status).toBe(505)
    expect(refusalForParseError(parseError('HPE_INVALID_VERSION', 'GET / HTTP/1.10\r\nHost: a\r\n\r\n', 14))?.status).toBe(400)
    expect(refusalForParseError(parseError('HPE_INVALID_VERSION', 'GET / HTTP/1.1\nHost: a\n\n', 14))?.status).toBe(400)
  })
  it('answers 501 to an unknown method that is a token, 400 to one that is not', () => {
    expect(refusalForParseError(parseError('HPE_INVALID_METHOD', 'FROB / HTTP/1.1\r\n\r\n', 1))?.status).toBe(501)
    expect(refusalForParseError(parseError('HPE_INVALID_METHOD', 'GE(T / HTTP/1.1\r\n\r\n', 2))?.status).toBe(400)
    expect(refusalForParseError(parseError('HPE_INVALID_METHOD', 'HELLO THERE\r\n\r\n', 1))?.status).toBe(400)
  })
  it('reads the failing request, not the pipelined ones before it', () => {
    const packet = 'GET / HTTP/1.1\r\nHost: a\r\n\r\nFROB / HTTP/1.1\r\n\r\n'
    expect(refusalForParseError(parseError('HPE_INVALID_METHOD', packet, packet.indexOf('FROB') + 1))?.status).toBe(501)
  })
  it('tells a head too large in its first line (414) from one too large in its fields (431)', () => {
    expect(refusalForParseError(parseError('HPE_HEADER_OVERFLOW', `GET /${'a'.repeat(100)}`))?.status).toBe(414)
    expect(refusalForParseError(parseError('HPE_HEADER_OVERFLOW', 'GET / HTTP/1.1\r\nX-A: vvvvvv'))?.status).toBe(431)
  })
  it('answers 400 to other parse errors, with the parser reason and nothing unprintable', () => {
    const refusal = refusalForParseError(Object.assign(parseError('HPE_INVALID_HEADER_TOKEN', 'x'), { reason: 'Invalid header\x00 token' }))
    expect(refusal).toEqual({ status: 400, reason: 'Invalid header? token' })
  })
  it('leaves connection failures alone, and clients that left mid-request', () => {
    expect(refusalForParseError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBeUndefined()
    expect(refusalForParseError(parseError('HPE_INVALID_EOF_STATE', ''))).toBeUndefined()
  })
})
