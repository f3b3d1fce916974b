import { readFileSync } from 'node:fs'
import { CONTRACT_VERSION, drain, installLightResponse, REFUSAL_TEXT, refusalBody, requestRules, takesUpgrades, type BindAddress, type Settings, type WorkerClass, type WorkerRuntime } from '@gu/core'
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js'
import { BodyRateGuard } from './body-rate.js'
import { servesTls } from './exchange.js'
import { FetchExchange, serveFetch } from './fetch-app.js'
import { describeBind, listenOn } from './listen.js'
import { loadUws } from './native.js'
import { nodeExchange, serveNode } from './node-app.js'
import { RequestHead } from './request-head.js'
import { checkTlsSettings, sslApp } from './ssl-app.js'
import { PlainFetchServer, serveWebSockets } from './websockets.js'

/**
 * uWebSockets.js as the HTTP engine: each worker binds every address itself (SO_REUSEPORT) and
 * serves fetch apps on uWS's own request and response, node-style apps on node:http-shaped
 * objects over them. Framing that uWS lets through is refused before the app sees it.
 */
const uwsWorker: WorkerClass = {
  contract: CONTRACT_VERSION,
  name: 'uws',
  sockets: 'self',
  websockets: 'fetch',
  tls: true,
  checkSettings(settings: Settings, addresses: readonly BindAddress[]): void {
    loadUws()
    checkTlsSettings(settings)
    if (settings.proxyProtocol) throw new Error("--proxy-protocol needs the PROXY header read before HTTP parsing starts, which uWS 20.30 doesn't allow: use a node:http class (-k async, sync or threads), or have the proxy send X-Forwarded-For (--forwarded-allow-ips)")
    const unix = addresses.find((address) => address.kind === 'unix')
    if (unix && settings.workers > 1) {
      throw new Error(`each worker binds ${describeBind(unix)} itself and each bind replaces the socket file, so only one worker would get connections: use -w 1 with a unix socket, or bind a TCP address (workers share it with SO_REUSEPORT)`)
    }
  },
  async run(worker: WorkerRuntime): Promise<void> {
    const uws = loadUws()
    const app = worker.tls ? sslApp(uws, worker) : uws.App()
    servesTls(worker.tls !== undefined, worker.settings.secureSchemeHeaders)
    const bodyRate = new BodyRateGuard(worker.settings)
    const handler = requestHandler(worker, app, bodyRate)
    if (worker.app?.interface === 'fetch' && worker.app.websocket) serveWebSockets(uws, app, worker, worker.app.fetch, worker.app.websocket)
    app.any('/*', handler)
    const listening: us_listen_socket[] = []
    try {
      for (const socket of worker.sockets) listening.push(await listenOn(app, socket.bind))
    } catch (error) {
      for (const socket of listening) uws.us_listen_socket_close(socket)
      throw error
    }
    if (worker.age === 1) warnAboutMigration(worker)
    if (worker.age === 1 && worker.app?.interface === 'node' && takesUpgrades(worker.app)) {
      worker.log.warning("The app takes WebSockets through node:http's 'upgrade', which uWS can't hand over (it has no raw sockets): upgrade requests reach the app as plain requests. Serve WebSockets from a fetch app (server.upgrade with websocket handlers), or use -k async")
    }
    worker.ready()
    await stopped(worker)
    if (worker.stopMode !== 'graceful') return bodyRate.close()
    // Past max-requests the runtime keeps this worker serving until its replacement listens (the
    // arbiter then sends TERM), so a port is never left without a listener.
    let idleClosed!: () => void
    const allClosed = new Promise<void>((resolve) => (idleClosed = resolve))
    await drain(worker, {
      stopAccepting: () => {
        for (const socket of listening) uws.us_listen_socket_close(socket)
        return allClosed
      },
      // Only once nothing is in flight (drain's rule): what's left is idle keep-alive connections.
      closeIdle: () => {
        // uWS 20.30 has close() (every socket of the app) without declaring it.
        ;(app as unknown as { close(): void }).close()
        idleClosed()
      },
    })
    bodyRate.close()
  },
}

function requestHandler(worker: WorkerRuntime, uwsApp: TemplatedApp, bodyRate: BodyRateGuard): (res: HttpResponse, req: HttpRequest) => void {
  const app = worker.app
  if (!app) throw new Error('the uws worker class serves the app the runtime loaded')
  const rules = requestRules(worker.settings)
  const keepPeer = worker.needs.remoteAddress
  const hasBody = (head: RequestHead) => head.bodyLength > 0 || head.bodyLength === -2
  if (app.interface === 'fetch') {
    const fetch = app.fetch
    // `new Response(text)` keeps its body as given, so it goes to uWS without a web stream.
    installLightResponse()
    return (res, req) => {
      const head = new RequestHead(req, rules)
      if (head.refusal) return refuse(res, head)
      const exchange = new FetchExchange(res, head, keepPeer)
      if (hasBody(head)) bodyRate.track(exchange)
      // Whatever happens, the callback leaves with the abort handler an open response needs.
      try {
        exchange.active = worker.beginRequest(exchange.view)
        serveFetch(worker, fetch, exchange, new PlainFetchServer(exchange.view, uwsApp))
      } finally {
        exchange.leaveCallback()
      }
    }
  }
  const listener = app.listener
  return (res, req) => {
    const head = new RequestHead(req, rules)
    if (head.refusal) return refuse(res, head)
    const exchange = nodeExchange(res, head, keepPeer)
    if (hasBody(head)) bodyRate.track(exchange)
    try {
      exchange.active = worker.beginRequest(exchange.view)
      serveNode(worker, listener, exchange)
    } finally {
      exchange.leaveCallback()
    }
  }
}

/** As on node:http: the status, a one-line reason, and the connection closed. */
function refuse(res: HttpResponse, head: RequestHead): void {
  const refusal = head.refusal!
  res.cork(() =>
    res
      .writeStatus(`${refusal.status} ${REFUSAL_TEXT[refusal.status]}`)
      .writeHeader('content-type', 'text/plain; charset=utf-8')
      .end(refusalBody(refusal), true),
  )
}

function stopped(worker: WorkerRuntime): Promise<void> {
  if (worker.stopSignal.aborted) return Promise.resolve()
  return new Promise((resolve) => worker.stopSignal.addEventListener('abort', () => resolve(), { once: true }))
}

/**
 * A SO_REUSEPORT listener that closes resets the connections still in its accept queue unless
 * the kernel migrates them to the other listeners of the port (Linux 5.14+).
 */
function warnAboutMigration(worker: WorkerRuntime): void {
  if (!worker.sockets.some((socket) => socket.bind.kind === 'tcp')) return
  let value: string
  try {
    value = readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'utf8').trim()
  } catch {
    return
  }
  if (value === '0') {
    worker.log.warning(
      'net.ipv4.tcp_migrate_req is 0: a worker that stops (HUP, USR2, max-requests, TERM) resets the connections still queued on its listener; set it to 1 (sysctl -w net.ipv4.tcp_migrate_req=1) for zero-downtime reloads',
    )
  }
}

export default uwsWorker
