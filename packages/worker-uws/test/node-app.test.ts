// A node app's objects on uWS. `writeHead(status, headers)`: the head goes out as node:http
// writes it (names as the app spelled them, node's checks, not in the store `getHeader` reads),
// and the runtime still sees those headers (access log, a HEAD response's length); 'finish' comes
// after `end()`; `req.socket` takes the socket calls node-style code makes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDir, cleanup, get, raw, startGu, until } from './helpers.js'

const APP = `
export function app(req, res) {
  if (req.url === '/passed') {
    res.writeHead(201, { 'X-Mixed-Case': 'a', 'x-list': ['1', '2'], 'x-number': 7, 'x-skipped': undefined, 'content-type': 'text/plain' })
    return res.end(JSON.stringify({ seen: res.getHeader('x-mixed-case') ?? null, sent: res.headersSent }))
  }
  if (req.url === '/merged') {
    res.setHeader('X-Set', 'first')
    res.writeHead(200, { 'X-Passed': 'second' })
    return res.end(String(res.getHeader('x-passed')))
  }
  if (req.url === '/bad-value' || req.url === '/bad-name') {
    try {
      res.writeHead(200, req.url === '/bad-value' ? { 'x-bad': 'a\\r\\nx-injected: 1' } : { 'bad name': 'a' })
      return res.end('accepted')
    } catch (error) {
      res.statusCode = 200
      return res.end(String(error.code) + ' ' + res.headersSent)
    }
  }
  if (req.url === '/length') {
    res.writeHead(200, { 'Content-Length': 5, 'content-type': 'text/plain' })
    return res.end(req.method === 'HEAD' ? undefined : 'hello')
  }
  if (req.url === '/socket') {
    const socket = req.socket
    const same = socket.setNoDelay(true).setKeepAlive(true, 1000).setTimeout(0).ref().unref() === socket
    return res.end(String(same && res.socket === socket))
  }
  if (req.url === '/finish') {
    res.end('done')
    // Listened for after end(), as node:http allows: both still come.
    res.on('finish', () => console.log('heard finish'))
    res.on('close', () => console.log('heard close'))
    return
  }
  res.end('ok')
}
`

let port: number
let url: string
let gu: import('./helpers.js').GuProcess
beforeAll(async () => {
  ;({ port, url, gu } = await startGu(appDir({ 'app.mjs': APP }), 'app.mjs:app', ['--access-logfile', '-', '--access-logformat', 'passed=%({x-mixed-case}o)s length=%({content-length}o)s %(U)s']))
})
afterAll(cleanup)

describe("a node app's writeHead(status, headers)", () => {
  it('writes the names as spelled, lists as one field each, and keeps them out of getHeader as node does', async () => {
    const reply = await raw(port, 'GET /passed HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
    expect(reply.text).toMatch(/^HTTP\/1.1 201 Created\r\n/)
    expect(reply.text).toContain('\r\nX-Mixed-Case: a\r\n')
    expect(reply.text).toContain('\r\nx-list: 1\r\nx-list: 2\r\n')
    expect(reply.text).toContain('\r\nx-number: 7\r\n')
    expect(reply.text).not.toMatch(/x-skipped/i)
    expect(reply.text.endsWith('{"seen":null,"sent":true}')).toBe(true)
    // The access log still reads the passed header (the engine's own Content-Length it doesn't, as before).
    await until(`the access line\n${gu.log}`, () => gu.log.includes('passed=a length=- /passed'))
  })

  it('merges into the store when headers were set before, as node does', async () => {
    const reply = await get(`${url}/merged`)
    expect(reply.headers['x-set']).toBe('first')
    expect(reply.headers['x-passed']).toBe('second')
    expect(reply.text).toBe('second')
  })

  it("refuses a value with CR LF and a name that isn't a token with node's errors, sending nothing of them", async () => {
    const value = await raw(port, 'GET /bad-value HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
    expect(value.text).not.toMatch(/x-injected|x-bad/i)
    expect(value.text.endsWith('ERR_INVALID_CHAR false')).toBe(true)
    const name = await get(`${url}/bad-name`)
    expect(name.text).toBe('ERR_INVALID_HTTP_TOKEN false')
  })

  it("answers HEAD with the Content-Length the app passed, and the connection serves on", async () => {
    const reply = await raw(port, 'HEAD /length HTTP/1.1\r\nHost: t\r\n\r\nGET /length HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
    const [head, next] = reply.text.split(/(?=HTTP\/1.1 )/)
    expect(head).toMatch(/\r\nContent-Length: 5\r\n/i)
    expect(head!.endsWith('\r\n\r\n')).toBe(true)
    expect(next).toMatch(/\r\n\r\nhello$/)
    expect(reply.closed).toBe(true)
    await until(`the HEAD access line\n${gu.log}`, () => gu.log.includes('length=5 /length'))
  })

  it("emits 'finish' and 'close' after end(), to listeners added after it", async () => {
    expect((await get(`${url}/finish`)).text).toBe('done')
    await until(`both events\n${gu.log}`, () => gu.log.includes('heard finish') && gu.log.includes('heard close'))
    expect(gu.log.indexOf('heard finish')).toBeLessThan(gu.log.indexOf('heard close'))
  })

  it("lets the app call req.socket's socket methods (no-ops that chain, as net.Socket's return it)", async () => {
    expect((await get(`${url}/socket`)).text).toBe('true')
  })
})
