import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request, sleep } from '../src/harness.js'
import { startLoad, versionApp } from '../src/load-helpers.js'
import { waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

const BROKEN_APP = 'export function app(req, res) {\n  res.end(\n'

describe('HUP under load', () => {
  it('switches to the changed app file with no failed request', async () => {
    const dir = makeApp({ 'app.mjs': versionApp('v1') })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    const load = startLoad(url, { durationMs: 4000 })
    await sleep(800)
    writeFileSync(join(dir, 'app.mjs'), versionApp('v2'))
    gu.signal('SIGHUP')
    await waitUntil('the old workers to exit', () => before.every((pid) => !isAlive(pid)), 15_000)
    const result = await load.done
    expect(result.errors).toEqual({})
    expect(result.failed).toBe(0)
    expect(result.bodies.v1).toBeGreaterThan(0)
    expect(result.bodies.v2).toBeGreaterThan(0)
    // Once switched, it stays switched.
    const last = result.sequence.lastIndexOf('v1')
    expect(result.sequence.slice(last + 1).length).toBeGreaterThan(0)
    expect((await request(url)).body).toMatch(/^v2 /)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('re-reads the config file from where gu was started, though the config moved into --chdir', async () => {
    // The arbiter changes into `chdir` at start; a HUP must still find gu.config.mjs in the launch
    // directory and resolve the relative chdir from there, not from inside it.
    const dir = makeApp({
      'gu.config.mjs': "export default { chdir: 'src', workerClass: 'async', bind: ['127.0.0.1:0'], workers: 2 }\n",
      'src/app.mjs': versionApp('v1'),
    })
    const gu = new Gu(['app.mjs:app'], { cwd: dir })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    writeFileSync(join(dir, 'src', 'app.mjs'), versionApp('v2'))
    gu.signal('SIGHUP')
    await waitUntil('the old workers to exit', () => before.every((pid) => !isAlive(pid)), 15_000)
    expect((await request(url)).body).toMatch(/^v2 /)
    expect(gu.workerPids()).toHaveLength(2)
    expect(gu.log).not.toMatch(/Reload failed/)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('keeps the old workers serving when the changed app file does not load', async () => {
    const dir = makeApp({ 'app.mjs': versionApp('v1') })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    const load = startLoad(url, { durationMs: 3000 })
    await sleep(500)
    writeFileSync(join(dir, 'app.mjs'), BROKEN_APP)
    gu.signal('SIGHUP')
    await gu.waitFor(/Reload failed: the new workers could not load the app; the previous workers keep serving/)
    const result = await load.done
    expect(result.errors).toEqual({})
    expect(result.failed).toBe(0)
    expect(Object.keys(result.bodies)).toEqual(['v1'])
    expect(gu.workerPids().sort()).toEqual([...before].sort())
    expect(gu.child.exitCode).toBeNull()
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('with --preload, loads the app in the arbiter first and keeps the old workers on a load error', async () => {
    const dir = makeApp({ 'app.mjs': versionApp('v1') })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--preload'), { cwd: dir })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    const load = startLoad(url, { durationMs: 3000 })
    await sleep(500)
    writeFileSync(join(dir, 'app.mjs'), BROKEN_APP)
    gu.signal('SIGHUP')
    await gu.waitFor(/Reload failed; the current workers keep serving: failed to load \S*app\.mjs: SyntaxError/)
    const result = await load.done
    expect(result.errors).toEqual({})
    expect(result.failed).toBe(0)
    expect(Object.keys(result.bodies)).toEqual(['v1'])
    // No new worker was even started.
    expect(gu.workerPids().sort()).toEqual([...before].sort())
    expect(gu.log.match(/Booting worker/g)).toHaveLength(2)

    // The arbiter imports the file anew on the next HUP: a fixed file reloads.
    writeFileSync(join(dir, 'app.mjs'), versionApp('v3'))
    gu.signal('SIGHUP')
    await waitUntil('the old workers to exit', () => before.every((pid) => !isAlive(pid)), 15_000)
    expect((await request(url)).body).toMatch(/^v3 /)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('after a rolled-back reload, replaces a crashed old worker with the previous settings', async () => {
    const good = makeApp({ 'app.mjs': versionApp('v1') })
    const bad = makeApp({ 'app.mjs': BROKEN_APP })
    const config = join(good, 'gu.config.mjs')
    writeFileSync(config, `export default { chdir: ${JSON.stringify(good)} }\n`)
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '-c', config), { cwd: good })
    const before = await gu.waitForWorkers(2)
    const url = await gu.url()
    writeFileSync(config, `export default { chdir: ${JSON.stringify(bad)} }\n`)
    gu.signal('SIGHUP')
    await gu.waitFor(/Reload failed: the new workers could not load the app/)
    await sleep(300)
    process.kill(before[0]!, 'SIGKILL')
    await waitUntil('a replacement worker', () => gu.workerPids().length === 2 && !gu.workerPids().includes(before[0]!), 15_000)
    await gu.waitForWorkers(2)
    expect(gu.log).not.toMatch(/Shutting down: App failed to load/)
    expect(gu.child.exitCode).toBeNull()
    expect((await request(url)).body).toMatch(/^v1 /)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('HUP that changes the bind addresses', () => {
  /** gu with a config file binding TCP and a unix socket; `rewrite` changes the config. */
  async function startWithBinds() {
    const good = makeApp({ 'app.mjs': versionApp('v1') })
    const sock = join(good, 'second.sock')
    const config = join(good, 'gu.config.mjs')
    const rewrite = (chdir: string, bind: string[]) => writeFileSync(config, `export default ${JSON.stringify({ chdir, bind })}\n`)
    rewrite(good, ['127.0.0.1:0', `unix:${sock}`])
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-w', '1', '-c', config], { cwd: good })
    const [worker] = await gu.waitForWorkers(1)
    return { gu, good, sock, rewrite, worker: worker!, url: await gu.url() }
  }
  const viaUnix = (sock: string) => request('http://localhost/', { socketPath: sock })

  it('closes a dropped address once the old workers have gone', async () => {
    const { gu, good, sock, rewrite, worker, url } = await startWithBinds()
    rewrite(good, [`unix:${sock}`])
    gu.signal('SIGHUP')
    await waitUntil('the old worker to exit', () => !isAlive(worker), 15_000)
    await gu.waitForWorkers(1)
    await waitUntil('the TCP address to close', () => request(url).then(() => false, () => true), 5000)
    expect((await viaUnix(sock)).body).toMatch(/^v1 /)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('after a rolled-back reload that dropped an address, serves it again, from replacement workers too', async () => {
    const { gu, sock, rewrite, worker, url } = await startWithBinds()
    const bad = makeApp({ 'app.mjs': BROKEN_APP })
    rewrite(bad, [`unix:${sock}`])
    gu.signal('SIGHUP')
    await gu.waitFor(/Reload failed: the new workers could not load the app/)
    expect((await request(url)).body).toMatch(/^v1 /)
    // The worker that replaces the old one is given the TCP socket as well.
    process.kill(worker, 'SIGKILL')
    await waitUntil('a replacement worker', () => gu.workerPids().length === 1 && !gu.workerPids().includes(worker), 15_000)
    await gu.waitForWorkers(1)
    expect((await request(url)).body).toMatch(/^v1 /)
    expect((await viaUnix(sock)).body).toMatch(/^v1 /)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('takes back an address a reload dropped while the old workers still serve it: same socket, same port', async () => {
    const { gu, good, sock, rewrite, url } = await startWithBinds()
    // A request in progress keeps the old worker (and its generation) alive across both reloads.
    const held = request(`${url}/slow?ms=2500`)
    await sleep(200)
    rewrite(good, [`unix:${sock}`])
    gu.signal('SIGHUP')
    await gu.waitFor(/Reloading|Handling signal: hup/)
    await sleep(500)
    rewrite(good, ['127.0.0.1:0', `unix:${sock}`])
    gu.signal('SIGHUP')
    expect((await held).status).toBe(200)
    await waitUntil('one worker left', () => gu.workerPids().length === 1, 15_000)
    await sleep(300)
    expect((await request(url)).body).toMatch(/^v1 /)
    expect(gu.log).not.toMatch(/Connection in use/)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
