// gu runs with its soft RLIMIT_NOFILE at the hard limit (Node raises it at start), logs it, and its
// workers inherit it. Started here with a low soft limit (util-linux's prlimit), so a gu that kept
// the limit it was given would fail.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { GU_BIN, Gu, PID_APP, cleanupApps, killAll, makeApp, request, sleep } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0
const limits = (pid: number) => readFileSync(`/proc/${pid}/limits`, 'utf8').match(/^Max open files\s+(\d+)\s+(\d+)/m)!.slice(1).map(Number)

describe.skipIf(!hasPrlimit)('the open-files limit', () => {
  it('is the hard limit even when gu is started with a low soft limit, is logged, and the workers inherit it', async () => {
    const [, hard] = limits(process.pid)
    const dir = makeApp({ 'app.mjs': PID_APP })
    // prlimit execs node with the lowered soft limit: the arbiter's pid is the child's.
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:0', '--worker-connections', '100'], { cwd: dir, command: ['prlimit', `--nofile=256:${hard}`, process.execPath, GU_BIN] })
    const [worker] = await gu.waitForWorkers(1)
    await gu.waitFor(new RegExp(`\\[INFO\\] Open files limit: ${hard} \\(hard limit ${hard}\\)`))
    expect(limits(gu.pid)).toEqual([hard, hard])
    expect(limits(worker!)).toEqual([hard, hard])
    expect((await request(await gu.url())).status).toBe(200)
  })

  it('warns when the hard limit is too low for --worker-connections', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:0'], { cwd: dir, command: ['prlimit', '--nofile=512:512', process.execPath, GU_BIN] })
    await gu.waitForWorkers(1)
    await gu.waitFor(/\[WARNING\] Open files limit: 512 \(hard limit 512\): below --worker-connections 10000, so a worker holds at most 448 connections; raise the hard limit/)
  })

  it('caps a worker at the open-files limit less 64: past it a new client gets in by shedding, where accepts would fail', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    // 128 descriptors: a worker holds at most 64 connections; 120 silent ones would exhaust them.
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:0', '--header-timeout', '30'], { cwd: dir, command: ['prlimit', '--nofile=128:128', process.execPath, GU_BIN] })
    await gu.waitForWorkers(1)
    await gu.waitFor(/so a worker holds at most 64 connections/)
    const url = new URL(await gu.url())
    const silent: Socket[] = []
    let closed = 0
    try {
      for (let i = 0; i < 120; i++) {
        const socket = connect(Number(url.port), url.hostname)
        socket.on('error', () => {})
        socket.resume() // read the 408, so that its close is seen
        socket.once('close', () => closed++)
        silent.push(socket)
      }
      await sleep(500)
      const res = await request(url.href, { timeoutMs: 3000 })
      expect(res.status).toBe(200)
      expect(closed).toBeGreaterThanOrEqual(120 - 64)
    } finally {
      for (const socket of silent) socket.destroy()
    }
  })
})
