import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, runGu } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('pidfile', () => {
  it('holds the arbiter pid while running and is removed on exit', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const pidfile = join(dir, 'gu.pid')
    const gu = new Gu(asyncArgs('app.mjs:app', '-p', pidfile), { cwd: dir })
    await gu.waitForWorkers(1)
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(gu.pid))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    expect(existsSync(pidfile)).toBe(false)
  })

  it('refuses to start a second gu over a live pidfile, and leaves the first one alone', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const pidfile = join(dir, 'gu.pid')
    const gu = new Gu(asyncArgs('app.mjs:app', '-p', pidfile), { cwd: dir })
    await gu.waitForWorkers(1)
    const second = await runGu(asyncArgs('app.mjs:app', '-p', pidfile), { cwd: dir, timeoutMs: 10_000 })
    expect(second.code).toBe(1)
    expect(second.stderr + second.stdout).toContain(`already running on PID ${gu.pid}`)
    expect(second.stderr + second.stdout).not.toMatch(/Booting worker/)
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(gu.pid))
    expect(gu.workerPids()).toHaveLength(1)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    expect(existsSync(pidfile)).toBe(false)
  })
})
