// websocket: for classes that declare `websockets` (`'fetch'`: the fetch app only), the node and fetch WebSocket apps served
// as they are: echo, large frames, close codes both ways, and a graceful stop that drains HTTP
// first, then closes each WebSocket with 1001 (Going Away).
import { createHash, randomBytes } from 'node:crypto'
import { ensure, fail } from '../ensure.js'
import type { GuProcess } from '../gu-process.js'
import { getText, request } from '../http-client.js'
import { RawConnection } from '../raw-connection.js'
import type { Check, CheckContext } from '../types.js'
import { settle, sleep, within } from '../wait.js'
import { WsClient } from '../ws-client.js'

const group = 'websocket'
const APPS = ['ws-node', 'ws-fetch'] as const
type WsApp = (typeof APPS)[number]
const label = (app: WsApp) => (app === 'ws-node' ? 'node app (http.Server + ws)' : 'fetch app (server.upgrade + websocket handlers)')

const wsUrl = (gu: GuProcess, path = '/ws') => `${gu.url.replace(/^http/, 'ws')}${path}`

/** Runs `body` once per WebSocket app, each on its own gu, naming the app in a failure. */
async function eachApp(ctx: CheckContext, body: (gu: GuProcess, app: WsApp) => Promise<void>, args: string[] = []): Promise<void> {
  // A class that serves only fetch apps' WebSockets (uWS: no raw sockets) is checked on that one.
  const apps = ctx.workerClass.websockets === 'fetch' ? APPS.filter((app) => app === 'ws-fetch') : APPS
  for (const app of apps) {
    const gu = await ctx.start({ app, args })
    try {
      await body(gu, app)
    } catch (error) {
      fail(`${label(app)}: ${(error as Error).message}`)
    } finally {
      gu.kill()
    }
  }
}

const echo: Check = {
  group,
  name: 'a WebSocket echoes text as text and binary as binary',
  websockets: true,
  timeoutMs: 40_000,
  async run(ctx) {
    await eachApp(ctx, async (gu) => {
      const ws = await WsClient.open(wsUrl(gu))
      ws.send('hello, gu')
      const text = await ws.next(5000)
      ensure(!text.binary && text.data.toString() === 'hello, gu', `a text message came back as ${text.binary ? 'binary' : 'text'} ${JSON.stringify(text.data.toString().slice(0, 40))}`)
      const bytes = randomBytes(1000)
      ws.send(bytes)
      const binary = await ws.next(5000)
      ensure(binary.binary && binary.data.equals(bytes), `a 1000-byte binary message came back as ${binary.binary ? 'binary' : 'text'} of ${binary.data.length} bytes, not the same bytes`)
      // HTTP goes on beside it.
      ensure(/^\d+$/.test(await getText(`${gu.url}/pid`)), 'a plain request beside an open WebSocket was not answered')
      ws.close(1000)
    })
  },
}

const largeFrames: Check = {
  group,
  name: 'a 16 MiB binary message comes back whole',
  websockets: true,
  timeoutMs: 60_000,
  async run(ctx) {
    await eachApp(ctx, async (gu) => {
      const ws = await WsClient.open(wsUrl(gu))
      const payload = randomBytes(16 * 1024 * 1024)
      ws.send(payload)
      const back = await ws.next(20_000)
      const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')
      ensure(back.binary && back.data.length === payload.length && sha(back.data) === sha(payload), `a 16 MiB message came back as ${back.data.length} bytes${back.data.length === payload.length ? ' that differ' : ''}`)
      ws.close(1000)
    })
  },
}

const closeCodes: Check = {
  group,
  name: 'close codes and reasons reach the other side, both ways',
  websockets: true,
  timeoutMs: 40_000,
  async run(ctx) {
    await eachApp(ctx, async (gu) => {
      const byServer = await WsClient.open(wsUrl(gu))
      byServer.send('close:4002:done here')
      const closed = await within(5000, byServer.closed)
      ensure(closed, 'the app closed the WebSocket with 4002, but the client saw no close within 5s')
      ensure(closed.code === 4002 && closed.reason === 'done here', `the app closed with 4002 'done here'; the client saw ${closed.code} '${closed.reason}'`)

      const byClient = await WsClient.open(wsUrl(gu))
      byClient.close(4001, 'bye')
      await within(5000, byClient.closed)
      type Seen = { code: number; reason: string } | null
      const lastClose = async () => JSON.parse(await getText(`${gu.url}/last-close`)) as Seen
      let seen = await lastClose()
      for (let i = 0; i < 40 && seen?.code !== 4001; i++) {
        await sleep(50)
        seen = await lastClose()
      }
      ensure(seen?.code === 4001 && seen.reason === 'bye', `the client closed with 4001 'bye'; the app's close handler saw ${seen ? `${seen.code} '${seen.reason}'` : 'nothing'}`)
    })
  },
}

const GRACEFUL = 6

