// The sync worker's whole suite again, with the portable acceptor (socket copies from the
// arbiter) that serves when the native accept addon couldn't be built.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, cleanupApps, killAll, makeApp } from '../src/harness.js'

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
})
