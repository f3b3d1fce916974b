// The connection guard on real sockets: a node:http server on 127.0.0.1 and raw clients. Time is
// the test's: each sweep is given its `now`, so a limit is crossed without waiting for it (the
// guard's own sweeps, with limits of 10 s, never act within a test).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Logger } from '../log/logger.js'
import { defaultSettings } from '../settings/catalog.js'
import type { Settings } from '../settings/types.js'
import type { WorkerRuntime } from '../worker/types.js'
import { ConnectionGuard } from './connection-guard.js'

const LIMIT_MS = 10_000

interface Client {
  readonly socket: Socket
  /** Everything the server sent. */
  text(): string
  closed: Promise<void>
  isClosed(): boolean
}

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

let cleanup: Array<() => void> = []
afterEach(() => {
  for (const done of cleanup) done()
  cleanup = []
})

/** A guarded server whose app answers at once, except `/hold` (answered when the test says) and `/upload` (read, then answered). */
async function guarded(options: { maxConnections?: number } = {}) {
  const settings = { ...defaultSettings({}), headerTimeout: LIMIT_MS / 1000, bodyTimeout: LIMIT_MS / 1000, minBodyRate: 500, timeout: 30 } as Settings
  let notified = 0
  const worker = {
    settings,
    log: new Logger({ level: 'critical', format: 'text', to: ['/dev/null'], syslog: null }),
    notify: () => notified++,
  } as unknown as WorkerRuntime
  const held: ServerResponse[] = []
  const requests: IncomingMessage[] = []
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    requests.push(req)
    if (req.url === '/hold') return void held.push(res)
    req.resume()
    req.on('end', () => res.end('done'))
  })
  const guard = new ConnectionGuard(worker, options).attach(server)
  // After the guard's own listener: every connection accepted, refused ones too.
  const accepted: Socket[] = []
  server.on('connection', (socket: Socket) => accepted.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const clients: Client[] = []
  cleanup.push(() => {
    guard.close()
    for (const c of clients) c.socket.destroy()
    server.close()
    server.closeAllConnections()
  })
  /** A client whose connection the server has accepted and the guard holds. */
  const open = async (): Promise<Client> => {
    const before = accepted.length
    const socket = connect(port, '127.0.0.1')
    let text = ''
    let closed = false
    socket.on('data', (data) => (text += data.toString('latin1')))
    socket.on('error', () => {})
    const client: Client = {
      socket,
      text: () => text,
      closed: new Promise<void>((resolve) => socket.once('close', () => resolve())).then(() => void (closed = true)),
      isClosed: () => closed,
    }
    clients.push(client)
    await until('the server to accept a connection', () => accepted.length > before)
    return client
  }
  /** Waits until the server has read `bytes` from the connection accepted `index`-th. */
  const received = (index: number, bytes: number) => until(`the server to read ${bytes} bytes`, () => accepted[index]!.bytesRead >= bytes)
  return { guard, open, received, held, requests, notified: () => notified }
}

const HEAD = 'GET / HTTP/1.1\r\nHost: a\r\n'
const upload = (length: number) => `POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${length}\r\n\r\n`

describe('the connection guard', () => {
  it('answers 408 and closes a connection whose head is not in within --header-timeout, silent or trickling', async () => {
    const { guard, open, received } = await guarded()
    const silent = await open()
    const trickling = await open()
    trickling.socket.write(HEAD)
    await received(1, HEAD.length)
    const start = Date.now()
    guard.sweep(start + LIMIT_MS - 500)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect([silent.isClosed(), trickling.isClosed()]).toEqual([false, false])
    guard.sweep(start + LIMIT_MS + 500)
    await until('both to be closed', () => silent.isClosed() && trickling.isClosed())
    for (const client of [silent, trickling]) expect(client.text()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
    expect(guard.size).toBe(0)
  })

  it('cuts a body slower than --min-body-rate over --body-timeout with 408, and keeps a faster one, telling the runtime the worker is alive', async () => {
    const { guard, open, received, requests, notified } = await guarded()
    const slow = await open()
    const fast = await open()
    slow.socket.write(`${upload(100_000)}${'s'.repeat(100)}`)
    fast.socket.write(`${upload(100_000)}${'f'.repeat(100)}`)
    await until('both requests to reach the app', () => requests.length === 2)
    const start = Date.now()
    guard.sweep(start + 1000)
    expect(notified()).toBe(1) // an upload the app waits for is the client's time, not the app's
    // 500 bytes a second over 10 s is 5,000 bytes a window: the fast one sends more.
    fast.socket.write('f'.repeat(6000))
    await received(1, upload(100_000).length + 6100)
    guard.sweep(start + LIMIT_MS + 500)
    await until('slow to be closed', slow.isClosed)
    expect(slow.text()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(fast.isClosed()).toBe(false)
  })

  it('at its cap sheds an idle keep-alive connection first, then the one silent longest, never one with a request in the app', async () => {
    const { guard, open, received, held } = await guarded({ maxConnections: 4 })
    const inApp = await open()
    inApp.socket.write(`${HEAD.replace('/', '/hold')}\r\n`)
    await until('the held request to reach the app', () => held.length === 1)
    const idle = await open()
    idle.socket.write(`${HEAD}\r\n`)
    await until('the keep-alive response', () => idle.text().endsWith('done'))
    const silentLonger = await open()
    silentLonger.socket.write(HEAD)
    await received(2, HEAD.length)
    guard.sweep() // sees silentLonger's bytes now
    await new Promise((resolve) => setTimeout(resolve, 20))
    const silentShorter = await open()
    silentShorter.socket.write(HEAD)
    await received(3, HEAD.length)
    guard.sweep() // and silentShorter's, later
    const order: Client[] = []
    for (const client of [idle, silentLonger, silentShorter]) void client.closed.then(() => order.push(client))

    await open()
    await until('idle to be closed', idle.isClosed)
    expect(idle.text()).not.toMatch(/408/) // idle between requests: closed, nothing to answer
    await open()
    await until('silentLonger to be closed', silentLonger.isClosed)
    expect(silentLonger.text()).toMatch(/^HTTP\/1\.1 408 /)
    expect(order).toEqual([idle, silentLonger])
    expect(silentShorter.isClosed()).toBe(false)
    expect(inApp.isClosed()).toBe(false)
    expect(guard.size).toBe(4)
  })

  it('refuses a new connection when every one it holds has a request in the app, and those requests are answered', async () => {
    const { guard, open, held } = await guarded({ maxConnections: 1 })
    const inApp = await open()
    inApp.socket.write(`${HEAD.replace('/', '/hold')}\r\n`)
    await until('the held request to reach the app', () => held.length === 1)
    const refused = await open()
    await until('refused to be closed', refused.isClosed)
    expect(refused.text()).toBe('')
    held[0]!.end('late')
    await until('the held response', () => inApp.text().endsWith('late'))
    expect(guard.size).toBe(1)
  })
})
