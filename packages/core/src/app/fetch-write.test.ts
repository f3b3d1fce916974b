// The fetch adapter hands an app's own header object to node:http when it can: that object must
// come out of every response unchanged, whatever the adapter adds (a Content-Length node doesn't write).
import { createServer } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { headersAsGiven } from './fetch-headers.js'
import { fetchToNodeListener } from './fetch-listener.js'
import { LightResponse } from './fetch-response.js'

describe('headersAsGiven', () => {
  it('takes a plain object of string values as it is', () => {
    const headers = { 'content-type': 'application/json', 'x-id': '1' }
    expect(headersAsGiven(headers, 'text/plain;charset=UTF-8')).toBe(headers)
    // Hono's `c.json()`: one name, spelled as the app likes.
    const hono = { 'Content-Type': 'application/json' }
    expect(headersAsGiven(hono, 'text/plain;charset=UTF-8')).toBe(hono)
    expect(headersAsGiven({}, undefined)).toEqual({})
  })

  it('refuses what the adapter must change or can not read as it is', () => {
    // Names that may be one name twice are merged on a copy.
    expect(headersAsGiven({ 'Content-Type': 'text/html', 'content-type': 'text/plain' }, undefined)).toBeUndefined()
    expect(headersAsGiven({ 'Content-Type': 'text/html', 'X-Id': '1' }, undefined)).toBeUndefined()
    expect(headersAsGiven({ 'content-length': '3' }, undefined)).toBeUndefined()
    expect(headersAsGiven({ 'Content-Length': '3' }, undefined)).toBeUndefined()
    expect(headersAsGiven({ 'transfer-encoding': 'chunked' }, undefined)).toBeUndefined()
    expect(headersAsGiven({ trailer: 'x-sum' }, undefined)).toBeUndefined()
    expect(headersAsGiven({ 'x-n': 1 } as unknown as HeadersInit, undefined)).toBeUndefined()
    // A content type is due (a string body) and the app named none.
    expect(headersAsGiven({ 'x-id': '1' }, 'text/plain;charset=UTF-8')).toBeUndefined()
    expect(headersAsGiven(new Headers({ 'content-type': 'text/html' }), undefined)).toBeUndefined()
    expect(headersAsGiven([['content-type', 'text/html']], undefined)).toBeUndefined()
    expect(headersAsGiven(Object.assign(Object.create(null), { 'content-type': 'text/html' }), undefined)).toBeUndefined()
    expect(headersAsGiven(undefined, undefined)).toBeUndefined()
  })
})

let close: (() => void) | undefined
afterEach(() => close?.())

/** Serves `handler` and sends `raw` requests on one connection; resolves with all it got back. */
async function exchange(handler: (request: Request) => Response, raw: string): Promise<string> {
  const listener = fetchToNodeListener(handler, (error) => {
    throw error
  })
  const server = createServer((req, res) => void listener(req, res))
  close = () => server.close()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  client.end(raw)
  let got = ''
  client.on('data', (chunk) => (got += chunk))
  await new Promise((resolve) => client.on('close', resolve))
  return got
}

describe('a Response on the app’s own header object', () => {
  it('leaves the object as it was, on HTTP/1.0 (a Content-Length header) and HTTP/1.1 (node frames it)', async () => {
    const SHARED = { 'content-type': 'text/plain', 'x-app': 'yes' }
    const handler = (request: Request) => {
      const path = new URL(request.url).pathname
      if (path === '/empty') return new LightResponse(null, { status: 200, headers: SHARED }) as unknown as Response
      return new LightResponse('hi', { headers: SHARED }) as unknown as Response
    }
    const got = await exchange(handler, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n')
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(got).toMatch(/\r\ncontent-length: 2\r\n/i)
    expect(got).toMatch(/\r\nx-app: yes\r\n/)
    expect(got.endsWith('\r\n\r\nhi')).toBe(true)
    close?.()
    const kept = await exchange(handler, 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    const [first, second] = kept.split(/(?=HTTP\/1\.1 )/)
    expect(first).toMatch(/\r\ncontent-length: 2\r\n/i)
    expect(second).toMatch(/\r\ncontent-length: 0\r\n/i)
    expect(second).toMatch(/\r\nx-app: yes\r\n/)
    expect(SHARED).toEqual({ 'content-type': 'text/plain', 'x-app': 'yes' })
  })
})
