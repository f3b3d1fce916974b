// Native uWS WebSockets behind Bun's API for fetch apps: the upgrade request goes to `fetch` with
// a server whose `upgrade(request, { data, headers })` accepts it, and the app's `websocket`
// handlers get each socket. Reported to the runtime as upgrades: a graceful stop closes them with
// 1001 once requests have drained, and each is one access-log line when it closes.
import { STATUS_CODES } from 'node:http'
import { type ActiveUpgrade, type FetchHandler, type FetchServer, REFUSAL_TEXT, refusalBody, requestRules, type ResponseView, runWebSocketHandler, type UpgradeOptions, type WebSocketHandler, type WorkerRuntime } from '@gu/core'
import type { HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from 'uWebSockets.js'
import { UwsBunSocket } from './bun-socket.js'
import { UwsRequestView } from './exchange.js'
import type { UwsModule } from './native.js'
import { RequestHead } from './request-head.js'

const MIB = 1024 * 1024
const GOING_AWAY = 1001

/** What each uWS socket carries from its upgrade to its close. */
interface Held {
  data: unknown
  view: UwsRequestView
  active: ActiveUpgrade
  socket?: UwsBunSocket
  /** A graceful stop came before the socket opened: close it as soon as it does. */
  leaving?: boolean
}

const UPGRADED: ResponseView = { statusCode: 101, bytes: 0, aborted: false, getHeader: () => undefined }

/** The fetch handler's second argument on a plain request: its client, and `publish`; nothing to upgrade. */
export class PlainFetchServer implements FetchServer {
  readonly #view: UwsRequestView
  readonly #app: TemplatedApp

  constructor(view: UwsRequestView, app: TemplatedApp) {
    this.#view = view
    this.#app = app
  }
  requestIP(): ReturnType<FetchServer['requestIP']> {
    return addressOf(this.#view.remoteAddress)
  }
  upgrade(): boolean {
    return false
  }
  publish(topic: string, data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): number {
    return UwsBunSocket.publish(this.#app, topic, data, compress)
  }
}

function addressOf(address: string | undefined): ReturnType<FetchServer['requestIP']> {
  return address ? { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: 0 } : null
}

export function serveWebSockets(uws: UwsModule, app: TemplatedApp, worker: WorkerRuntime, fetch: FetchHandler, websocket: WebSocketHandler): void {
  const { log } = worker
  const run = (name: string, call: () => unknown) => runWebSocketHandler(log, name, call)
  const socketOf = (ws: WebSocket<unknown>) => heldBy(ws).socket!
  const rules = requestRules(worker.settings)

  app.ws('/*', {
    maxPayloadLength: websocket.maxPayloadLength ?? 16 * MIB,
    maxBackpressure: websocket.backpressureLimit ?? 16 * MIB,
    compression: websocket.perMessageDeflate ? uws.SHARED_COMPRESSOR : uws.DISABLED,
    upgrade: (res, req, context) => {
      // The same rules as any request's head: a refused one never reaches the app.
      const head = new RequestHead(req, rules)
      const refusal = head.refusal
      if (refusal) return void res.cork(() => res.writeStatus(`${refusal.status} ${REFUSAL_TEXT[refusal.status]}`).writeHeader('content-type', 'text/plain; charset=utf-8').end(refusalBody(refusal), true))
      upgrade(app, worker, fetch, res, head, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context)
    },
    open: (ws) => {
      const held = heldBy(ws)
      held.socket = new UwsBunSocket(ws, app, held.data, held.view.remoteAddress ?? '')
      if (held.leaving) return ws.end(GOING_AWAY, 'server going away')
      if (websocket.open) run('open', () => websocket.open!(held.socket!))
    },
    message: (ws, message, isBinary) => {
      // uWS lends the bytes for this call only: copy them.
      const payload = isBinary ? Buffer.from(message.slice(0)) : Buffer.from(message).toString('utf8')
      run('message', () => websocket.message(socketOf(ws), payload))
    },
    close: (ws, code, message) => {
      const held = heldBy(ws)
      const socket = held.socket!
      socket.closed = true
      const reason = Buffer.from(message).toString('utf8')
      if (websocket.close) run('close', () => websocket.close!(socket, code, reason))
      held.active.end(UPGRADED)
    },
    drain: websocket.drain ? (ws) => run('drain', () => websocket.drain!(socketOf(ws))) : undefined,
    ping: websocket.ping ? (ws, message) => run('ping', () => websocket.ping!(socketOf(ws), Buffer.from(message.slice(0)))) : undefined,
    pong: websocket.pong ? (ws, message) => run('pong', () => websocket.pong!(socketOf(ws), Buffer.from(message.slice(0)))) : undefined,
  })
}

function upgrade(app: TemplatedApp, worker: WorkerRuntime, fetch: FetchHandler, res: HttpResponse, head: RequestHead, key: string, protocol: string, extensions: string, context: us_socket_context_t): void {
  const view = new UwsRequestView(head, res)
  let done = false
  let aborted = false
  const held: Held = { data: undefined, view, active: undefined! }
  held.active = worker.beginUpgrade(view, () => {
    if (held.socket) held.socket.close(GOING_AWAY, 'server going away')
    else held.leaving = true
  })
  // The app may answer later: uWS needs to know if the client leaves meanwhile.
  res.onAborted(() => {
    aborted = true
    if (!done) held.active.end({ ...UPGRADED, statusCode: 0, aborted: true })
  })
  const server: FetchServer = {
    requestIP: () => addressOf(view.remoteAddress),
    publish: (topic, data, compress) => UwsBunSocket.publish(app, topic, data, compress),
    upgrade: (_request: Request, options?: UpgradeOptions) => {
      if (done || aborted) return false
      done = true
      held.data = options?.data
      res.cork(() => {
        if (options?.headers) {
          res.writeStatus('101 Switching Protocols')
          new Headers(options.headers).forEach((value, name) => res.writeHeader(name, value))
        }
        // uWS copies the user data's own properties: hand it a holder, so `held` stays one object.
        res.upgrade({ held }, key, protocol, extensions, context)
      })
      return true
    },
  }
  const host = head.host ?? 'localhost'
  const request = new Request(`http://${host}${head.url.startsWith('/') ? head.url : `/${head.url}`}`, { method: head.method, headers: pairs(head.raw) })
  Promise.resolve()
    .then(() => fetch(request, server))
    .then(
      (response) => (done || aborted ? undefined : refuse(res, response, held, () => (done = true), () => aborted)),
      (error) => {
        worker.log.error(`Error handling upgrade ${head.url}`, error)
        if (done || aborted) return
        done = true
        res.cork(() => res.writeStatus('500 Internal Server Error').end('', true))
        held.active.end({ ...UPGRADED, statusCode: 500 })
      },
    )
}

/** The app answered the handshake without upgrading: its Response, then the connection closes. */
async function refuse(res: HttpResponse, response: Response | undefined, held: Held, finish: () => void, aborted: () => boolean): Promise<void> {
  const ok = response instanceof Response
  const status = ok ? response.status : 500
  const body = ok ? new Uint8Array(await response.arrayBuffer()) : new Uint8Array()
  if (aborted()) return
  finish()
  res.cork(() => {
    res.writeStatus(`${status} ${(ok && response.statusText) || STATUS_CODES[status] || 'Unknown'}`)
    if (ok) response.headers.forEach((value, name) => name !== 'content-length' && name !== 'connection' && res.writeHeader(name, value))
    res.end(body, true)
  })
  held.active.end({ ...UPGRADED, statusCode: status, bytes: body.byteLength })
}

function heldBy(ws: WebSocket<unknown>): Held {
  return (ws.getUserData() as { held: Held }).held
}

function pairs(raw: string[]): [string, string][] {
  const list: [string, string][] = []
  for (let i = 0; i < raw.length; i += 2) list.push([raw[i]!, raw[i + 1]!])
  return list
}
