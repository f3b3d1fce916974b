import { describe, expect, it } from 'vitest'
import { checkAllowIps, ProxyTrust } from './forwarded.js'

const GUNICORN_SECURE = ['X-Forwarded-Protocol=ssl', 'X-Forwarded-Proto=https', 'X-Forwarded-Ssl=on']
const trust = (allow: string) => new ProxyTrust({ forwardedAllowIps: allow, secureSchemeHeaders: GUNICORN_SECURE })

describe('ProxyTrust', () => {
  it('trusts exact addresses, CIDR ranges of both families, IPv4-mapped peers and *', () => {
    const t = trust('127.0.0.1,::1,10.0.0.0/8,fd00::/8')
    expect(t.trusts('127.0.0.1')).toBe(true)
    expect(t.trusts('::ffff:127.0.0.1')).toBe(true)
    expect(t.trusts('::1')).toBe(true)
    expect(t.trusts('10.20.30.40')).toBe(true)
    expect(t.trusts('fd12::1')).toBe(true)
    expect(t.trusts('192.0.2.1')).toBe(false)
    // A unix socket's peer has no address.
    expect(t.trusts(undefined)).toBe(true)
    expect(trust('*').trusts('192.0.2.1')).toBe(true)
  })
  it('takes the client from X-Forwarded-For only from a trusted peer, skipping trusted hops', () => {
    const t = trust('127.0.0.1,10.0.0.0/8')
    expect(t.clientAddress({ 'x-forwarded-for': '203.0.113.7' }, '127.0.0.1')).toBe('203.0.113.7')
    expect(t.clientAddress({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7, 10.0.0.2' }, '127.0.0.1')).toBe('203.0.113.7')
    expect(t.clientAddress({ 'x-forwarded-for': '203.0.113.7' }, '192.0.2.9')).toBe('192.0.2.9')
    expect(t.clientAddress({}, '127.0.0.1')).toBe('127.0.0.1')
    expect(t.clientAddress({ 'x-forwarded-for': 'garbage' }, '127.0.0.1')).toBe('127.0.0.1')
  })
  it("reads Forwarded's for= (RFC 7239) when there is no X-Forwarded-For", () => {
    const t = trust('127.0.0.1')
    expect(t.clientAddress({ forwarded: 'for=192.0.2.60;proto=https;by=203.0.113.43' }, '127.0.0.1')).toBe('192.0.2.60')
    expect(t.clientAddress({ forwarded: 'for="[2001:db8:cafe::17]:4711"' }, '127.0.0.1')).toBe('2001:db8:cafe::17')
  })
  it("decides the scheme with Gunicorn's secure scheme headers, or Forwarded's proto=", () => {
    const t = trust('127.0.0.1')
    expect(t.scheme({ 'x-forwarded-proto': 'https' }, '127.0.0.1', false)).toBe('https')
    expect(t.scheme({ 'x-forwarded-ssl': 'on' }, '127.0.0.1', false)).toBe('https')
    expect(t.scheme({ 'x-forwarded-proto': 'http' }, '127.0.0.1', true)).toBe('http')
    expect(t.scheme({ forwarded: 'for=1.2.3.4;proto=https' }, '127.0.0.1', false)).toBe('https')
    expect(t.scheme({ 'x-forwarded-proto': 'https' }, '192.0.2.9', false)).toBe('http')
    expect(t.scheme({}, '127.0.0.1', true)).toBe('https')
  })

  it('says whether a request names a scheme at all (only then is the peer needed)', () => {
    const t = trust('127.0.0.1')
    expect(t.namesScheme({ 'x-forwarded-proto': 'https' })).toBe(true)
    expect(t.namesScheme({ forwarded: 'proto=https' })).toBe(true)
    expect(t.namesScheme({ host: 'x', 'x-forwarded-for': '1.2.3.4' })).toBe(false)
  })
})

describe('checkAllowIps', () => {
  it('accepts addresses, ranges and *, and says what is wrong otherwise', () => {
    expect(checkAllowIps('127.0.0.1, ::1, 10.0.0.0/8, *')).toBeUndefined()
    expect(checkAllowIps('localhost')).toMatch(/'localhost' is not an IP address/)
    expect(checkAllowIps('10.0.0.0/33')).toMatch(/prefix length/)
  })
})
