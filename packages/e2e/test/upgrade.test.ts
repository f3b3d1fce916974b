import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { E2E_ROOT, Gu, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request, sleep } from '../src/harness.js'
import { killArbiters, readPid, startLoad, versionApp, waitForWorkersOf, workersOf } from '../src/load-helpers.js'
import { waitUntil, within } from '../src/process-helpers.js'

/** Arbiters started by USR2: the harness doesn't know them. */
const started = new Set<number>()
afterEach(async () => {
  killArbiters(started)
  await killAll()
})
afterAll(cleanupApps)

/** Starts gu (-k async, or threads) on TCP and a unix socket, with a pidfile; returns it once its workers serve. */
async function startGu(kind: 'async' | 'threads' = 'async') {
  const dir = makeApp({ 'app.mjs': versionApp('v1') })
  const pidfile = join(dir, 'gu.pid')
  const sock = join(dir, 'gu.sock')
  const args = asyncArgs('app.mjs:app', '-w', '2', '-b', `unix:${sock}`, '-p', pidfile)
  // e2e does not depend on @gu/worker-threads: name its build by path (the module `-k threads` loads).
  if (kind === 'threads') args.splice(args.indexOf('async'), 1, resolve(E2E_ROOT, '../worker-threads/dist/index.js'), '--threads', '2')
  const gu = new Gu(args, { cwd: dir })
  const oldWorkers = await gu.waitForWorkers(2)
  return { dir, pidfile, sock, gu, oldWorkers, url: await gu.url() }
}

/** USR2 to `gu`: the new arbiter's pid, once its two workers serve. */
async function upgrade(gu: Gu, pidfile: string): Promise<number> {
  gu.signal('SIGUSR2')
  const newPid = await waitUntil('the new arbiter to write its pidfile', () => readPid(`${pidfile}.2`), 15_000)
  started.add(newPid)
  await waitForWorkersOf(newPid, 2, () => gu.log)
  return newPid
}

