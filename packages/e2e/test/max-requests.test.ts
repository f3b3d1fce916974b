import http from 'node:http'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('max-requests', () => {
  it('recycles workers without failing a single request', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--max-requests', '20', '--max-requests-jitter', '5', '--graceful-timeout', '5'), { cwd: dir })
    const first = await gu.waitForWorkers(2)
    const url = await gu.url()
    const failures: string[] = []
    const served = new Set<number>()
    const attempt = async (options: Parameters<typeof request>[1], path = '/') => {
      try {
        const res = await request(`${url}${path}`, options)
        if (res.status !== 200) failures.push(`status ${res.status}`)
        else served.add(Number(res.body))
      } catch (error) {
        failures.push(`${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
      }
    }

    // Fresh connections, one after another.
    for (let i = 0; i < 60; i++) await attempt({})
    // Fresh connections, ten at a time.
    for (let round = 0; round < 6; round++) await Promise.all(Array.from({ length: 10 }, () => attempt({}, '/slow?ms=5')))
    // Keep-alive connections, reused, one after another and four at a time.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
    try {
      for (let i = 0; i < 60; i++) await attempt({ agent })
      for (let round = 0; round < 15; round++) await Promise.all(Array.from({ length: 4 }, () => attempt({ agent }, '/slow?ms=5')))
    } finally {
      agent.destroy()
    }

    expect(failures).toEqual([])
    // 240 requests over workers that each retire after 20-25: many generations of pids.
    expect(gu.log).toMatch(/Autorestarting worker after current request/)
    expect(served.size).toBeGreaterThan(4)
    const now = await gu.waitForWorkers(2)
    expect(now.some((pid) => first.includes(pid))).toBe(false)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
