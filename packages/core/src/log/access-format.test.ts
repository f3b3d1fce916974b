import { describe, expect, it } from 'vitest'
import { SETTINGS_BY_KEY } from '../settings/catalog.js'
import { type AccessEntry, clfTime, compileAccessFormat } from './access-format.js'

const START = new Date(2024, 0, 5, 9, 8, 7)

function entry(overrides: Partial<AccessEntry> = {}): AccessEntry {
  const responseHeaders: Record<string, string | string[] | number> = { 'content-type': 'text/plain', 'x-out': 'out-value', 'set-cookie': ['a=1', 'b=2'] }
  return {
    remoteAddress: '10.1.2.3',
    method: 'GET',
    url: '/path/x?a=1&b=2',
    httpVersion: '1.1',
    scheme: 'http',
    status: 201,
    responseBytes: 1234,
    requestHeaders: { referer: 'http://ref/', 'user-agent': 'curl/8.0', 'x-request-id': 'abc-123', authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` },
    responseHeader: (name) => responseHeaders[name],
    start: START,
    durationMicros: 2_345_678,
    ...overrides,
  }
}

const one = (atom: string, e = entry()) => compileAccessFormat(`%(${atom})s`)(e)

describe('compileAccessFormat', () => {
  it("reads the request's scheme as Gunicorn's wsgi.url_scheme, other {NAME}e from the environment", () => {
    expect(one('{wsgi.url_scheme}e', entry({ scheme: 'https' }))).toBe('https')
    expect(one('{wsgi.url_scheme}e')).toBe('http')
  })
  it("writes Gunicorn's default format", () => {
    const format = SETTINGS_BY_KEY.get('accessLogFormat')!.default(process.env) as string
    expect(format).toBe('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"')
    expect(compileAccessFormat(format)(entry())).toBe(`10.1.2.3 - alice ${clfTime(START)} "GET /path/x?a=1&b=2 HTTP/1.1" 201 1234 "http://ref/" "curl/8.0"`)
  })

  it.each([
    ['h', '10.1.2.3'],
    ['l', '-'],
    ['u', 'alice'],
    ['r', 'GET /path/x?a=1&b=2 HTTP/1.1'],
    ['m', 'GET'],
    ['U', '/path/x'],
    ['q', 'a=1&b=2'],
    ['H', 'HTTP/1.1'],
    ['s', '201'],
    ['B', '1234'],
    ['b', '1234'],
    ['f', 'http://ref/'],
    ['a', 'curl/8.0'],
    ['T', '2'],
    ['M', '2345'],
    ['D', '2345678'],
    ['L', '2.345678'],
    ['p', `<${process.pid}>`],
    ['{X-Request-Id}i', 'abc-123'],
    ['{x-out}o', 'out-value'],
    ['{Content-Type}o', 'text/plain'],
    ['{set-cookie}o', 'a=1, b=2'],
    ['{x-missing}i', '-'],
    ['{x-missing}o', '-'],
  ])('writes %s', (atom, expected) => {
    expect(one(atom)).toBe(expected)
  })

  it('writes t in the common log format, with the local zone', () => {
    const t = one('t')
    expect(t).toMatch(/^\[05\/Jan\/2024:09:08:07 [+-]\d{4}\]$/)
    const offset = -START.getTimezoneOffset()
    const zone = `${offset >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`
    expect(t).toBe(`[05/Jan/2024:09:08:07 ${zone}]`)
  })

  it('writes {var}e from the environment, case as given', () => {
    process.env.GU_TEST_ACCESS_VAR = 'env-value'
    try {
      expect(one('{GU_TEST_ACCESS_VAR}e')).toBe('env-value')
      expect(one('{GU_TEST_NOT_SET_VAR}e')).toBe('-')
    } finally {
      delete process.env.GU_TEST_ACCESS_VAR
    }
  })

  it('writes - for absent values', () => {
    const bare = entry({ requestHeaders: {}, url: '/', remoteAddress: '' })
    expect(compileAccessFormat('%(h)s %(u)s %(f)s %(a)s %(q)s')(bare)).toBe('- - - - -')
    expect(one('u', entry({ requestHeaders: { authorization: 'Bearer xyz' } }))).toBe('-')
  })

  it('escapes quotes, backslashes and control characters a client sent', () => {
    const evil = entry({
      url: '/a"b\\c\nd',
      requestHeaders: { 'user-agent': 'x"y\r\nFAKE 200', referer: 'tab\there\x7f', 'x-id': '\x00\x1b[31m' },
    })
    expect(one('r', evil)).toBe('GET /a\\"b\\\\c\\x0ad HTTP/1.1')
    expect(one('a', evil)).toBe('x\\"y\\x0d\\x0aFAKE 200')
    expect(one('f', evil)).toBe('tab\\x09here\\x7f')
    expect(one('{x-id}i', evil)).toBe('\\x00\\x1b[31m')
    const line = compileAccessFormat('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"')(evil)
    expect(line).not.toMatch(/[\r\n\x00\x7f]/)
  })

  it('keeps literal text, and formats with no atoms', () => {
    expect(compileAccessFormat('plain text')(entry())).toBe('plain text')
    expect(compileAccessFormat('[%(s)s|%(m)s] %% (x)s')(entry())).toBe('[201|GET] %% (x)s')
  })

  it.each([['%(z)s'], ['%(zz)s'], ['%(hh)s'], ['%({x}z)s'], ['%()s'], ['%(h)s %(bogus)s']])('refuses the unknown atom in %s', (format) => {
    expect(() => compileAccessFormat(format)).toThrow(/unknown access log atom '%\(.*\)s'; known atoms: h l u t r/)
  })

  // The worker wraps res.write/end (bytes) and res.writeHead (headers) only for formats that read them.
  it.each([
    ['%(h)s %(r)s %(s)s %(a)s', false, false],
    ['%(s)s %(b)s', true, false],
    ['%(B)s', true, false],
    ['%({x-request-id}o)s', false, true],
    ['%({x-request-id}i)s %({HOME}e)s', false, false],
    ['%(h)s %(B)s %({content-type}o)s', true, true],
  ])('%s reads response bytes: %s, response headers: %s', (format, bytes, headers) => {
    const formatter = compileAccessFormat(format)
    expect(formatter.readsResponseBytes).toBe(bytes)
    expect(formatter.readsResponseHeaders).toBe(headers)
  })
})
