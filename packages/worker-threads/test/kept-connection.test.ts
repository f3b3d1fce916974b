// A pool thread keeps one connection to its node:http server (ThreadConnection): requests follow
// one another on it, each with its own client's addresses, and a request that leaves it unclean
// has it replaced, never leaving the next request stuck or garbled. One thread, so every request
// lands on the same connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Gu, type Response, request, startGu, stopAll } from './harness.js'

interface Seen {
  connection: number
  remotePort: number
  bytes: number
}

// The harness's client sends `Connection: close` unless told otherwise, and the thread's server
// sees the client's own header lines: a closing request is the last on its thread connection too.
const KEEP = { connection: 'keep-alive' }

const seen = (res: Response): Seen => {
  expect(res.status).toBe(200)
  return JSON.parse(res.text) as Seen
}

describe('the connection a pool thread keeps to its server', () => {
  let gu: Gu
  beforeAll(async () => {
    gu = await startGu('connection-app.mjs:app', { args: ['--threads', '1'] })
  })
  afterAll(stopAll)

  it('carries request after request, each with its own client address', async () => {
    const a = seen(await request(`${gu.url}/`, { headers: KEEP }))
    const b = seen(await request(`${gu.url}/`, { method: 'POST', body: 'x'.repeat(5000), headers: KEEP }))
    const c = seen(await request(`${gu.url}/`, { method: 'POST', body: 'chunked body', headers: { ...KEEP, 'transfer-encoding': 'chunked' } }))
    expect(b.connection).toBe(a.connection)
    expect(c.connection).toBe(a.connection)
    expect([b.bytes, c.bytes]).toEqual([5000, 12])
    // Each request came on a connection of its own from the client (agent: false).
    expect(new Set([a.remotePort, b.remotePort, c.remotePort]).size).toBe(3)
  })

  it('is replaced after a response sent before the request body was all there', async () => {
    const before = seen(await request(`${gu.url}/`, { headers: KEEP }))
    const unread = await request(`${gu.url}/unread`, { method: 'POST', body: 'y'.repeat(1024 * 1024), headers: KEEP })
    expect([unread.status, unread.text]).toEqual([401, 'no'])
    const after = seen(await request(`${gu.url}/`, { method: 'POST', body: 'z'.repeat(100), headers: KEEP }))
    expect(after.bytes).toBe(100)
    expect(after.connection).toBeGreaterThan(before.connection)
  })

  it('is replaced after the client or the app ends it (Connection: close), or the app destroys it', async () => {
    const closing = seen(await request(`${gu.url}/`))
    const closed = await request(`${gu.url}/close`, { headers: KEEP })
    expect(closed.status).toBe(200)
    expect(Number(closed.text)).toBeGreaterThan(closing.connection)
    const next = seen(await request(`${gu.url}/`, { headers: KEEP }))
    expect(next.connection).toBeGreaterThan(Number(closed.text))
    await expect(request(`${gu.url}/destroy`, { headers: KEEP })).rejects.toThrow()
    const last = seen(await request(`${gu.url}/`, { headers: KEEP }))
    expect(last.connection).toBeGreaterThan(next.connection)
    expect(gu.output).not.toMatch(/ERROR/)
  })

  it("is replaced after a client's Connection: close even when the app answers keep-alive", async () => {
    // Node keeps its socket open for the app's keep-alive, but its parser takes nothing more after a closing request.
    const kept = await request(`${gu.url}/keep`)
    expect(kept.status).toBe(200)
    const next = seen(await request(`${gu.url}/`, { headers: KEEP }))
    expect(next.connection).toBeGreaterThan(Number(kept.text))
    expect(gu.output).not.toMatch(/ERROR/)
  })
})
