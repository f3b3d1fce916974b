import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'

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
