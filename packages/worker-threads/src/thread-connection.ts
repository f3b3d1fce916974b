import type { IncomingMessage, Server } from 'node:http'
import { type SocketOwner, ThreadSocket } from './thread-socket.js'

/**
 * The thread's one kept-alive connection to its node:http server: requests follow one another on
 * it, as a keep-alive client's do, so node sets up a socket, a parser and their listeners once,
 * not per request. A request that can't leave it clean (cut, aborted, its body not all parsed, or
 * the server ended the connection) has it destroyed; the next request opens a new one.
 */
export class ThreadConnection implements SocketOwner {
  readonly #server: Server
  #socket: ThreadSocket | undefined
  /** The kept connection's last request: the next may follow only once the server parsed all of it. */
  #last: IncomingMessage | undefined

  constructor(server: Server) {
    this.#server = server
  }

  /** The connection for `owner`'s request: the kept one if it is still open, else a new one. */
  take(owner: SocketOwner): ThreadSocket {
    let socket = this.#socket
    const last = this.#last
    this.#socket = this.#last = undefined
    if (socket && isOpen(socket) && last?.complete) {
      socket.owner = owner
      return socket
    }
    if (socket && !socket.destroyed) socket.destroy()
    socket = new ThreadSocket(owner)
    this.#server.emit('connection', socket)
    return socket
  }

  /**
   * `socket`'s request `req` has its whole response: keep the connection for the next request,
   * which takes it if by then the server has parsed all of `req` (an app may answer from within
   * the parse of its head, before node marks the request complete).
   */
  keep(socket: ThreadSocket, req: IncomingMessage): void {
    socket.owner = this
    this.#socket = socket
    this.#last = req
    // Its body will not all come (the main thread stops sending it once the response is done): an
    // app still reading it learns now, not when the next request comes, that the connection is gone.
    if (!req.complete) setImmediate(() => this.#socket === socket && !req.complete && this.#drop())
  }

  // Between requests nothing should come from the server; if it does (an app writing late), the
  // connection is no longer one a request can start clean on.
  output(_chunks: Buffer[], done: () => void): void {
    done()
    this.#drop()
  }

  outputEnded(): void {
    this.#drop()
  }

  readRoom(): void {}

  closed(): void {
    this.#socket = this.#last = undefined
  }

  #drop(): void {
    const socket = this.#socket
    this.#socket = this.#last = undefined
    // Not inside the server's write or end that got here (see ThreadExchange's finish).
    if (socket && !socket.destroyed) setImmediate(() => socket.destroy())
  }
}

function isOpen(socket: ThreadSocket): boolean {
  return !socket.destroyed && !socket.writableEnded && !socket.readableEnded
}
