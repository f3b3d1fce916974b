import { createSocket } from 'node:dgram'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type AddressInfo, createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

// RFC 3164: <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG
const RFC3164 = /^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \S+ ([\w.-]+)\[(\d+)\]: (.*)$/s
// RFC 5424: <PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID SD MSG
const RFC5424 = /^<(\d+)>1 (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) \S+ ([\w.-]+) (\d+) - - (.*)$/s

interface Received {
  pri: number
  tag: string
  pid: number
  body: string
}

function parse3164(message: string): Received {
  const m = RFC3164.exec(message)
  if (!m) throw new Error(`not an RFC 3164 message: ${JSON.stringify(message)}`)
  return { pri: Number(m[1]), tag: m[2]!, pid: Number(m[3]), body: m[4]! }
}

function parse5424(message: string): Received {
  const m = RFC5424.exec(message)
  if (!m) throw new Error(`not an RFC 5424 message: ${JSON.stringify(message)}`)
  return { pri: Number(m[1]), tag: m[3]!, pid: Number(m[4]), body: m[5]! }
}

/** A UDP syslog listener on an ephemeral loopback port: one message per datagram. */
async function udpListener() {
  const messages: string[] = []
  const socket = createSocket('udp4')
  socket.on('message', (m) => messages.push(m.toString()))
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return { messages, address: `udp://127.0.0.1:${socket.address().port}`, close: () => socket.close() }
}

