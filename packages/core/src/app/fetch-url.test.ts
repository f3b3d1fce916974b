import type { IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { configureProxyTrust } from '../http/forwarded.js'
import { absoluteUrl, requestUrl } from './fetch-url.js'

const req = (url: string, host?: string) => ({ url, headers: host === undefined ? {} : { host }, socket: {} }) as unknown as IncomingMessage

describe('requestUrl', () => {
  const cases: [string, string | undefined][] = [
    ['/', 'localhost:8000'],
    ['/a/b?x=1&y=%20z', 'example.com'],
    ['/json', '127.0.0.1:8080'],
    ['/json', '127.0.0.1:18936'],
    ['/', 'localhost:65535'],
    ['/', 'localhost:65536'],
    ['/a/../b', 'example.com'],
    ['/a/./b?c', 'example.com'],
    ["/q?name='x'", 'example.com'],
    ['/sp ace|[x]', 'example.com'],
    ['/', 'Example.COM'],
    ['/', 'example.com:80'],
    ['/', '127.1'],
    ['/', '0x7f.0.0.1'],
    ['/', '[::1]:8000'],
    ['/', 'bad host'],
    ['/', undefined],
    ['//evil.com/x', 'example.com'],
  ]
  it.each(cases)('%s on host %s is what new URL() gives', (target, host) => {
    let expected: string
    try {
      expected = new URL(`http://${host ?? 'localhost'}${target}`).href
    } catch {
      expected = new URL(`http://localhost${target}`).href
    }
    expect(requestUrl(req(target, host))).toBe(expected)
  })
})

describe('absoluteUrl', () => {
  it('answers each scheme, host and target for itself, however the calls alternate', () => {
    const calls: [('http' | 'https'), string, string][] = [
      ['http', 'a.example', '/x'],
      ['http', 'a.example', '/x'],
      ['https', 'a.example', '/x'],
      ['http', 'b.example', '/x'],
      ['http', 'b.example', '/y'],
      ['http', 'a.example', '/x'],
      ['https', 'a.example:443', '/x'],
    ]
    for (const [scheme, host, target] of calls) expect(absoluteUrl(scheme, host, target)).toBe(new URL(`${scheme}://${host}${target}`).href)
  })
})

describe('requestUrl behind a proxy', () => {
  const from = (peer: string, headers: Record<string, string>) => ({ url: '/p', headers: { host: 'example.com', ...headers }, socket: { remoteAddress: peer } }) as unknown as IncomingMessage
  afterEach(() => configureProxyTrust({ forwardedAllowIps: '127.0.0.1,::1', secureSchemeHeaders: [] }))

  it("takes the scheme from a trusted peer's secure scheme header or Forwarded, and only from a trusted one", () => {
    configureProxyTrust({ forwardedAllowIps: '127.0.0.1', secureSchemeHeaders: ['X-Forwarded-Proto=https'] })
    expect(requestUrl(from('127.0.0.1', { 'x-forwarded-proto': 'https' }))).toBe('https://example.com/p')
    expect(requestUrl(from('127.0.0.1', { forwarded: 'proto=https' }))).toBe('https://example.com/p')
    expect(requestUrl(from('127.0.0.1', {}))).toBe('http://example.com/p')
    expect(requestUrl(from('10.0.0.9', { 'x-forwarded-proto': 'https' }))).toBe('http://example.com/p')
  })
})
