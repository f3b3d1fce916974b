import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { rawExchange, statusLines } from '../src/sync-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('serving', () => {
  it('serves an app with one worker', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs(), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const res = await request(await gu.url())
    expect(res.status).toBe(200)
    expect(Number(res.body)).toBe(worker)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('spreads connections over three workers', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '3'), { cwd: dir })
    const workers = await gu.waitForWorkers(3)
    const url = await gu.url()
    const seen = new Set<number>()
    // Slow requests in parallel: one worker can hold them all, but the kernel spreads accepts.
    for (let round = 0; round < 10 && seen.size < 3; round++) {
      const replies = await Promise.all(Array.from({ length: 12 }, () => request(`${url}/slow?ms=30`)))
      for (const r of replies) seen.add(Number(r.body))
    }
    expect([...seen].every((pid) => workers.includes(pid))).toBe(true)
    expect(seen.size).toBeGreaterThan(1)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('malformed requests', () => {
  const MALFORMED: Array<[string, string, string]> = [
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', '400'],
    ['a header with a control character', 'GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n', '400'],
    ['headers over 16 KiB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, '431'],
  ]

  it.each(['async', 'sync'])('-k %s answers each with an error status and closes it; the worker and its request in flight carry on', async (workerClass) => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    // Two workers: under sync, the malformed requests go to the one not busy with the request in flight.
    const gu = new Gu(['app.mjs:app', '-k', workerClass, '-b', '127.0.0.1:0', '-w', '2'], { cwd: dir })
    const workers = await gu.waitForWorkers(2)
    const url = await gu.url()
    const port = Number(new URL(url).port)
    const inFlight = request(`${url}/slow?ms=1000`)
    for (const [, payload, status] of MALFORMED) {
      const reply = await rawExchange(port, payload, 5000)
      expect(statusLines(reply.data)[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
      expect(reply.closedByServer).toBe(true)
    }
    expect((await inFlight).status).toBe(200)
    expect(workers).toContain(Number((await request(url)).body))
    expect(gu.workerPids().sort()).toEqual([...workers].sort())
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
