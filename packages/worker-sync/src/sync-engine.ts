import { type Server, type ServerResponse, createServer } from 'node:http'
import type { Socket } from 'node:net'
import { acceptedSocket, applyRequestRules, ConnectionGuard, nodeRequestListener, refuseUpgrades, type WorkerRuntime } from '@gu/core'

/**
 * How a sync worker takes connections: `resume` starts accepting on every socket; `pause` stops
 * at once — it runs inside the accept callback, before another connection can be taken.
 */
export interface Acceptor {
  readonly name: string
  /** Synchronous where it can be (the native acceptor): no promise on the per-request path. */
  resume(): void | Promise<void>
  pause(): void
}

/** Builds an acceptor that hands each connection it takes to `server` (a 'connection' event). */
export type AcceptorFactory = (worker: WorkerRuntime, server: Server) => Acceptor

/**
 * One request at a time: accept one connection, pause, serve its one request, resume. The next
 * connection is taken as soon as the response is over ('close' on the response), while the
 * previous socket's shutdown and close finish alongside: nothing of that request runs any more,
 * and waiting for the socket to close would leave the worker idle for two turns of the loop.
 *
 * Reading the request is bounded by gu's connection guard (`headerTimeout`, `bodyTimeout` and
 * `minBodyRate`): a slow client gets 408 and its connection closed, and the worker takes the next
 * one. While a body arrives fast enough the guard keeps the worker's heartbeat going, so
 * `timeout` limits the app's time only, never a slow client's.
 */
export class SyncEngine {
  readonly #worker: WorkerRuntime
  readonly #acceptor: Acceptor
  /** The connection being served (its request not over yet), and whether that request has begun. */
  #current: Socket | undefined
  /** Connections accepted and not yet closed: a graceful stop waits for them. */
  #open = 0
  #idle: (() => void) | undefined
  // One listener each for every connection and response (no closure made per connection).
  readonly #onSocketClose: (this: Socket) => void
  readonly #onResponseClose: (this: ServerResponse) => void

  constructor(worker: WorkerRuntime, acceptor: AcceptorFactory) {
    this.#worker = worker
    const engine = this
    this.#onSocketClose = function () {
      engine.#socketClosed(this)
    }
    // Under TLS the request's socket is the encrypted layer over the one accepted.
    this.#onResponseClose = function () {
      engine.#requestOver(acceptedSocket(this.req.socket))
    }
    this.#acceptor = acceptor(worker, this.#createServer())
  }

  get acceptorName(): string {
    return this.#acceptor.name
  }

  start(): Promise<void> {
    return Promise.resolve(this.#acceptor.resume())
  }

  /** Stops accepting; resolves once every connection taken (the one in progress, if any) has closed. */
  stop(): Promise<void> {
    this.#acceptor.pause()
    if (this.#open === 0) return Promise.resolve()
    return new Promise((resolve) => (this.#idle = resolve))
  }

  #createServer(): Server {
    const listener = nodeRequestListener(this.#worker)
    const server = createServer((req, res) => {
      // From here `timeout` limits the request through the arbiter (heartbeats pause while it runs).
      // One request per connection, as Gunicorn's sync worker: no keep-alive, ever.
      res.shouldKeepAlive = false
      listener(req, res)
      // After the runtime's and the app's own 'close' listeners: they run before the next request.
      res.on('close', this.#onResponseClose)
    })
    // A WebSocket would hold this worker's only slot for as long as it stays open.
    refuseUpgrades(server, this.#worker, 'the sync worker serves one connection at a time (use -k async for WebSockets)')
    // A pipelined second request on the connection never reaches the app.
    server.maxRequestsPerSocket = 1
    applyRequestRules(server, this.#worker)
    // Ahead of http's own listener: stop accepting before another connection can be taken.
    server.prependListener('connection', (socket: Socket) => this.#accepted(socket))
    // One connection at a time: the cap never applies, the head and body timeouts do.
    new ConnectionGuard(this.#worker, { maxConnections: Infinity }).attach(server)
    return server
  }

  #accepted(socket: Socket): void {
    this.#acceptor.pause()
    this.#current = socket
    this.#open++
    socket.on('close', this.#onSocketClose)
  }

  /**
   * A connection whose request never came (or was cut) ends its turn when it closes. When a client
   * leaves mid-request, this runs before node:http's own 'close' handling: the next connection may
   * be taken before the runtime has counted the abandoned request (so --max-requests can let one
   * more through), and while app code still running for it goes on (nothing can stop it).
   */
  #socketClosed(socket: Socket): void {
    this.#open--
    this.#requestOver(socket)
    if (this.#open === 0) this.#idle?.()
  }

  /** The request on `socket` is over (each connection's turn ends once): take the next connection. */
  #requestOver(socket: object): void {
    if (socket !== this.#current) return
    this.#current = undefined
    if (this.#worker.stopSignal.aborted) return
    this.#acceptor.resume()?.catch((error) => {
      this.#worker.log.error('Could not accept again after a request', error)
      process.kill(process.pid, 'SIGTERM')
    })
  }
}