const gracefulStop: Check = {
  group,
  name: 'TERM drains HTTP first, then closes WebSockets with 1001; the access log has each 101',
  websockets: true,
  timeoutMs: 60_000,
  async run(ctx) {
    await eachApp(
      ctx,
      async (gu) => {
        const ws = await WsClient.open(wsUrl(gu))
        const slow = settle(request(`${gu.url}/slow?ms=1500`, { timeoutMs: 15_000 }))
        await sleep(300)
        gu.signal('SIGTERM')
        const [closed, answered] = await Promise.all([within(GRACEFUL * 1000 + 3000, ws.closed), slow])
        ensure(answered.ok && answered.value.status === 200, `the request in flight at TERM did not get its 200 (${answered.ok ? answered.value.status : answered.error.message})`)
        ensure(closed, `the open WebSocket was not closed within --graceful-timeout ${GRACEFUL}s of TERM`)
        ensure(closed.code === 1001, `the WebSocket open at TERM was closed with ${closed.code}, not 1001 (Going Away)${closed.code === 1006 ? ': the connection was cut without a close frame' : ''}`)
        ensure(closed.at >= answered.at - 50, `the WebSocket was closed ${answered.at - closed.at} ms before the request in flight was answered: HTTP must drain first`)
        const exit = await gu.waitForExit(3000)
        ensure(exit, `the arbiter did not exit within 3s of the WebSocket closing${/Killing \d+ worker|Graceful stop took longer/.test(gu.output) ? ' (the worker was held until --graceful-timeout)' : ''}`)
        ensure(exit.code === 0, `the arbiter exited with ${exit.code ?? exit.signal} after TERM, expected 0`)
        ensure(/"GET \/ws HTTP\/1\.1" 101 /.test(gu.output), `the access log has no '"GET /ws HTTP/1.1" 101' line for the WebSocket once it closed`)
      },
      ['--graceful-timeout', String(GRACEFUL), '--access-logfile', '-'],
    )
  },
}

/** A WebSocket handshake (RFC 6455 §4.1) the app would accept, with room for one more field. */
const handshake = (extra: string) =>
  `GET /ws HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
const MALFORMED: ReadonlyArray<[what: string, extra: string, status: number]> = [
  ['a second Host field (RFC 9110 §7.2)', 'Host: b.example\r\n', 400],
  ['a 9,000-byte field (--limit-request-field-size 8190)', `X-Big: ${'b'.repeat(9000)}\r\n`, 431],
]

const strictHandshake: Check = {
  group,
  name: 'a handshake that breaks the request rules gets its 400/431 and is closed: the app never upgrades it',
  websockets: true,
  timeoutMs: 40_000,
  async run(ctx) {
    await eachApp(ctx, async (gu) => {
      for (const [what, extra, status] of MALFORMED) {
        const conn = await RawConnection.open(gu.port)
        try {
          conn.write(handshake(extra))
          const res = await conn.readResponse('GET', 5000)
          ensure(res, `a handshake with ${what}: no response within 5s${conn.closed ? ' (the connection was closed)' : ''}`)
          ensure(res.status === status, `a handshake with ${what} got ${res.status}, expected ${status}${res.status === 101 ? ': it reached the app, which upgraded it' : ''}`)
          ensure(await conn.waitForClose(3000), `a handshake with ${what} got its ${status}, but the connection stayed open`)
        } finally {
          conn.destroy()
        }
      }
      const ws = await WsClient.open(wsUrl(gu))
      ws.close(1000)
    })
  },
}


/** Bun's server API around a fetch app's WebSockets, which Bun-targeting code (Hono's helper, crossws) relies on. */
const bunServerApi: Check = {
  group,
  name: 'fetch app: server.upgrade passes data and headers, publish reaches subscribers, a refused handshake gets the Response',
  websockets: true,
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ app: 'ws-bun' })
    const ws = await WsClient.open(`${wsUrl(gu, '/')}?name=ann`, 5000, { authorization: 'yes' })
    try {
      ensure(ws.handshake['x-welcome'] === 'in', `server.upgrade(request, { headers: { 'x-welcome': 'in' } }): the 101 had x-welcome ${JSON.stringify(ws.handshake['x-welcome'])}`)
      const hello = (await ws.next(5000)).data.toString()
      ensure(hello === 'hello ann from 127.0.0.1', `open() sent ${JSON.stringify(hello)}; expected 'hello ann from 127.0.0.1' (ws.data from server.upgrade, ws.remoteAddress)`)
      ws.send('text')
      const text = (await ws.next(5000)).data.toString()
      ensure(text === 'string', `a text message reached message() as ${JSON.stringify(text)}, expected a string`)
      ws.send(Buffer.from([1]))
      const binary = (await ws.next(5000)).data.toString()
      ensure(binary === 'object', `a binary message reached message() as ${JSON.stringify(binary)}, expected a Buffer`)
      // open() subscribed before it said hello: a publish from a plain request reaches this socket.
      const published = await getText(`${gu.url}/publish`)
      ensure(published !== '0', `server.publish('room', …) from a plain request returned ${published}: the subscribed socket in this worker was not reached`)
      const news = (await ws.next(5000)).data.toString()
      ensure(news === 'news', `the subscribed socket got ${JSON.stringify(news)} after server.publish, expected 'news'`)
    } finally {
      ws.close(1000)
    }
    const handshake = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }
    const refused = await request(gu.url, { headers: handshake })
    ensure(refused.status === 401 && refused.text === 'who are you', `a handshake the app answered with new Response('who are you', { status: 401 }) got ${refused.status} ${JSON.stringify(refused.text.slice(0, 40))}`)
  },
}

export const websocketChecks: readonly Check[] = [echo, largeFrames, closeCodes, gracefulStop, strictHandshake, bunServerApi]
