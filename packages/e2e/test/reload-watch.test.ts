import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request, sleep } from '../src/harness.js'
import { killArbiters, readPid, startLoad, waitForWorkersOf } from '../src/load-helpers.js'
import { waitUntil } from '../src/process-helpers.js'

/** Arbiters started by USR2: the harness doesn't know them. */
const upgraded = new Set<number>()
afterEach(async () => {
  killArbiters(upgraded)
  await killAll()
})
afterAll(cleanupApps)

/** The app: its version comes from an imported module, `/slow?ms=N` answers late (for the load). */
const APP = `
import { version } from './version.mjs'
export function app(req, res) {
  const url = new URL(req.url, 'http://x')
  const reply = () => res.end(version + ' ' + process.pid)
  if (url.pathname === '/slow') setTimeout(reply, Number(url.searchParams.get('ms') ?? 0))
  else reply()
}
`
const version = (v: string) => `export const version = ${JSON.stringify(v)}\n`
const BROKEN = 'export const version = (\n'

/** Waits until the server answers with `v`. */
const serves = (url: string, v: string) => waitUntil(`responses of ${v}`, async () => (await request(url)).body.startsWith(`${v} `), 15_000)

describe('--reload', () => {
  it('restarts the workers when a file the app imported changes, with no failed request', async () => {
    const dir = makeApp({ 'app.mjs': APP, 'version.mjs': version('v1') })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--reload'), { cwd: dir })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    const load = startLoad(url, { durationMs: 4000, concurrency: 4 })
    await sleep(800)
    writeFileSync(join(dir, 'version.mjs'), version('v2'))
    await gu.waitFor(/Reloading: \S*version\.mjs changed/)
    await waitUntil('the old workers to exit', () => before.every((pid) => !isAlive(pid)), 15_000)
    const result = await load.done
    expect(result.errors).toEqual({})
    expect(result.failed).toBe(0)
    expect(result.bodies.v1).toBeGreaterThan(0)
    expect(result.bodies.v2).toBeGreaterThan(0)
    expect((await request(url)).body).toMatch(/^v2 /)
    // One save, one reload (the change is debounced).
    await sleep(500)
    expect(gu.log.match(/Reloading: /g)).toHaveLength(1)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('keeps the old workers serving while an edit does not load, and reloads once it is fixed', async () => {
    const dir = makeApp({ 'app.mjs': APP, 'version.mjs': version('v1') })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--reload'), { cwd: dir })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    const load = startLoad(url, { durationMs: 3000, concurrency: 4 })
    await sleep(500)
    writeFileSync(join(dir, 'version.mjs'), BROKEN)
    await gu.waitFor(/Reload failed: the new workers could not load the app; the previous workers keep serving/)
    expect(gu.log).toMatch(/Failed to load the app: failed to load \S*app\.mjs: SyntaxError/)
    const result = await load.done
    expect(result.errors).toEqual({})
    expect(Object.keys(result.bodies)).toEqual(['v1'])
    expect(gu.workerPids().sort()).toEqual([...before].sort())

    writeFileSync(join(dir, 'version.mjs'), version('v3'))
    await serves(url, 'v3')
    await waitUntil('the old workers to exit', () => before.every((pid) => !isAlive(pid)), 15_000)
    expect(gu.child.exitCode).toBeNull()
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('watches a file the app first imported in an edit that failed to load, so fixing it reloads', async () => {
    const dir = makeApp({ 'app.mjs': APP, 'version.mjs': version('v1') })
    const gu = new Gu(asyncArgs('app.mjs:app', '--reload'), { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    // The app now imports a new module, which is broken: the old workers never loaded it.
    writeFileSync(join(dir, 'helper.mjs'), 'export const suffix = (\n')
    writeFileSync(join(dir, 'app.mjs'), `import { suffix } from './helper.mjs'\n${APP.replace("version + ' '", "version + suffix + ' '")}`)
    await gu.waitFor(/Reload failed: the new workers could not load the app/)
    expect((await request(url)).body).toMatch(/^v1 /)
    writeFileSync(join(dir, 'helper.mjs'), "export const suffix = '-fixed'\n")
    await serves(url, 'v1-fixed')
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('restarts the workers when a --reload-extra-file glob matches a changed file', async () => {
    const app = `
import { readFileSync } from 'node:fs'
const greeting = readFileSync(new URL('./data/greeting.txt', import.meta.url), 'utf8').trim()
export function app(req, res) { res.end(greeting + ' ' + process.pid) }
`
    const dir = makeApp({ 'app.mjs': app, 'data/greeting.txt': 'hello\n' })
    const gu = new Gu(asyncArgs('app.mjs:app', '--reload', '--reload-extra-file', 'data/*.txt'), { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    expect((await request(url)).body).toMatch(/^hello /)
    writeFileSync(join(dir, 'data/greeting.txt'), 'bonjour\n')
    await gu.waitFor(/Reloading: \S*greeting\.txt changed/)
    await serves(url, 'bonjour')
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('does not watch anything without --reload', async () => {
    const dir = makeApp({ 'app.mjs': APP, 'version.mjs': version('v1') })
    const gu = new Gu(asyncArgs('app.mjs:app'), { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    writeFileSync(join(dir, 'version.mjs'), version('v2'))
    await sleep(1000)
    expect((await request(url)).body).toMatch(/^v1 /)
    expect(gu.log).not.toMatch(/Reloading/)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  /** gu with --reload and one worker, USR2'd: the new arbiter's pid once its worker serves. */
  async function upgradeWithReload() {
    const dir = makeApp({ 'app.mjs': APP, 'version.mjs': version('v1') })
    const pidfile = join(dir, 'gu.pid')
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '1', '--reload', '-p', pidfile), { cwd: dir })
    const [oldWorker] = await gu.waitForWorkers(1)
    const url = await gu.url()
    gu.signal('SIGUSR2')
    const newPid = await waitUntil('the new arbiter', () => readPid(`${pidfile}.2`), 15_000)
    upgraded.add(newPid)
    await waitForWorkersOf(newPid, 1, () => gu.log)
    return { dir, gu, url, oldWorker: oldWorker!, newPid }
  }

  it('during an in-place upgrade leaves a change to the new arbiter: the old one, after WINCH, starts no workers', async () => {
    const { dir, gu, url, oldWorker, newPid } = await upgradeWithReload()
    gu.signal('SIGWINCH')
    await waitUntil('the old worker to exit', () => !isAlive(oldWorker), 15_000)
    writeFileSync(join(dir, 'version.mjs'), version('v2'))
    await gu.waitFor(new RegExp(`\\[${gu.pid}\\] \\[INFO\\] \\S*version\\.mjs changed; left to the new arbiter \\(pid:${newPid}\\)`))
    await serves(url, 'v2')
    await sleep(500)
    expect(gu.workerPids()).toEqual([])
  })

  it('applies a change it left to the new arbiter once that one is gone (an upgrade rolled back)', async () => {
    const { dir, gu, url, newPid } = await upgradeWithReload()
    writeFileSync(join(dir, 'version.mjs'), version('v2'))
    await gu.waitFor(/version\.mjs changed; left to the new arbiter/)
    process.kill(newPid, 'SIGTERM')
    await gu.waitFor(new RegExp(`\\[${gu.pid}\\] \\[INFO\\] Reloading: \\S*version\\.mjs changed`), 15_000)
    await waitUntil('only the old arbiter serving, with v2', async () => !isAlive(newPid) && (await request(url)).body.startsWith('v2 '), 15_000)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
