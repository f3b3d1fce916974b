import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { cpSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { E2E_ROOT, Gu, PID_APP, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request } from '../src/harness.js'
import { killArbiters, waitForWorkersOf } from '../src/load-helpers.js'
import { waitUntil, within } from '../src/process-helpers.js'

/** Arbiters started by USR2: the harness doesn't know them. */
const upgraded = new Set<number>()
afterEach(async () => {
  killArbiters(upgraded)
  await killAll()
})
afterAll(cleanupApps)

interface DgramSocket {
  bind(path: string): void
  on(event: 'message', listener: (message: Buffer) => void): void
  close(): void
}
const unix = createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket }

const ENV_APP = `export function app(req, res) { res.end(JSON.stringify({ notifySocket: process.env.NOTIFY_SOCKET ?? null })) }`

/** Plays systemd's side of sd_notify: a datagram socket that collects what gu sends. */
function notifyReceiver(path: string) {
  const messages: string[] = []
  const socket = unix.createSocket('unix_dgram')
  socket.on('message', (message) => messages.push(message.toString()))
  socket.bind(path)
  return { messages, close: () => socket.close() }
}

describe('systemd readiness notification (NOTIFY_SOCKET)', () => {
  it('sends READY=1 once workers serve, RELOADING=1 then READY=1 on HUP, STOPPING=1 on TERM; workers never see the socket', async () => {
    const dir = makeApp({ 'app.mjs': ENV_APP })
    const receiver = notifyReceiver(join(dir, 'notify.sock'))
    try {
      const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir, env: { NOTIFY_SOCKET: join(dir, 'notify.sock') } })
      await gu.waitForWorkers(2)
      await waitUntil('READY=1', () => receiver.messages.some((m) => m.split('\n').includes('READY=1')))
      expect(receiver.messages.filter((m) => m.includes('READY=1'))).toHaveLength(1)
      expect(JSON.parse((await request(await gu.url())).body)).toEqual({ notifySocket: null })

      gu.signal('SIGHUP')
      await waitUntil('RELOADING=1 then READY=1', () => {
        const afterHup = receiver.messages.slice(receiver.messages.findIndex((m) => m.includes('RELOADING=1')))
        return receiver.messages.some((m) => m.includes('RELOADING=1')) && afterHup.some((m) => m.split('\n').includes('READY=1'))
      })

      expect(await gu.stop()).toEqual({ code: 0, signal: null })
      expect(receiver.messages.at(-1)).toMatch(/^STOPPING=1/m)
    } finally {
      receiver.close()
    }
  })

  /** gu on NOTIFY_SOCKET, USR2'd once the first READY=1 came: the new arbiter's pid, once it said READY=1 too. */
  async function upgradeUnderSystemd() {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const receiver = notifyReceiver(join(dir, 'notify.sock'))
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '1'), { cwd: dir, env: { NOTIFY_SOCKET: join(dir, 'notify.sock') } })
    await gu.waitForWorkers(1)
    await waitUntil('READY=1 from the arbiter', () => receiver.messages.some((m) => m.includes(`MAINPID=${gu.pid}`)))
    gu.signal('SIGUSR2')
    const newPid = await waitUntil('READY=1 with MAINPID= from a new arbiter', () => {
      for (const m of receiver.messages) {
        const pid = Number(m.match(/^MAINPID=(\d+)$/m)?.[1])
        if (m.split('\n').includes('READY=1') && pid && pid !== gu.pid) return pid
      }
      return undefined
    }, 15_000)
    upgraded.add(newPid)
    await waitForWorkersOf(newPid, 1, () => gu.log)
    return { gu, receiver, newPid, url: await gu.url() }
  }

  it('USR2: the new arbiter tells systemd it is the main process; the old one exits without STOPPING=1', async () => {
    const { gu, receiver, newPid, url } = await upgradeUnderSystemd()
    try {
      gu.signal('SIGWINCH')
      gu.signal('SIGTERM')
      expect(await within(15_000, gu.exited, 'old arbiter exit')).toEqual({ code: 0, signal: null })
      expect(receiver.messages.some((m) => m.includes('STOPPING=1'))).toBe(false)
      // Its last word names the new arbiter as the main process.
      expect(receiver.messages.filter((m) => m.includes('MAINPID=')).at(-1)).toMatch(new RegExp(`^MAINPID=${newPid}$`, 'm'))
      expect(isAlive(newPid)).toBe(true)
      expect((await request(url)).status).toBe(200)
      // The new arbiter, now alone, does say STOPPING=1 when it stops.
      process.kill(newPid, 'SIGTERM')
      await waitUntil('STOPPING=1 from the new arbiter', () => receiver.messages.some((m) => m.includes('STOPPING=1')), 15_000)
    } finally {
      receiver.close()
    }
  })

  it('USR2 rolled back (TERM to the new arbiter): no STOPPING=1, and the old arbiter is the main process again', async () => {
    const { gu, receiver, newPid, url } = await upgradeUnderSystemd()
    try {
      const before = receiver.messages.length
      process.kill(newPid, 'SIGTERM')
      await waitUntil('MAINPID= of the old arbiter again', () => receiver.messages.slice(before).some((m) => m.includes(`MAINPID=${gu.pid}`)), 15_000)
      expect(receiver.messages.some((m) => m.includes('STOPPING=1'))).toBe(false)
      expect((await request(url)).status).toBe(200)
      expect(await gu.stop()).toEqual({ code: 0, signal: null })
      expect(receiver.messages.at(-1)).toMatch(/^STOPPING=1/m)
    } finally {
      receiver.close()
    }
  })

  it('notifies an abstract NOTIFY_SOCKET (@name), as sd_notify does', async () => {
    // unix-dgram can't bind abstract names; Python's socket module can, and plays systemd here.
    const name = `gu-test-${process.pid}-${Date.now()}`
    const receiver = spawn('python3', ['-c', ABSTRACT_RECEIVER, name], { stdio: ['ignore', 'pipe', 'inherit'] })
    let received = ''
    receiver.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()))
    try {
      await waitUntil('the receiver to bind', () => received.includes('bound\n'))
      const dir = makeApp({ 'app.mjs': ENV_APP })
      const gu = new Gu(asyncArgs('app.mjs:app'), { cwd: dir, env: { NOTIFY_SOCKET: `@${name}` } })
      await gu.waitForWorkers(1)
      await waitUntil('READY=1 on the abstract socket', () => received.split('\n').includes('READY=1'))
      expect(gu.log).not.toMatch(/notif\w+ failed|missing/)
      expect((await request(await gu.url())).status).toBe(200)
    } finally {
      receiver.kill()
    }
  })

  it('says so in one warning line, and serves, when core has no unix datagram socket for this platform', async () => {
    // @gu/core as installed where no prebuilt binary fits and the build script didn't run.
    const dir = makeApp({ 'app.mjs': ENV_APP })
    const core = join(dir, 'core-without-addon')
    for (const part of ['package.json', 'dist', 'bin']) cpSync(join(E2E_ROOT, '../core', part), join(core, part), { recursive: true })
    symlinkSync(join(E2E_ROOT, '../core/node_modules'), join(core, 'node_modules'))
    const gu = new Gu(asyncArgs('app.mjs:app'), { cwd: dir, command: [process.execPath, join(core, 'bin/gu.js')], env: { NOTIFY_SOCKET: join(dir, 'notify.sock') } })
    await gu.waitForWorkers(1)
    expect((await request(await gu.url())).status).toBe(200)
    const warnings = gu.log.split('\n').filter((line) => line.includes('native unix datagram socket'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('NOTIFY_SOCKET is set but the native unix datagram socket is missing (no prebuilt binary for')
    expect(warnings[0]).toContain('fix: npm rebuild @gu/core')
  })
})

/** Binds the abstract socket named by argv[1], prints 'bound', then every datagram's lines. */
const ABSTRACT_RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + sys.argv[1])
print('bound', flush=True)
while True:
    print(s.recv(4096).decode(), flush=True)
`
