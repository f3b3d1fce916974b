import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, cleanupApps, killAll, makeApp, request } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('--reuse-port', () => {
  it('lets a second arbiter with --reuse-port serve the same address, and both take connections', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const first = new Gu(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:0', '--reuse-port'], { cwd: dir })
    const [firstWorker] = await first.waitForWorkers(1)
    const url = await first.url()
    const second = new Gu(['app.mjs:app', '-k', 'async', '-b', url.replace('http://', ''), '--reuse-port'], { cwd: dir })
    const [secondWorker] = await second.waitForWorkers(1)
    expect(await second.url()).toBe(url)
    // The kernel picks a socket by a hash of each connection's addresses: new connections reach both.
    const served = new Set<number>()
    for (let i = 0; i < 64 && served.size < 2; i++) served.add(Number((await request(url, { headers: { connection: 'close' } })).body))
    expect(served).toEqual(new Set([firstWorker, secondWorker]))
    // The first one stopping leaves the address served by the second.
    expect(await first.stop()).toEqual({ code: 0, signal: null })
    expect(Number((await request(url)).body)).toBe(secondWorker)
  })

  it('without it, a second arbiter on the same address is refused', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const first = new Gu(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:0', '--reuse-port'], { cwd: dir })
    await first.waitForWorkers(1)
    const address = (await first.url()).replace('http://', '')
    const second = new Gu(['app.mjs:app', '-k', 'async', '-b', address], { cwd: dir })
    await second.waitFor(/address already in use/, 20_000)
    expect((await second.exited).code).toBe(1)
  })
})
