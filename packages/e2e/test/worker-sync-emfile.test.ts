import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
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

/** A process's CPU time (user + system) so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
}
/** Linux's USER_HZ, which /proc/PID/stat counts in. */
const CLOCK_TICKS = 100

describe('@gu/worker-sync native acceptor out of descriptors', () => {
  it('backs off on EMFILE with one warning and no spin, and serves the waiting connection once descriptors free up', async () => {
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
      const worker = Number(log.match(/Booting worker with pid: (\d+)/)![1])
      expect((await request(`${url}/exhaust`)).body).toMatch(/^ok /)
      await sleep(100)
      const cpuBefore = cpuMs(worker)
      const started = Date.now()
      const next = await within(5000, request(`${url}/`), 'the request made while out of descriptors')
      expect(next.body).toMatch(/^ok /)
      expect(Date.now() - started).toBeLessThan(2000)
      // Backing off 100 ms at a time for the ~500 ms left: next to no CPU, where a spin would
      // have kept the worker busy the whole time.
      expect(cpuMs(worker) - cpuBefore).toBeLessThan(150)
      // Said once for the episode, not once per retry.
      expect(log.match(/accept failed \(EMFILE\)/g)).toHaveLength(1)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
