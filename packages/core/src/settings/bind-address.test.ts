import { describe, expect, it } from 'vitest'
import { formatBind, parseBind } from './bind-address.js'

describe('parseBind', () => {
  it('reads HOST alone with the default port 8000', () => {
    expect(parseBind('127.0.0.1')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8000, ipv6: false })
    expect(parseBind('localhost')).toEqual({ kind: 'tcp', host: 'localhost', port: 8000, ipv6: false })
  })

  it('reads HOST:PORT, and an empty host as 0.0.0.0', () => {
    expect(parseBind('0.0.0.0:9000')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 9000, ipv6: false })
    expect(parseBind(':8080')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 8080, ipv6: false })
    expect(parseBind('127.0.0.1:0')).toMatchObject({ port: 0 })
    expect(parseBind('127.0.0.1:65535')).toMatchObject({ port: 65535 })
  })

  it('reads [IPv6]:PORT and [IPv6]', () => {
    expect(parseBind('[::1]:8001')).toEqual({ kind: 'tcp', host: '::1', port: 8001, ipv6: true })
    expect(parseBind('[::]')).toEqual({ kind: 'tcp', host: '::', port: 8000, ipv6: true })
  })

  it('reads unix:PATH and fd://N', () => {
    expect(parseBind('unix:/tmp/gu.sock')).toEqual({ kind: 'unix', path: '/tmp/gu.sock' })
    expect(parseBind('unix:relative.sock')).toEqual({ kind: 'unix', path: 'relative.sock' })
    expect(parseBind('fd://3')).toEqual({ kind: 'fd', fd: 3 })
  })

  it.each([
    ['unix:', /empty socket path/],
    ['fd://', /whole number/],
    ['fd://x', /whole number/],
    ['fd://-1', /whole number/],
    ['fd://1.5', /whole number/],
    ['fd:// 3', /whole number/],
    ['fd://0x3', /whole number/],
    ['[::1', /missing '\]'/],
    ['[::1]8000', /expected ':PORT'/],
    ['[127.0.0.1]:80', /not an IPv6 address/],
    ['::1:8000', /brackets/],
    ['127.0.0.1:http', /port must be 0-65535/],
    ['127.0.0.1:65536', /port must be 0-65535/],
    ['127.0.0.1:-1', /port must be 0-65535/],
    ['127.0.0.1:', /port must be 0-65535/],
    ['127.0.0.1:80.5', /port must be 0-65535/],
  ])('refuses %s and says what is accepted', (value, why) => {
    expect(() => parseBind(value)).toThrow(why)
    expect(() => parseBind(value)).toThrow(`'${value}' is not a valid address`)
    expect(() => parseBind(value)).toThrow('HOST, HOST:PORT, [IPv6]:PORT, unix:PATH or fd://N')
  })

  it('formats addresses back as an operator writes them', () => {
    expect(formatBind(parseBind('127.0.0.1:80'))).toBe('http://127.0.0.1:80')
    expect(formatBind(parseBind('[::1]:80'))).toBe('http://[::1]:80')
    expect(formatBind(parseBind('unix:/x.sock'))).toBe('unix:/x.sock')
    expect(formatBind(parseBind('fd://5'))).toBe('fd://5')
  })
})
