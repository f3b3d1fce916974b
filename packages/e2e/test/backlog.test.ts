// --backlog reaches the kernel on every path that listens: the arbiter's own sockets, inherited
// descriptors (fd://N), a HUP that changes it, and the new arbiter of a USR2 upgrade. The value is
// read back from the kernel: `ss -ltn` shows a listening socket's backlog as its Send-Q (capped by
// net.core.somaxconn, so the values here stay well below its usual 4096).
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { killArbiters, readPid, waitForWorkersOf } from '../src/load-helpers.js'
import { GuWithFds, listeningSocket, waitUntil, within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'))

/** The backlog the kernel holds for the TCP listener on `port`, from `ss -ltn`'s Send-Q column. */
function kernelBacklog(port: number): number | undefined {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
  const line = out.split('\n').find((l) => l.startsWith('LISTEN'))
  return line ? Number(line.trim().split(/\s+/)[2]) : undefined
}

const portOf = (url: string) => Number(new URL(url).port)

describe.skipIf(!hasSs || somaxconn < 400)('--backlog is the listening sockets\' backlog (read from the kernel with ss)', () => {
  it.each(['async', 'sync'])('-k %s: the arbiter\'s socket, and again after a HUP that changes it', async (workerClass) => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': 'export default { backlog: 123 }' })
    const gu = new Gu(['app.mjs:app', '-k', workerClass, '-b', '127.0.0.1:0'], { cwd: dir })
    await gu.waitForWorkers(1)
    const port = portOf(await gu.url())
    expect(kernelBacklog(port)).toBe(123)
    writeFileSync(join(dir, 'gu.config.mjs'), 'export default { backlog: 321 }')
    const before = gu.workerPids()
    gu.signal('SIGHUP')
    await waitUntil('the new generation', () => gu.workerPids().length === 1 && gu.workerPids()[0] !== before[0], 15_000)
    await waitUntil('the kernel to hold the new backlog', () => kernelBacklog(port) === 321, 5000)
    expect((await request(`http://127.0.0.1:${port}/`)).status).toBe(200)
  })

  it('fd://N: an inherited listening socket gets --backlog, not 511', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const { server, fd, port } = await listeningSocket()
    const gu = new GuWithFds(['app.mjs:app', '-k', 'async', '-b', 'fd://5', '--backlog', '77'], { cwd: dir, fds: { 5: fd } })
    try {
      await new Promise((resolve) => gu.child.once('spawn', resolve))
      server.close()
      await gu.waitFor(/Booting worker with pid: (\d+)/)
      await waitUntil('a worker to serve', () => request(`http://127.0.0.1:${port}/`).then((r) => r.status === 200, () => false), 10_000)
      expect(kernelBacklog(port)).toBe(77)
      process.kill(gu.pid, 'SIGTERM')
      expect(await within(10_000, gu.exited, 'gu stop')).toEqual({ code: 0, signal: null })
    } finally {
      gu.kill()
      server.close()
    }
  })

  it('USR2: the new arbiter listens with its own --backlog on the sockets it inherits', async () => {
    const started = new Set<number>()
    try {
      const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': 'export default { backlog: 111 }' })
      const pidfile = join(dir, 'gu.pid')
      const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:0', '-p', pidfile], { cwd: dir })
      await gu.waitForWorkers(1)
      const port = portOf(await gu.url())
      expect(kernelBacklog(port)).toBe(111)
      writeFileSync(join(dir, 'gu.config.mjs'), 'export default { backlog: 222 }')
      gu.signal('SIGUSR2')
      const newPid = await waitUntil('the new arbiter to write its pidfile', () => readPid(`${pidfile}.2`), 15_000)
      started.add(newPid)
      await waitForWorkersOf(newPid, 1, () => gu.log)
      expect(kernelBacklog(port)).toBe(222)
    } finally {
      killArbiters(started)
    }
  })
})