describe('USR2: in-place upgrade under load', () => {
  it.each(['async', 'threads'] as const)('USR2, WINCH and TERM to the old arbiter (-k %s): the new one serves, and takes over the pidfile', async (kind) => {
    const { pidfile, sock, gu, oldWorkers, url } = await startGu(kind)
    const load = startLoad(url, { durationMs: 6000 })
    const unixLoad = startLoad('http://localhost/', { socketPath: sock, concurrency: 2, durationMs: 6000 })
    await sleep(300)
    const newPid = await upgrade(gu, pidfile)
    expect(readPid(pidfile)).toBe(gu.pid)
    expect(gu.log).toContain(`Started by USR2 from the arbiter with pid ${gu.pid}`)

    gu.signal('SIGWINCH')
    await waitUntil('the old workers to exit', () => oldWorkers.every((pid) => !isAlive(pid)), 15_000)
    expect(gu.workerPids()).toEqual([])
    gu.signal('SIGTERM')
    expect(await within(10_000, gu.exited, 'old arbiter exit')).toEqual({ code: 0, signal: null })
    expect(isAlive(newPid)).toBe(true)
    await waitUntil('the pidfile to be renamed', () => readPid(pidfile) === newPid && !existsSync(`${pidfile}.2`), 5000)

    const [tcp, unix] = await Promise.all([load.done, unixLoad.done])
    expect(tcp.errors).toEqual({})
    expect(unix.errors).toEqual({})
    expect(tcp.ok).toBeGreaterThan(100)
    expect(unix.ok).toBeGreaterThan(20)
    const newWorkers = workersOf(newPid)
    expect(newWorkers).toHaveLength(2)
    expect(newWorkers).toContain(Number((await request(url)).body.split(' ')[1]))
    // The old arbiter left the unix socket file to the new one.
    expect(newWorkers).toContain(Number((await request('http://localhost/', { socketPath: sock })).body.split(' ')[1]))

    process.kill(newPid, 'SIGTERM')
    await waitUntil('the new arbiter to exit', () => !isAlive(newPid), 15_000)
    expect(existsSync(pidfile)).toBe(false)
    expect(existsSync(sock)).toBe(false)
  })

  it('rolls back: USR2, WINCH and HUP to the old arbiter, TERM to the new one: the old serves again', async () => {
    const { pidfile, sock, gu, oldWorkers, url } = await startGu()
    const load = startLoad(url, { durationMs: 8000 })
    const unixLoad = startLoad('http://localhost/', { socketPath: sock, concurrency: 2, durationMs: 8000 })
    await sleep(300)
    const newPid = await upgrade(gu, pidfile)
    gu.signal('SIGWINCH')
    await waitUntil('the old workers to exit', () => oldWorkers.every((pid) => !isAlive(pid)), 15_000)
    gu.signal('SIGHUP')
    const restored = await gu.waitForWorkers(2)
    const newWorkers = workersOf(newPid)
    process.kill(newPid, 'SIGTERM')
    await waitUntil('the new arbiter to exit', () => !isAlive(newPid) && newWorkers.every((pid) => !isAlive(pid)), 15_000)
    await gu.waitFor(new RegExp(`New arbiter \\(pid:${newPid}\\) exited with code 0`))

    const [tcp, unix] = await Promise.all([load.done, unixLoad.done])
    expect(tcp.errors).toEqual({})
    expect(unix.errors).toEqual({})
    expect(tcp.ok).toBeGreaterThan(100)
    expect(restored).toContain(Number((await request(url)).body.split(' ')[1]))
    // The new arbiter left the unix socket file and the pidfile to the old one.
    expect(restored).toContain(Number((await request('http://localhost/', { socketPath: sock })).body.split(' ')[1]))
    expect(readPid(pidfile)).toBe(gu.pid)
    expect(existsSync(`${pidfile}.2`)).toBe(false)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('refuses a second USR2 while the new arbiter runs', async () => {
    const { pidfile, gu, url } = await startGu()
    const load = startLoad(url, { durationMs: 4000 })
    await sleep(300)
    const newPid = await upgrade(gu, pidfile)
    gu.signal('SIGUSR2')
    await gu.waitFor(new RegExp(`USR2 ignored: an upgrade is already in progress \\(new arbiter pid ${newPid}\\)`))
    // The new arbiter refuses one too while the old one runs.
    process.kill(newPid, 'SIGUSR2')
    await gu.waitFor(new RegExp(`USR2 ignored: the old arbiter \\(pid ${gu.pid}\\) is still running`))
    await sleep(500)
    expect(gu.log.match(/Started a new arbiter/g)).toHaveLength(1)
    expect(gu.log.match(/Started by USR2/g)).toHaveLength(1)
    const result = await load.done
    expect(result.errors).toEqual({})
    expect(result.ok).toBeGreaterThan(50)
  })
})

describe('WINCH, then TTIN, under load', () => {
  it('stops every worker but keeps the sockets; connections wait and are served once TTIN adds a worker', async () => {
    const { gu, oldWorkers, url } = await startGu()
    const load = startLoad(url, { durationMs: 3000 })
    await sleep(500)
    gu.signal('SIGWINCH')
    await waitUntil('every worker to exit', () => oldWorkers.every((pid) => !isAlive(pid)), 15_000)
    expect(gu.workerPids()).toEqual([])
    await gu.waitFor(/Number of workers: 0 \(was 2\)/)
    const okBefore = load.okSoFar
    await sleep(700)
    // Nobody accepts meanwhile: requests wait in the backlog.
    expect(load.okSoFar).toBe(okBefore)
    gu.signal('SIGTTIN')
    const [worker] = await gu.waitForWorkers(1)
    const result = await load.done
    expect(result.errors).toEqual({})
    expect(result.ok).toBeGreaterThan(okBefore)
    expect(Number((await request(url)).body.split(' ')[1])).toBe(worker)
    gu.signal('SIGHUP')
    await gu.waitForWorkers(2)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
