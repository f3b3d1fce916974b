import type { Server } from 'node:http'
import { type SocketOwner, ThreadSocket } from './thread-socket.js'

/**
 * The thread's one kept-alive connection to its node:http server: requests follow one another on
 * it, as a keep-alive client's do, so node sets up a socket, a parser and their listeners once,
 * not per request. A request that can't leave it clean (cut, aborted, its body not all sent, or
 * the server ended the connection) has it destroyed; the next request opens a new one.
 */
export class ThreadConnection implements SocketOwner {
  readonly #server: Server
  #socket: ThreadSocket | undefined

  constructor(server: Server) {
    this.#server = server
  }

  /** The connection for `owner`'s request: the kept one if it is still open, else a new one. */
  take(owner: SocketOwner): ThreadSocket {
    let socket = this.#socket
    this.#socket = undefined
    if (socket && isOpen(socket)) {
      socket.owner = owner
      return socket
    }
    socket = new ThreadSocket(owner)
    this.#server.emit('connection', socket)
    return socket
  }

  /** `socket`'s request is over and left it clean: keep it for the next. */
  keep(socket: ThreadSocket): void {
    if (!isOpen(socket)) return
    socket.owner = this
    this.#socket = socket
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
    this.#socket = undefined
  }

  #drop(): void {
    const socket = this.#socket
    this.#socket = undefined
    if (socket && !socket.destroyed) setImmediate(() => socket.destroy())
  }
}

function isOpen(socket: ThreadSocket): boolean {
  return !socket.destroyed && !socket.writableEnded && !socket.readableEnded
}
