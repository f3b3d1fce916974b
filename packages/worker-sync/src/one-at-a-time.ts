import { type Server, createServer } from 'node:http'
import { Server as NetServer, type Socket } from 'node:net'
import { listenOnHandle, type WorkerRuntime } from '@gu/core'

/**
 * Serves one connection at a time on every listening socket, and takes no connection while busy.
 *
 * libuv accepts every pending connection each time a listening socket turns readable, and only
 * closing the descriptor stops it. So this engine listens on a *copy* of each socket (a fresh
 * descriptor from the arbiter), closes its copies as soon as it accepts a connection — leaving
 * the kernel's queue to idle workers — and listens on new copies once that connection closes.
 */
export class OneAtATime {
  readonly #worker: WorkerRuntime
  readonly #servers: Server[]
  #busy = false
  #idle: (() => void) | undefined

  constructor(worker: WorkerRuntime) {
    this.#worker = worker
    this.#servers = worker.sockets.map(() => this.#createServer())
  }

  /** Listens on fresh copies of every socket; resolves once all listen. */
  async listen(): Promise<void> {
    if (this.#worker.stopSignal.aborted) return
    const { backlog } = this.#worker.settings
    const copies = await Promise.all(this.#servers.map((_, i) => this.#worker.takeSocketCopy(i)))
    await Promise.all(this.#servers.map((server, i) => listenOnHandle(server, copies[i]!, backlog)))
    // A stop that came while the copies were on their way: don't stay listening.
    if (this.#worker.stopSignal.aborted) this.#pause()
  }

  /** Stops accepting; resolves once the connection in progress (if any) has closed. */
  stop(): Promise<void> {
    this.#pause()
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
    // Ahead of http's own listener: close the copies before libuv can accept another connection.
    server.prependListener('connection', (socket: Socket) => this.#accepted(socket))
    return server
  }

  #accepted(socket: Socket): void {
    this.#busy = true
    this.#pause()
    const timeout = this.#worker.settings.timeout
    // A client that connects and sends no request would hold this worker: give it `timeout`.
    if (timeout > 0) socket.setTimeout(timeout * 1000, () => socket.destroy())
    socket.once('close', () => this.#released())
  }

  #released(): void {
    this.#busy = false
    if (this.#worker.stopSignal.aborted) {
      this.#idle?.()
      return
    }
    this.listen().catch((error) => {
      this.#worker.log.error('Could not listen again after a request', error)
      process.kill(process.pid, 'SIGTERM')
    })
  }

  /** Closes this worker's copies; the arbiter's sockets keep queueing connections. */
  #pause(): void {
    for (const server of this.#servers) if (server.listening) NetServer.prototype.close.call(server)
  }
}
