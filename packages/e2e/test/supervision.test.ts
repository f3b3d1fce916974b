import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request, sleep } from '../src/harness.js'
import { hookRecorderConfig, outcome, readLines, waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('TTIN and TTOU', () => {
  it('adds and removes one worker at a time, never below one, and calls nworkersChanged', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const hooksFile = join(dir, 'hooks.log')
    writeFileSync(join(dir, 'gu.config.mjs'), hookRecorderConfig(hooksFile, ['nworkersChanged']))
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '-c', 'gu.config.mjs'), { cwd: dir })
    await gu.waitForWorkers(2)
    const url = await gu.url()
    const changes = () => readLines(hooksFile).map((line) => line.split(' ').slice(2).join(' '))
    await waitUntil('the first nworkersChanged', () => changes().length === 1)
    expect(changes()).toEqual(['pid=' + gu.pid + ' 2 null'])

    gu.signal('SIGTTIN')
    await gu.waitForWorkers(3)
    await waitUntil('nworkersChanged 3', () => changes().length === 2)
    expect(changes()[1]).toBe(`pid=${gu.pid} 3 2`)

    gu.signal('SIGTTOU')
    await gu.waitForWorkers(2)
    gu.signal('SIGTTOU')
    await gu.waitForWorkers(1)
    // Already at one: another TTOU changes nothing.
    gu.signal('SIGTTOU')
    await sleep(800)
    expect(gu.workerPids()).toHaveLength(1)
    expect(changes().slice(2)).toEqual([`pid=${gu.pid} 2 3`, `pid=${gu.pid} 1 2`])
    expect((await request(url)).status).toBe(200)
    // Hooks run in the arbiter.
    expect(readLines(hooksFile).every((line) => line.split(' ')[1] === String(gu.pid))).toBe(true)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('worker supervision', () => {
  it('replaces a worker killed with SIGKILL', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    process.kill(before[0]!, 'SIGKILL')
    await waitUntil('a replacement worker', () => gu.workerPids().length === 2 && !gu.workerPids().includes(before[0]!))
    const after = await gu.waitForWorkers(2)
    expect(after).toContain(before[1])
    const fresh = after.find((pid) => !before.includes(pid))!
    expect(fresh).toBeDefined()
    expect(isAlive(before[0]!)).toBe(false)
    expect(gu.log).toContain(`Worker (pid:${before[0]}) was sent SIGKILL!`)
    const served = new Set<number>()
    for (let i = 0; i < 20 && !served.has(fresh); i++) {
      const replies = await Promise.all(Array.from({ length: 6 }, () => request(`${url}/slow?ms=30`)))
      for (const r of replies) {
        expect(r.status).toBe(200)
        served.add(Number(r.body))
      }
    }
    expect(served.has(fresh)).toBe(true)
    expect(served.has(before[0]!)).toBe(false)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('kills a worker whose event loop is blocked past --timeout, and replaces it', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '1', '--timeout', '1'), { cwd: dir })
    const [blocked] = await gu.waitForWorkers(1)
    const url = await gu.url()
    const started = Date.now()
    const stuck = outcome(request(`${url}/block?ms=8000`, { timeoutMs: 10_000 }))
    await gu.waitFor(new RegExp(`WORKER TIMEOUT \\(pid:${blocked}\\)`), 6000)
    expect(await stuck).not.toBe('ok')
    await waitUntil('the blocked worker to die', () => !isAlive(blocked!), 3000)
    // Killed well before the 8s block would have ended by itself.
    expect(Date.now() - started).toBeLessThan(5000)
    // The arbiter's own kill is named as such: its SIGKILL is no sign of running out of memory.
    await gu.waitFor(new RegExp(`Worker \\(pid:${blocked}\\) was killed with SIGKILL: SIGABRT did not stop it, after it missed its 1s --timeout`), 3000)
    expect(gu.log).not.toMatch(/out of memory/)
    const [fresh] = await gu.waitForWorkers(1)
    expect(fresh).not.toBe(blocked)
    const res = await request(url)
    expect(res.status).toBe(200)
    expect(Number(res.body)).toBe(fresh)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
