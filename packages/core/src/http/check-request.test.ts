import { describe, expect, it } from 'vitest'
import { checkRequestHead, checkTrailers, DROP_UNDERSCORED, type RequestHead } from './check-request.js'
import type { RequestRules } from './request-rules.js'

const RULES: RequestRules = { limitRequestLine: 4094, limitRequestFields: 100, limitRequestFieldSize: 8190, limitRequestBody: 1000, headerMap: 'drop' }
const head = (over: Partial<RequestHead> = {}): RequestHead => ({
  method: 'GET', url: '/', httpVersionMajor: 1, httpVersionMinor: 1, rawHeaders: ['Host', 'a.example'], ...over,
})
const status = (h: RequestHead, rules = RULES) => {
  const verdict = checkRequestHead(h, rules)
  return typeof verdict === 'object' ? verdict.status : verdict
}

describe('checkRequestHead', () => {
  it('lets an ordinary request through', () => {
    expect(status(head())).toBeUndefined()
  })
  it('answers 505 to versions other than 1.0 and 1.1', () => {
    expect(status(head({ httpVersionMajor: 2, httpVersionMinor: 0 }))).toBe(505)
    expect(status(head({ httpVersionMajor: 0, httpVersionMinor: 9 }))).toBe(505)
    expect(status(head({ httpVersionMinor: 0 }))).toBeUndefined()
  })
  it('answers 501 to a method it does not know', () => {
    expect(status(head({ method: 'FROB' }))).toBe(501)
  })
  it('measures the request line as sent, with single spaces', () => {
    const url = `/${'a'.repeat(4094 - 'GET / HTTP/1.1'.length)}`
    expect(status(head({ url }))).toBeUndefined()
    expect(status(head({ url: `${url}a` }))).toBe(414)
  })
  it('holds each target form to its method', () => {
    expect(status(head({ method: 'OPTIONS', url: '*' }))).toBeUndefined()
    expect(status(head({ url: '*' }))).toBe(400)
    expect(status(head({ method: 'CONNECT', url: 'a.example:443' }))).toBeUndefined()
    expect(status(head({ method: 'CONNECT', url: '/' }))).toBe(400)
    expect(status(head({ url: 'http://a.example/x' }))).toBeUndefined()
    expect(status(head({ url: '/a#b' }))).toBe(400)
  })
  it('counts fields and measures each (431)', () => {
    const many = Array.from({ length: 100 }, (_, i) => [`X-${i}`, '1']).flat()
    expect(status(head({ rawHeaders: ['Host', 'a', ...many.slice(2)] }))).toBeUndefined()
    expect(status(head({ rawHeaders: ['Host', 'a', ...many] }))).toBe(431)
    expect(status(head({ rawHeaders: ['Host', 'a', 'X-A', 'v'.repeat(8185)] }))).toBeUndefined()
    expect(status(head({ rawHeaders: ['Host', 'a', 'X-A', 'v'.repeat(8186)] }))).toBe(431)
  })
  it('refuses a second copy of a field that is not a list, whatever the case of its name', () => {
    expect(status(head({ rawHeaders: ['Host', 'a', 'host', 'a'] }))).toBe(400)
    expect(status(head({ rawHeaders: ['Host', 'a', 'Content-Type', 'x', 'CONTENT-TYPE', 'y'] }))).toBe(400)
    expect(status(head({ rawHeaders: ['Host', 'a', 'Cookie', 'a=1', 'Cookie', 'b=2'] }))).toBeUndefined()
  })
  it('checks the Host value', () => {
    expect(status(head({ rawHeaders: ['Host', '[::1]:8080'] }))).toBeUndefined()
    expect(status(head({ rawHeaders: ['Host', 'user@a'] }))).toBe(400)
    expect(status(head({ rawHeaders: ['Host', 'a:8x'] }))).toBe(400)
  })
  it('takes chunked alone and last; other codings are 501; none in HTTP/1.0', () => {
    const te = (value: string, minor = 1) => status(head({ httpVersionMinor: minor, rawHeaders: ['Host', 'a', 'Transfer-Encoding', value] }))
    expect(te('chunked')).toBeUndefined()
    expect(te('Chunked')).toBeUndefined()
    expect(te('identity, chunked')).toBe(501)
    expect(te('chunked, gzip')).toBe(400)
    expect(te('chunked, chunked')).toBe(400)
    expect(te('')).toBe(400)
    expect(te('chunked', 0)).toBe(400)
  })
  it('answers 413 to a declared body over the limit, and nothing with no limit', () => {
    const cl = (value: string, limit = 1000) => status(head({ rawHeaders: ['Host', 'a', 'Content-Length', value] }), { ...RULES, limitRequestBody: limit })
    expect(cl('1000')).toBeUndefined()
    expect(cl('1001')).toBe(413)
    expect(cl('99999999', 0)).toBeUndefined()
  })
  it("answers 417 to an expectation other than 100-continue", () => {
    expect(status(head({ rawHeaders: ['Host', 'a', 'Expect', '100-Continue'] }))).toBeUndefined()
    expect(status(head({ rawHeaders: ['Host', 'a', 'Expect', 'teapot'] }))).toBe(417)
  })
  it("follows --header-map for names with '_'", () => {
    const underscored = head({ rawHeaders: ['Host', 'a', 'X_A', '1'] })
    expect(status(underscored)).toBe(DROP_UNDERSCORED)
    expect(status(underscored, { ...RULES, headerMap: 'refuse' })).toBe(400)
    expect(status(underscored, { ...RULES, headerMap: 'dangerous' })).toBeUndefined()
  })
})

describe('checkTrailers', () => {
  it('refuses the fields a trailer may not carry', () => {
    expect(checkTrailers(['X-Checksum', '1'])).toBeUndefined()
    expect(checkTrailers(['Content-Length', '5'])?.status).toBe(400)
    expect(checkTrailers(['HOST', 'a'])?.status).toBe(400)
  })
})
