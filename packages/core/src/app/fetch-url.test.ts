import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { requestUrl } from './fetch-url.js'

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
