import { describe, expect, it } from 'vitest'
import { parseProxyHeader } from './proxy-protocol.js'

const v2 = (command: number, family: number, body: number[]) =>
  Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20 | command, family, body.length >> 8, body.length & 255, ...body])

describe('parseProxyHeader', () => {
  it('reads a v1 line for TCP4 and TCP6, and UNKNOWN', () => {
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 56324 443\r\nGET /'))).toEqual({ length: 43, source: { address: '203.0.113.7', port: 56324, family: 'IPv4' } })
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 ::1 4000 80\r\n'))).toMatchObject({ source: { address: '2001:db8::1', port: 4000, family: 'IPv6' } })
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ length: 15, source: undefined })
  })
  it('waits for a header still arriving, and says none for plain HTTP', () => {
    expect(parseProxyHeader(Buffer.from('PRO'))).toBe('incomplete')
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4'))).toBe('incomplete')
    expect(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n'))).toBe('none')
  })
  it('refuses malformed v1 lines', () => {
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 nope 10.0.0.1 1 2\r\n'))).toHaveProperty('error')
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 10.0.0.1 99999 2\r\n'))).toHaveProperty('error')
    expect(parseProxyHeader(Buffer.from(`PROXY ${'x'.repeat(120)}`))).toHaveProperty('error')
  })
  it('reads v2 PROXY for IPv4 and IPv6, and LOCAL', () => {
    const ipv4 = v2(1, 0x11, [203, 0, 113, 7, 10, 0, 0, 1, 0xdc, 0x04, 0x01, 0xbb])
    expect(parseProxyHeader(Buffer.concat([ipv4, Buffer.from('GET')]))).toEqual({ length: 28, source: { address: '203.0.113.7', port: 56324, family: 'IPv4' } })
    const six = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, ...Array(15).fill(0), 1, 0x0f, 0xa0, 0, 80]
    expect(parseProxyHeader(v2(1, 0x21, six))).toMatchObject({ source: { address: '2001:db8::1', port: 4000, family: 'IPv6' } })
    expect(parseProxyHeader(v2(0, 0x00, []))).toEqual({ length: 16, source: undefined })
    expect(parseProxyHeader(v2(1, 0x11, [1, 2, 3]).subarray(0, 17))).toBe('incomplete')
  })
})
