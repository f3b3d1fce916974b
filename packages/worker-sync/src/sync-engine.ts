import { type Server, createServer } from 'node:http'
import type { Socket } from 'node:net'
import type { WorkerRuntime } from '@gu/core'

/**
 * How a sync worker takes connections: `resume` starts accepting on every socket; `pause` stops
 * at once — it runs inside the accept callback, before another connection can be taken.
 */
export interface Acceptor {
  readonly name: string
  resume(): Promise<void>
  pause(): void
}

/** Builds an acceptor that hands each connection it takes to `server` (a 'connection' event). */
export type AcceptorFactory = (worker: WorkerRuntime, server: Server) => Acceptor

/** The answer to a client that sent no request in time (the socket's `this`), as node:http's own. */
function requestTimeout(this: Socket): void {
  this.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  this.destroySoon()
}

/** One connection at a time: accept one, pause, serve its one request, close it, resume. */
export class SyncEngine {
  readonly #worker: WorkerRuntime
  readonly #acceptor: Acceptor
  #busy = false
  #idle: (() => void) | undefined

  constructor(worker: WorkerRuntime, acceptor: AcceptorFactory) {
    this.#worker = worker
    this.#acceptor = acceptor(worker, this.#createServer())
  }

  get acceptorName(): string {
    return this.#acceptor.name
  }

  start(): Promise<void> {
    return this.#acceptor.resume()
  }

  /** Stops accepting; resolves once the connection in progress (if any) has closed. */
  stop(): Promise<void> {
    this.#acceptor.pause()
    if (!this.#busy) return Promise.resolve()
    return new Promise((resolve) => (this.#idle = resolve))
  }

  #createServer(): Server {
    const listener = this.#worker.listener
    const server = createServer((req, res) => {
      // From here `timeout` limits the request through the arbiter (heartbeats pause while it runs).
      req.socket.setTimeout(0)
      // One request per connection, as Gunicorn's sync worker: no keep-alive, ever.
      res.shouldKeepAlive = false
      listener(req, res)
    })
    // A pipelined second request on the connection never reaches the app.
    server.maxRequestsPerSocket = 1
    // Ahead of http's own listener: stop accepting before another connection can be taken.
    server.prependListener('connection', (socket: Socket) => this.#accepted(socket))
    return server
  }

  #accepted(socket: Socket): void {
    this.#busy = true
    this.#acceptor.pause()
    const timeout = this.#worker.settings.timeout
    // A client that connects and sends no request would hold this worker: give it `timeout`.
    if (timeout > 0) socket.setTimeout(timeout * 1000, requestTimeout)
    socket.once('close', this.#onClose)
  }

  readonly #onClose = () => this.#released()

  #released(): void {
    this.#busy = false
    if (this.#worker.stopSignal.aborted) {
      this.#idle?.()
      return
    }
    this.#acceptor.resume().catch((error) => {
      this.#worker.log.error('Could not accept again after a request', error)
      process.kill(process.pid, 'SIGTERM')
    })
  }
}
