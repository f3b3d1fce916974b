import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
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

  it('keeps serving, with a warning, when NOTIFY_SOCKET is an abstract socket it cannot use', async () => {
    const dir = makeApp({ 'app.mjs': ENV_APP })
    const gu = new Gu(asyncArgs(), { cwd: dir, env: { NOTIFY_SOCKET: '@gu-test-abstract' } })
    await gu.waitForWorkers(1)
    expect(gu.log).toMatch(/abstract socket/)
    expect((await request(await gu.url())).status).toBe(200)
  })
})
