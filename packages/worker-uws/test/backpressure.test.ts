// A response under backpressure while the request body is paused: uWS 20.30's pause() stops the
// writable events the response waits for, so pausing then would leave the client hanging.
import { afterAll, describe, expect, it } from 'vitest'
import { appDir, cleanup, get, startGu } from './helpers.js'

afterAll(cleanup)

const RESPONSE_BYTES = 16 * 1024 * 1024

// The response's first write fills every buffer before the app reads the body, so the body's
// chunks pile up and pause the connection's reading while uWS still holds unsent bytes.
const NODE_APP = `
export function app(req, res) {
  if (req.method !== 'POST') return res.end('ok')
  req.pause()
  const more = res.write(Buffer.alloc(${RESPONSE_BYTES}, 7))
  const finish = () => {
    let got = 0
    req.on('data', (chunk) => (got += chunk.length))
    req.on('end', () => res.end('|' + got))
    req.resume()
  }
  if (more) finish()
  else res.once('drain', finish)
}
`

const FETCH_APP = `
export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('ok')
    const reader = request.body.getReader()
    let pulled = false
    const body = new ReadableStream({
      async pull(controller) {
        if (!pulled) {
          pulled = true
          return controller.enqueue(new Uint8Array(${RESPONSE_BYTES}).fill(7))
        }
        let got = 0
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          got += value.length
        }
        controller.enqueue(new TextEncoder().encode('|' + got))
        controller.close()
      },
    })
    return new Response(body)
  },
}
`

describe('a response under backpressure while the request body waits', () => {
  // The node case hung on every run before the fix; the fetch case guards the same flow control.
  it.each([
    ['node', 'app.mjs:app', NODE_APP],
    ['fetch', 'app.mjs', FETCH_APP],
  ])('completes both (%s app)', async (_kind, module, source) => {
    const { url } = await startGu(appDir({ 'app.mjs': source }), module)
    const upload = Buffer.alloc(2 * 1024 * 1024, 1)
    for (let round = 0; round < 3; round++) {
      const reply = await get(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: upload })
      expect(reply.status).toBe(200)
      expect(reply.body.length).toBe(RESPONSE_BYTES + `|${upload.length}`.length)
      expect(reply.body.subarray(RESPONSE_BYTES).toString()).toBe(`|${upload.length}`)
    }
  })
})
