// What uWS 20.30's parser lets through is refused before the app sees it, as node:http does;
// what it never hands to the engine (no Host, HTTP/1.0) is closed by uWS, and documented.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDir, cleanup, raw, startGu } from './helpers.js'

const APP = `
let seen = 0
export function app(req, res) {
  if (req.url === '/seen') return res.end(String(seen))
  if (req.url === '/x') seen++
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => res.end('app saw ' + Buffer.concat(chunks).length + ' bytes'))
}
`
let port: number
let gu: import('./helpers.js').GuProcess
beforeAll(async () => {
  ;({ port, gu } = await startGu(appDir({ 'app.mjs': APP }), 'app.mjs:app'))
})
afterAll(cleanup)

const post = (headers: string, body = '') => `POST /x HTTP/1.1\r\nHost: t\r\n${headers}\r\n${body}`

describe('framing uWS accepts and node:http refuses', () => {
  const cases: Array<[string, string, number]> = [
    ['two different Content-Length headers', post('Content-Length: 3\r\nContent-Length: 5\r\n', 'abcde'), 400],
    ['two equal Content-Length headers', post('Content-Length: 3\r\nContent-Length: 3\r\n', 'abc'), 400],
    ['an empty Content-Length', post('Content-Length:\r\n'), 400],
    ['an unknown transfer coding alone', post('Transfer-Encoding: gzip\r\n', '3\r\nabc\r\n0\r\n\r\n'), 400],
    ['chunked applied twice in one header', post('Transfer-Encoding: chunked, chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'), 400],
    ['chunked applied twice in two headers', post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'), 400],
    ['chunked not last', post('Transfer-Encoding: chunked, gzip\r\n', '3\r\nabc\r\n0\r\n\r\n'), 400],
    ['a coding before chunked it does not implement', post('Transfer-Encoding: gzip, chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'), 501],
  ]
  for (const [what, request, status] of cases) {
    it(`answers ${status} and closes: ${what}`, async () => {
      const reply = await raw(port, request)
      expect(reply.text).toMatch(new RegExp(`^HTTP/1.1 ${status} `))
      expect(reply.text).toMatch(/\r\nConnection: close\r\n/i)
      expect(reply.closed).toBe(true)
    })
  }

  it('closes at once on Content-Length with Transfer-Encoding (uWS refuses it itself), and on a malformed length', async () => {
    for (const request of [post('Content-Length: 3\r\nTransfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'), post('Content-Length: 3, 3\r\n', 'abc'), post('Content-Length: +3\r\n', 'abc')]) {
      const reply = await raw(port, request)
      expect(reply.closed).toBe(true)
      expect(reply.text).not.toMatch(/^HTTP\/1.1 2/)
    }
  })

  it('never let the app see one of them', async () => {
    const reply = await raw(port, 'GET /seen HTTP/1.1\r\nHost: t\r\n\r\n')
    expect(reply.text, gu.log).toMatch(/\r\n\r\n0$/)
  })

  it('still serves a well-framed body', async () => {
    const reply = await raw(port, post('Transfer-Encoding: chunked\r\n', '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'))
    expect(reply.text).toMatch(/^HTTP\/1.1 200 .*app saw 5 bytes$/s)
  })
})

describe('requests uWS 20.30 never hands to the engine (documented gaps)', () => {
  // uWS waits for more bytes, then closes on its idle timeout (10s, checked on a 4s tick): no
  // hook of uWS 20.30 shows such a connection to JavaScript (README: "Residual gaps").
  it('closes a Host-less HTTP/1.1, an HTTP/1.0, an absolute-form and an OPTIONS * request within 15s, without an answer', async () => {
    const replies = await Promise.all(
      ['GET / HTTP/1.1\r\n\r\n', 'GET / HTTP/1.0\r\n\r\n', 'GET / HTTP/1.0\r\nHost: t\r\n\r\n', 'GET http://t/ HTTP/1.1\r\nHost: t\r\n\r\n', 'OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n'].map(
        (request) => raw(port, request, 16_000),
      ),
    )
    for (const reply of replies) {
      expect(reply.closed).toBe(true)
      expect(reply.text).toBe('')
      expect(reply.ms).toBeGreaterThan(7000)
    }
  }, 30_000)
})
