import { spawn } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { GU_BIN, cleanupApps, makeApp, request, sleep } from '../src/harness.js'
import { waitUntil, within } from '../src/process-helpers.js'

afterAll(cleanupApps)

// On /exhaust, the app opens descriptors until the process runs out, holds them 600 ms, then
// frees them: a connection arriving meanwhile can't be accepted (EMFILE) until then.
const FD_HOG_APP = `
import { openSync, closeSync } from 'node:fs'
export function app(req, res) {
  if (req.url === '/exhaust') {
    // Once this connection has closed (freeing its descriptor), take every descriptor left.
    res.on('close', () => setImmediate(() => {
      const held = []
      try { for (;;) held.push(openSync('/dev/null', 'r')) } catch {}
      setTimeout(() => held.forEach((fd) => closeSync(fd)), 600)
    }))
  }
  res.end('ok ' + process.pid)
}
`

describe('@gu/worker-sync native acceptor out of descriptors', () => {
  it('backs off on EMFILE with one warning, no spin, and serves the waiting connection once descriptors free up', async () => {
    const dir = makeApp({ 'app.mjs': FD_HOG_APP })
    const child = spawn('/bin/sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, GU_BIN, 'app.mjs:app', '-k', 'sync', '-b', '127.0.0.1:0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stdout!.on('data', (d) => (log += d))
    child.stderr!.on('data', (d) => (log += d))
    try {
      const url = (await waitUntil('listening', () => log.match(/Listening at: (http:\S+)/)))[1]!
      await waitUntil('a booted worker', () => /Booting worker/.test(log))
      await sleep(200)
      expect((await request(`${url}/exhaust`)).body).toMatch(/^ok /)
      await sleep(100)
      const started = Date.now()
      const next = await within(5000, request(`${url}/`), 'the request made while out of descriptors')
      expect(next.body).toMatch(/^ok /)
      expect(Date.now() - started).toBeLessThan(2000)
      const warnings = log.match(/accept failed \(EMFILE\)/g) ?? []
      expect(warnings.length).toBeGreaterThanOrEqual(1)
      // Backing off 100 ms at a time for ~600 ms: a handful of lines, not a spin's thousands.
      expect(warnings.length).toBeLessThan(20)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
