import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp } from '../src/harness.js'
import { within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('exit codes that halt the arbiter', () => {
  it('halts with 4 when the app fails to load, without respawning in a loop', async () => {
    const dir = makeApp({ 'app.mjs': `throw new Error('boom at import')\nexport function app() {}\n` })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir })
    expect(await within(10_000, gu.exited, 'arbiter exit')).toEqual({ code: 4, signal: null })
    expect(gu.log).toMatch(/boom at import/)
    expect(gu.log).toMatch(/Shutting down: App failed to load/)
    expect(gu.log.match(/Failed to load the app/g)!.length).toBeLessThanOrEqual(2)
    expect(gu.workerPids()).toEqual([])
  })

  it('halts with 3 when a custom worker class throws in run() before ready()', async () => {
    const dir = makeApp({
      'app.mjs': PID_APP,
      'bad-worker.mjs': `export default { contract: 2, name: 'bad', sockets: 'inherit', async run() { throw new Error('engine exploded') } }\n`,
    })
    const gu = new Gu(['app.mjs:app', '-k', './bad-worker.mjs', '-b', '127.0.0.1:0', '-w', '2'], { cwd: dir })
    expect(await within(10_000, gu.exited, 'arbiter exit')).toEqual({ code: 3, signal: null })
    expect(gu.log).toMatch(/engine exploded/)
    expect(gu.log).toMatch(/Shutting down: Worker failed to boot/)
    expect(gu.log.match(/Worker class 'bad' failed/g)!.length).toBeLessThanOrEqual(2)
    expect(gu.workerPids()).toEqual([])
  })

  it('halts with 3 when a postWorkerInit hook throws', async () => {
    const dir = makeApp({
      'app.mjs': PID_APP,
      'gu.config.mjs': `export default { postWorkerInit() { throw new Error('init hook broke') } }\n`,
    })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir })
    expect(await within(10_000, gu.exited, 'arbiter exit')).toEqual({ code: 3, signal: null })
    expect(gu.log).toMatch(/init hook broke/)
    expect(gu.log).toMatch(/Shutting down: Worker failed to boot/)
    expect(gu.log.match(/postWorkerInit hook threw/g)!.length).toBeLessThanOrEqual(2)
  })
})
