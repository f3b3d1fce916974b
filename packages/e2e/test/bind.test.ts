import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { GuWithFds, listeningAt, listeningSocket, within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv6' && i.address === '::1'))

describe('bind forms', () => {
  it('serves on TCP 127.0.0.1:0', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:0'], { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const url = await gu.url()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(url).not.toMatch(/:0$/)
    const res = await request(url)
    expect(res.status).toBe(200)
    expect(Number(res.body)).toBe(worker)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it.skipIf(!hasIpv6Loopback)('serves on IPv6 loopback [::1]:0 (skipped when the machine has no ::1 loopback)', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', '[::1]:0'], { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const url = await gu.url()
    expect(url).toMatch(/^http:\/\/\[::1\]:\d+$/)
    const res = await request(url)
    expect(res.status).toBe(200)
    expect(Number(res.body)).toBe(worker)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('serves on unix:PATH and removes the socket file on exit', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const path = join(dir, 'gu.sock')
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', `unix:${path}`], { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    expect(listeningAt(gu.log)).toEqual([`unix:${path}`])
    expect(existsSync(path)).toBe(true)
    const res = await request('http://localhost/', { socketPath: path })
    expect(res.status).toBe(200)
    expect(Number(res.body)).toBe(worker)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    expect(existsSync(path)).toBe(false)
  })

  it('serves on fd://N, a listening socket it inherited', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const { server, fd, port } = await listeningSocket()
    const gu = new GuWithFds(['app.mjs:app', '-k', 'async', '-b', 'fd://5'], { cwd: dir, fds: { 5: fd } })
    try {
      // gu holds its own copy of the descriptor now: close ours, so only gu can accept.
      await new Promise((resolve) => gu.child.once('spawn', resolve))
      server.close()
      await gu.waitFor(/Booting worker with pid: (\d+)/)
      const worker = Number(gu.log.match(/Booting worker with pid: (\d+)/)![1])
      expect(listeningAt(gu.log)).toEqual([`http://127.0.0.1:${port}`])
      const res = await request(`http://127.0.0.1:${port}/`)
      expect(res.status).toBe(200)
      expect(Number(res.body)).toBe(worker)
      process.kill(gu.pid, 'SIGTERM')
      expect(await within(10_000, gu.exited, 'gu stop')).toEqual({ code: 0, signal: null })
    } finally {
      gu.kill()
      server.close()
    }
  })

  // The sync worker wraps each connection it accepts itself: TCP (v4, v6) and unix alike.
  it.each(['async', 'sync'])('serves on several -b addresses at once (-k %s), with the client address on TCP', async (workerClass) => {
    const dir = makeApp({ 'app.mjs': 'export const app = (req, res) => res.end(process.pid + " " + req.socket.remoteAddress)' })
    const path = join(dir, 'multi.sock')
    const binds = ['127.0.0.1:0', ...(hasIpv6Loopback ? ['[::1]:0'] : []), `unix:${path}`]
    const gu = new Gu(['app.mjs:app', '-k', workerClass, '-w', '2', ...binds.flatMap((b) => ['-b', b])], { cwd: dir })
    const workers = await gu.waitForWorkers(2)
    const addresses = listeningAt(gu.log)
    expect(addresses).toHaveLength(binds.length)
    for (const address of addresses) {
      const res = address.startsWith('unix:') ? await request('http://localhost/', { socketPath: address.slice(5) }) : await request(address)
      expect(res.status).toBe(200)
      const [pid, remoteAddress] = res.body.split(' ')
      expect(workers).toContain(Number(pid))
      const expected = address.startsWith('unix:') ? 'undefined' : address.includes('[::1]') ? '::1' : '127.0.0.1'
      expect(remoteAddress).toBe(expected)
    }
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    expect(existsSync(path)).toBe(false)
  })
})

describe('unix socket files left behind', () => {
  it('replaces a socket file left by a server that died', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const path = join(dir, 'stale.sock')
    // A server that dies without removing its socket file.
    const dead = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`])
    await new Promise((resolve) => dead.stdout!.once('data', resolve))
    dead.kill('SIGKILL')
    await new Promise((resolve) => dead.once('exit', resolve))
    expect(existsSync(path)).toBe(true)
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', `unix:${path}`], { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    expect(Number((await request('http://localhost/', { socketPath: path })).body)).toBe(worker)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('waits while a live server holds the socket, and binds once it has gone', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const path = join(dir, 'held.sock')
    const live = createServer((socket) => socket.end())
    await new Promise<void>((resolve) => live.listen(path, resolve))
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', `unix:${path}`], { cwd: dir })
    await gu.waitFor(new RegExp(`Connection in use: unix:${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))
    await new Promise((resolve) => live.close(resolve))
    const [worker] = await gu.waitForWorkers(1)
    expect(Number((await request('http://localhost/', { socketPath: path })).body)).toBe(worker)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
