// --min-body-rate over --body-timeout on uWS, for both app interfaces: a trickled body gets 408
// and its connection closed, the app's request fails quietly, and the same worker serves on.
import { afterAll, describe, expect, it } from 'vitest'
import { appDir, cleanup, get, raw, startGu } from './helpers.js'

afterAll(cleanup)

const NODE_APP = `
export function app(req, res) {
  if (req.method !== 'POST') return res.end('ok ' + process.pid)
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('error', () => {})
  req.on('end', () => res.end('got ' + Buffer.concat(chunks).length))
}
`
const FETCH_APP = `
export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('ok ' + process.pid)
    return new Response('got ' + (await request.arrayBuffer()).byteLength)
  },
}
`

/** A head announcing 100 kB, then a byte every 100 ms. */
const SLOW_UPLOAD = 'POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nfirst bytes'

describe('a body below --min-body-rate', () => {
  it.each([
    ['node', 'app.mjs:app', NODE_APP],
    ['fetch', 'app.mjs', FETCH_APP],
  ])('gets 408 and its connection closed; the worker serves on (%s app)', async (_kind, module, source) => {
    const { gu, url, port } = await startGu(appDir({ 'app.mjs': source }), module, ['--body-timeout', '1', '--min-body-rate', '1000'])
    const [pid] = gu.workers()
    const reply = await raw(port, SLOW_UPLOAD, 6000, { chunk: 'y', everyMs: 100 })
    expect(reply.text).toMatch(/^HTTP\/1.1 408 /)
    expect(reply.text).toMatch(/\r\nConnection: close\r\n/i)
    expect(reply.closed).toBe(true)
    expect(reply.ms).toBeLessThan(4000)
    // A body at a good rate still gets through, and the same worker answers.
    const upload = await get(`${url}/upload`, { method: 'POST', body: Buffer.alloc(200_000, 1) })
    expect(upload.text).toBe('got 200000')
    expect((await get(`${url}/`)).text).toBe(`ok ${pid}`)
    expect(gu.log).not.toMatch(/Error handling request|Uncaught exception|Unhandled rejection/)
  })
})