/** A TCP (or unix stream) syslog listener that splits RFC 6587 octet-counted frames. */
async function streamListener(path?: string) {
  const messages: string[] = []
  const server = createServer((socket) => {
    let buffer = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const space = buffer.indexOf(0x20)
        if (space < 0) return
        const length = Number(buffer.subarray(0, space).toString())
        if (buffer.length < space + 1 + length) return
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString())
        buffer = buffer.subarray(space + 1 + length)
      }
    })
  })
  await new Promise<void>((resolve) => (path ? server.listen(path, resolve) : server.listen(0, '127.0.0.1', resolve)))
  const address = path ? `unix://${path}#stream` : `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { messages, address, close: () => server.close() }
}

const unix = createRequire(import.meta.url)('unix-dgram') as {
  createSocket(type: 'unix_dgram'): { bind(path: string): void; on(event: 'message', listener: (m: Buffer) => void): void; close(): void }
}

const LOCAL3_INFO = 19 * 8 + 6
const USER_INFO = 1 * 8 + 6
const USER_ERROR = 1 * 8 + 3

describe('--log-syslog', () => {
  it("sends both logs over UDP in RFC 3164, with Gunicorn's program names, facility and severities", async () => {
    const listener = await udpListener()
    try {
      const dir = makeApp({ 'app.mjs': PID_APP })
      const gu = new Gu(asyncArgs('app.mjs:app', '--log-syslog', '--log-syslog-to', listener.address, '--log-syslog-prefix', 'my:app', '--log-syslog-facility', 'local3'), { cwd: dir })
      const [worker] = await gu.waitForWorkers(1)
      await request(`${await gu.url()}/via-udp`)
      await waitUntil('the access line', () => listener.messages.some((m) => m.includes('/via-udp')))
      expect(await gu.stop()).toEqual({ code: 0, signal: null })
      await waitUntil('the last line', () => listener.messages.some((m) => m.includes('Shutting down: Master')))
      const received = listener.messages.map(parse3164)
      expect(received).toContainEqual({ pri: LOCAL3_INFO, tag: 'gu.my_app.error', pid: gu.pid, body: expect.stringMatching(/^\[INFO\] Starting gu \S+$/) })
      expect(received).toContainEqual({ pri: LOCAL3_INFO, tag: 'gu.my_app.error', pid: worker, body: `[INFO] Booting worker with pid: ${worker}` })
      // With --log-syslog the access log goes to syslog too (and, without --access-logfile, only there).
      expect(received).toContainEqual({ pri: LOCAL3_INFO, tag: 'gu.my_app.access', pid: worker, body: expect.stringMatching(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/via-udp HTTP\/1\.1" 200 /) })
      expect(gu.stdout).toBe('')
      // The error log still goes to stderr as well.
      expect(gu.stderr).toMatch(/\[INFO\] Starting gu/)
    } finally {
      listener.close()
    }
  })

  it('sends over TCP in RFC 5424 with octet counting, errors at their severity, and no access lines when told', async () => {
    const listener = await streamListener()
    try {
      const dir = makeApp({ 'app.mjs': PID_APP })
      const args = ['--log-syslog', '--log-syslog-to', listener.address, '--log-syslog-format', 'rfc5424', '--disable-redirect-access-to-syslog', '--access-logfile', '-']
      const gu = new Gu(asyncArgs('app.mjs:app', ...args), { cwd: dir })
      const [worker] = await gu.waitForWorkers(1)
      await request(`${await gu.url()}/via-tcp`)
      await waitUntil('the access line on stdout', () => gu.stdout.includes('/via-tcp'))
      process.kill(worker!, 'SIGKILL')
      await waitUntil('the error line', () => listener.messages.some((m) => m.includes('SIGKILL')))
      expect(await gu.stop()).toEqual({ code: 0, signal: null })
      const received = listener.messages.map(parse5424)
      expect(received).toContainEqual({ pri: USER_INFO, tag: 'gu.app.mjs.app.error', pid: gu.pid, body: expect.stringMatching(/^\[INFO\] Starting gu /) })
      expect(received).toContainEqual({ pri: USER_ERROR, tag: 'gu.app.mjs.app.error', pid: gu.pid, body: expect.stringMatching(new RegExp(`^\\[ERROR\\] Worker \\(pid:${worker}\\) was sent SIGKILL!`)) })
      expect(received.some((r) => r.tag.endsWith('.access'))).toBe(false)
      expect(gu.stdout).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/via-tcp HTTP\/1\.1" 200 /)
    } finally {
      listener.close()
    }
  })

  it('takes its destinations from --log-config: JSON lines over a unix datagram socket, and a unix stream socket', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const dgramPath = join(dir, 'log.sock')
    const messages: string[] = []
    const dgram = unix.createSocket('unix_dgram')
    dgram.on('message', (m) => messages.push(m.toString()))
    dgram.bind(dgramPath)
    const stream = await streamListener(join(dir, 'stream.sock'))
    try {
      const config = {
        error: { format: 'json', to: ['-', 'syslog'] },
        access: { format: 'json', to: 'syslog' },
        syslog: { to: `unix://${dgramPath}`, facility: 'local0', prefix: 'svc' },
      }
      writeFileSync(join(dir, 'log.json'), JSON.stringify(config))
      const gu = new Gu(asyncArgs('app.mjs:app', '--log-config', 'log.json'), { cwd: dir })
      const [worker] = await gu.waitForWorkers(1)
      await request(`${await gu.url()}/via-unix`)
      await waitUntil('the access line', () => messages.some((m) => m.includes('/via-unix')))
      expect(await gu.stop()).toEqual({ code: 0, signal: null })
      const received = messages.map(parse3164)
      const access = received.find((r) => r.tag === 'gu.svc.access')!
      expect(access).toMatchObject({ pri: 16 * 8 + 6, pid: worker })
      expect(JSON.parse(access.body)).toMatchObject({ level: 'info', method: 'GET', path: '/via-unix', status: 200 })
      const boot = received.find((r) => r.tag === 'gu.svc.error' && r.pid === worker)!
      expect(JSON.parse(boot.body)).toMatchObject({ level: 'info', pid: worker, message: `Booting worker with pid: ${worker}` })

      // The same over a unix stream socket, RFC 5424.
      writeFileSync(join(dir, 'log.json'), JSON.stringify({ ...config, syslog: { to: stream.address, format: 'rfc5424' } }))
      const again = new Gu(asyncArgs('app.mjs:app', '--log-config', 'log.json'), { cwd: dir })
      await again.waitForWorkers(1)
      await request(`${await again.url()}/via-stream`)
      await waitUntil('the access line over the stream', () => stream.messages.some((m) => m.includes('/via-stream')))
      expect(await again.stop()).toEqual({ code: 0, signal: null })
      expect(stream.messages.map(parse5424).some((r) => r.tag === 'gu.app.mjs.app.access')).toBe(true)
    } finally {
      dgram.close()
      stream.close()
    }
  })

  it('keeps serving when syslog is unreachable, saying so once on stderr', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--log-syslog', '--log-syslog-to', `tcp://127.0.0.1:${port}`), { cwd: dir })
    await gu.waitForWorkers(2)
    const url = await gu.url()
    for (let i = 0; i < 20; i++) expect((await request(`${url}/still-up`)).status).toBe(200)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    const complaints = gu.stderr.split('\n').filter((l) => l.startsWith(`gu: cannot write the log to syslog tcp://127.0.0.1:${port}: connect ECONNREFUSED`))
    // Once per process (the arbiter, two workers), however many lines it could not send.
    expect(complaints.length).toBeGreaterThanOrEqual(1)
    expect(complaints.length).toBeLessThanOrEqual(3)
  })
})
