// WebSockets through gu as apps already write them: ws sharing an Express server, socket.io,
// crossws's node adapter through an `upgrade` export, @hono/node-ws, Bun-style backpressure; sync
// refuses them. (Bun's server.upgrade data and headers, topics and a refused handshake are a
// testkit check, run against every class that takes WebSockets.)
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { io as ioClient } from 'socket.io-client'
import { Gu, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

async function serve(files: Record<string, string>, appModule: string, workerClass = 'async'): Promise<{ gu: Gu; url: string }> {
  const dir = makeApp(files)
  const gu = new Gu([appModule, '-k', workerClass, '-b', '127.0.0.1:0', '--access-logfile', '-'], { cwd: dir })
  await gu.waitForWorkers(1)
  return { gu, url: await gu.url() }
}

/** Opens a WebSocket, sends each message, and resolves with what came back (as text). */
function roundTrip(url: string, messages: string[], timeoutMs = 5000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    const got: string[] = []
    const timer = setTimeout(() => {
      ws.terminate()
      reject(new Error(`timed out with ${JSON.stringify(got)}`))
    }, timeoutMs)
    ws.on('open', () => messages.forEach((m) => ws.send(m)))
    ws.on('message', (data) => {
      got.push(String(data))
      if (got.length === messages.length) {
        clearTimeout(timer)
        ws.close()
        resolve(got)
      }
    })
    ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)))
    ws.on('error', reject)
  })
}

const EXPRESS_WS = `import http from 'node:http'
import express from 'express'
import { WebSocketServer } from 'ws'
const app = express()
app.get('/hello', (req, res) => res.send('express says hi'))
export const server = http.createServer(app)
const wss = new WebSocketServer({ server, path: '/ws' })
wss.on('connection', (ws) => ws.on('message', (m) => ws.send('echo:' + m)))
`

describe('node apps on -k async', () => {
  it('ws sharing an Express 5 server: WebSockets on /ws, Express routes beside them', async () => {
    const { gu, url } = await serve({ 'app.mjs': EXPRESS_WS }, 'app.mjs:server')
    const ws = url.replace('http', 'ws')
    expect(await roundTrip(`${ws}/ws`, ['a', 'b'])).toEqual(['echo:a', 'echo:b'])
    expect((await request(`${url}/hello`)).body).toBe('express says hi')
    // ws refuses a path it doesn't serve itself: the app's answer, not gu's.
    await expect(roundTrip(`${ws}/elsewhere`, ['x'])).rejects.toThrow(/handshake answered 400/)
    // Each upgrade is logged as it closes, with the status the app answered.
    await gu.waitFor(/"GET \/ws HTTP\/1\.1" 101 /)
    await gu.waitFor(/"GET \/elsewhere HTTP\/1\.1" 400 /)
  })

  it('socket.io, on its websocket transport and on polling upgraded to websocket', async () => {
    const { url } = await serve(
      {
        'app.mjs': `import http from 'node:http'
import { Server } from 'socket.io'
export const server = http.createServer()
const io = new Server(server)
io.on('connection', (socket) => socket.on('echo', (message, ack) => ack({ message, transport: socket.conn.transport.name })))
`,
      },
      'app.mjs:server',
    )
    for (const transports of [['websocket'], ['polling', 'websocket']]) {
      const socket = ioClient(url, { transports, reconnection: false, timeout: 5000 })
      try {
        const reply = await socket.timeout(5000).emitWithAck('echo', 'hello')
        expect(reply.message).toBe('hello')
        if (transports.length === 1) expect(reply.transport).toBe('websocket')
      } finally {
        socket.disconnect()
      }
    }
  })

  it('an exported server without an upgrade listener gets an upgrade request as a plain request (Node rule), and one added later gets upgrades', async () => {
    const { url } = await serve(
      {
        'app.mjs': `import http from 'node:http'
import { WebSocketServer } from 'ws'
export const server = http.createServer((req, res) => {
  if (req.url === '/attach') new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (m) => ws.send('late:' + m)))
  res.end('plain ' + req.url)
})
`,
      },
      'app.mjs:server',
    )
    const upgradeHeaders = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }
    const plain = await request(`${url}/ws`, { headers: upgradeHeaders })
    expect(plain.status).toBe(200)
    expect(plain.body).toBe('plain /ws')
    await request(`${url}/attach`)
    expect(await roundTrip(`${url.replace('http', 'ws')}/ws`, ['x'])).toEqual(['late:x'])
  })

  it("crossws's node adapter through an 'upgrade' export beside the listener", async () => {
    const { url } = await serve(
      {
        'app.mjs': `import crossws from 'crossws/adapters/node'
const ws = crossws({ hooks: { message(peer, message) { peer.send('crossws:' + message.text()) } } })
export function app(req, res) { res.end('http') }
export const upgrade = (req, socket, head) => ws.handleUpgrade(req, socket, head)
`,
      },
      'app.mjs:app',
    )
    expect(await roundTrip(`${url.replace('http', 'ws')}/any`, ['hi'])).toEqual(['crossws:hi'])
    expect((await request(url)).body).toBe('http')
  })
})

