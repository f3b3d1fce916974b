import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request, sleep } from '../src/harness.js'
import { outcome, within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('TERM: graceful stop', () => {
  it('finishes the slow request in flight with a 200, refuses new connections, then exits 0', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--graceful-timeout', '10'), { cwd: dir })
    const workers = await gu.waitForWorkers(2)
    const url = await gu.url()
    const started = Date.now()
    const slow = request(`${url}/slow?ms=2000`)
    await sleep(300)
    gu.signal('SIGTERM')
    await gu.waitFor(/Handling signal: term/)
    await sleep(300)
    // Still draining the slow request, but no longer accepting.
    expect(gu.child.exitCode).toBeNull()
    expect(await outcome(request(url, { timeoutMs: 2000 }))).toBe('ECONNREFUSED')
    const res = await slow
    expect(res.status).toBe(200)
    expect(workers).toContain(Number(res.body))
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000)
    expect(await within(5000, gu.exited, 'arbiter exit')).toEqual({ code: 0, signal: null })
    for (const pid of workers) expect(isAlive(pid)).toBe(false)
  })
})

describe('TERM, then QUIT', () => {
  it('cuts the graceful stop short', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--graceful-timeout', '20'), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const slow = outcome(request(`${await gu.url()}/slow?ms=10000`))
    await sleep(300)
    gu.signal('SIGTERM')
    await gu.waitFor(/Handling signal: term/)
    await sleep(300)
    expect(isAlive(worker!)).toBe(true)
    gu.signal('SIGQUIT')
    expect(await within(3000, gu.exited, 'arbiter exit after QUIT')).toEqual({ code: 0, signal: null })
    expect(await within(3000, slow, 'slow request')).not.toBe('ok')
    expect(isAlive(worker!)).toBe(false)
  })
})

describe.each(['SIGQUIT', 'SIGINT'] as const)('%s: quick stop', (signal) => {
  it('exits 0 promptly even with a slow request in flight', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--graceful-timeout', '20'), { cwd: dir })
    const workers = await gu.waitForWorkers(2)
    const url = await gu.url()
    const slow = outcome(request(`${url}/slow?ms=10000`))
    await sleep(300)
    const sent = Date.now()
    gu.signal(signal)
    expect(await within(3000, gu.exited, 'arbiter exit')).toEqual({ code: 0, signal: null })
    expect(Date.now() - sent).toBeLessThan(3000)
    // The request was cut rather than waited for.
    expect(await within(3000, slow, 'slow request')).not.toBe('ok')
    for (const pid of workers) expect(isAlive(pid)).toBe(false)
    expect(gu.log).toContain(`Handling signal: ${signal.slice(3).toLowerCase()}`)
  })
})
