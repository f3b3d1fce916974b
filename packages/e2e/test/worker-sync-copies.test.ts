// The sync worker's whole suite again, with the portable acceptor (socket copies from the
// arbiter) that serves when the native accept addon couldn't be built.
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { E2E_ROOT, Gu, PID_APP, cleanupApps, killAll, makeApp, request } from '../src/harness.js'

process.env.GU_SYNC_ACCEPT = 'copies'
await import('./worker-sync.test.js')

afterEach(killAll)
afterAll(cleanupApps)

describe('@gu/worker-sync acceptors', () => {
  it.each([
    ['copies', 'socket copies'],
    ['', 'native accept'],
  ])('GU_SYNC_ACCEPT=%s accepts with %s', async (choice, name) => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(['app.mjs:app', '-k', 'sync', '-b', '127.0.0.1:0', '--log-level', 'debug'], { cwd: dir, env: { GU_SYNC_ACCEPT: choice } })
    await gu.waitForWorkers(1)
    expect(gu.log).toContain(`sync worker accepting with ${name}`)
  })

  it('says once, at start, when the native acceptor is missing, and serves with socket copies', async () => {
    // The package on a platform it ships no prebuilt binary for, its build script skipped (pnpm 10
    // until approved) or failed: neither prebuilds/ nor build/.
    const dir = makeApp({ 'app.mjs': PID_APP })
    const unbuilt = join(dir, 'worker-sync')
    for (const part of ['package.json', 'dist']) cpSync(join(E2E_ROOT, '../worker-sync', part), join(unbuilt, part), { recursive: true })
    const gu = new Gu(['app.mjs:app', '-k', join(unbuilt, 'dist/index.js'), '-b', '127.0.0.1:0', '-w', '2', '--log-level', 'debug'], { cwd: dir, env: { GU_SYNC_ACCEPT: '' } })
    const pids = await gu.waitForWorkers(2)
    expect(pids).toContain(Number((await request(await gu.url())).body))
    const warnings = gu.log.split('\n').filter((line) => line.includes('native acceptor missing'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`(no prebuilt binary for ${process.platform}-${process.arch} and none built from source)`)
    expect(warnings[0]).toContain('fix: npm rebuild @gu/worker-sync')
    expect(gu.log.match(/sync worker accepting with socket copies/g)).toHaveLength(2)
  })

  // The native acceptor wraps TCP connections with node's TCP handle (process.binding), except
  // where that would print a deprecation warning.
  it.each([
    ['NODE_OPTIONS', '--pending-deprecation'],
    ['NODE_PENDING_DEPRECATION', '1'],
  ])('serves with %s=%s without a process.binding deprecation warning', async (name, value) => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const args = ['app.mjs:app', '-k', 'sync', '-b', '127.0.0.1:0', '--log-level', 'debug']
    const gu = new Gu(args, { cwd: dir, env: { GU_SYNC_ACCEPT: '', [name]: value } })
    const [pid] = await gu.waitForWorkers(1)
    expect(gu.log).toContain('sync worker accepting with native accept')
    const res = await request(await gu.url())
    expect(res.status).toBe(200)
    expect(Number(res.body)).toBe(pid)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    expect(gu.log).not.toContain('DEP0111')
  })
})