describe('beside the connection guard', () => {
  it('an open WebSocket outlives --header-timeout: it is no longer an HTTP request', async () => {
    const dir = makeApp({ 'app.mjs': EXPRESS_WS })
    const gu = new Gu(['app.mjs:server', '-k', 'async', '-b', '127.0.0.1:0', '--header-timeout', '1'], { cwd: dir })
    await gu.waitForWorkers(1)
    const url = (await gu.url()).replace('http', 'ws')
    const ws = new WebSocket(`${url}/ws`)
    await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject))
    let closed = false
    ws.on('close', () => (closed = true))
    await new Promise((r) => setTimeout(r, 2500))
    expect(closed, gu.log).toBe(false)
    const reply = new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))))
    ws.send('still here')
    expect(await reply).toBe('echo:still here')
    ws.close()
  })
})

describe('Hono on -k async', () => {
  // hono/bun can't be imported on Node (it reads the Bun global as it loads): Hono's own helper
  // for Node is @hono/node-ws, injected into a server the module exports.
  it('@hono/node-ws on an exported server', async () => {
    const { url } = await serve(
      {
        'app.mjs': `import http from 'node:http'
import { Hono } from 'hono'
import { getRequestListener } from '@hono/node-server'
import { createNodeWebSocket } from '@hono/node-ws'
const app = new Hono()
const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app })
app.get('/ws', upgradeWebSocket(() => ({ onMessage(event, ws) { ws.send('hono:' + event.data) } })))
app.get('/', (c) => c.text('hono http'))
export const server = http.createServer(getRequestListener(app.fetch))
injectWebSocket(server)
`,
      },
      'app.mjs:server',
    )
    expect(await roundTrip(`${url.replace('http', 'ws')}/ws`, ['1', '2'])).toEqual(['hono:1', 'hono:2'])
    expect((await request(url)).body).toBe('hono http')
  })
})

describe('Bun-style backpressure on -k async', () => {
  it('send reports -1 past backpressureLimit, and drain runs once the connection has flushed', async () => {
    const { url } = await serve(
      {
        'app.mjs': `export default {
  fetch(request, server) { return server.upgrade(request) ? undefined : new Response('no', { status: 400 }) },
  websocket: {
    backpressureLimit: 1024,
    open(ws) { ws.send('sent:' + ws.send(Buffer.alloc(8 * 1024 * 1024, 1))) },
    message() {},
    drain(ws) { if (!ws.data) { ws.data = true; ws.send('drained') } },
  },
}
`,
      },
      'app.mjs',
    )
    const ws = new WebSocket(`${url.replace('http', 'ws')}/`)
    const texts: string[] = []
    let bigBytes = 0
    const done = new Promise<void>((resolve, reject) => {
      ws.on('message', (m: Buffer, binary: boolean) => {
        if (binary) bigBytes = m.length
        else if (texts.push(String(m)) === 2) resolve()
      })
      ws.on('error', reject)
    })
    await within(10_000, done, 'the big message, the status and the drain')
    ws.close()
    expect(bigBytes).toBe(8 * 1024 * 1024)
    // Bun's status: -1 once the buffered bytes pass the limit; drain follows when they are out.
    expect(texts).toEqual(['sent:-1', 'drained'])
  })
})

describe('-k sync', () => {
  it('answers an upgrade 501 with the reason, logs it as any response, says so at boot, and serves plain requests on', async () => {
    const { gu, url } = await serve({ 'app.mjs': EXPRESS_WS }, 'app.mjs:server', 'sync')
    await expect(roundTrip(`${url.replace('http', 'ws')}/ws`, ['a'])).rejects.toThrow(/handshake answered 501/)
    expect(gu.log).toMatch(/The app takes WebSockets, but the sync worker serves one connection at a time \(use -k async for WebSockets\)/)
    // The refusal has its access-log line, with the reason's bytes, as every response does.
    const body = 'WebSockets are not served here: the sync worker serves one connection at a time (use -k async for WebSockets)\n'
    await gu.waitFor(new RegExp(`"GET /ws HTTP/1\\.1" 501 ${Buffer.byteLength(body)} `), 5000)
    expect((await request(`${url}/hello`)).body).toBe('express says hi')
  })
})
