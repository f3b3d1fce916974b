import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { fetchUpgradeListener } from '../app/fetch-upgrade.js'
import { type App, type UpgradeListener, takesUpgrades } from '../app/types.js'
import type { WorkerRuntime } from '../worker/types.js'
import { releaseConnection } from './connection-guard.js'
import { NodeRequestView } from './node-views.js'
import { admitUpgrade } from './strict-server.js'
import { UpgradeSocketView, closeFrame } from './upgrade-socket.js'

const GOING_AWAY = 1001
/** After sending 1001, how long the client has to answer the close before the socket is cut. */
const CLOSE_HANDSHAKE_MS = 1000

/**
 * Hands a node:http server's upgrade requests (WebSockets) to the app, when it takes them: a node
 * app's upgrade listener (an exported `http.Server`'s own `'upgrade'` listeners, or an `upgrade`
 * export), or a fetch app's Bun-style `websocket` handlers. Each upgraded connection is reported
 * to the runtime, which closes it with 1001 once a graceful stop has drained the requests.
 */
export function serveUpgrades(server: Server, worker: WorkerRuntime): void {
  const { app } = worker
  if (!app) return
  const listener = upgradeListener(app, worker)
  if (!listener) return
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (admitUpgrade(server, req, socket)) handleUpgrade(worker, listener, req, socket, head)
  }
  const from = app.interface === 'node' ? app.upgrade?.server : undefined
  if (!from) {
    server.on('upgrade', onUpgrade)
    return
  }
  // Node's rule for the exported server: upgrades are upgrades only while it has a listener for them.
  const sync = () => {
    const wanted = from.listenerCount('upgrade') > 0
    const has = server.listeners('upgrade').includes(onUpgrade)
    if (wanted && !has) server.on('upgrade', onUpgrade)
    if (!wanted && has) server.off('upgrade', onUpgrade)
  }
  from.on('newListener', (event) => event === 'upgrade' && queueMicrotask(sync))
  from.on('removeListener', (event) => event === 'upgrade' && queueMicrotask(sync))
  sync()
}

/**
 * For engines that can't hold WebSockets (`@gu/worker-sync`): an app that takes upgrades gets
 * each one answered 501 with the reason, and the worker says so once at start. Each refusal is a
 * response like any other: reported to the runtime as an upgrade that was refused, so the access
 * log has its line (status 501) as it has for a handshake the app itself refuses.
 */
export function refuseUpgrades(server: Server, worker: WorkerRuntime, reason: string): void {
  if (!worker.app || !takesUpgrades(worker.app)) return
  if (worker.age === 1) worker.log.warning(`The app takes WebSockets, but ${reason}: upgrade requests get 501`)
  const body = `WebSockets are not served here: ${reason}\n`
  const refusal = `HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (!admitUpgrade(server, req, socket)) return
    const response = new UpgradeSocketView(socket)
    const active = worker.beginUpgrade(new NodeRequestView(req, undefined), () => socket.destroy())
    socket.once('close', () => active.end(response))
    socket.end(refusal)
  })
}

function upgradeListener(app: App, worker: WorkerRuntime): UpgradeListener | undefined {
  if (app.interface === 'node') return app.upgrade?.listener
  return app.websocket ? fetchUpgradeListener(app.fetch, app.websocket, worker.log) : undefined
}

function handleUpgrade(worker: WorkerRuntime, listener: UpgradeListener, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // No longer HTTP: the connection guard must neither time it as a slow request nor shed it.
  releaseConnection(socket)
  const view = new NodeRequestView(req, undefined)
  const response = new UpgradeSocketView(socket)
  let closing: NodeJS.Timeout | undefined
  const goAway = () => {
    if (socket.destroyed) return
    // Before its handshake was answered there is no WebSocket to close yet: just end it.
    if (response.upgraded && socket.writable) socket.write(closeFrame(GOING_AWAY))
    else socket.end()
    closing = setTimeout(() => socket.destroy(), CLOSE_HANDSHAKE_MS)
    closing.unref()
  }
  const active = worker.beginUpgrade(view, goAway)
  socket.once('close', () => {
    clearTimeout(closing)
    active.end(response)
  })
  const fail = (error: unknown) => {
    worker.log.error(`Error handling upgrade ${req.url}`, error)
    if (response.statusCode === 0 && socket.writable) socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  }
  try {
    const result = listener(req, socket, head) as PromiseLike<unknown> | undefined
    if (typeof result?.then === 'function') result.then(undefined, fail)
  } catch (error) {
    fail(error)
  }
}
