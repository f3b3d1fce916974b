import type { Server } from 'node:net'
import type { ListenHandle, ListenSocket } from '../worker/types.js'

/**
 * Starts `server` on a descriptor inherited from the arbiter; rejects with the listen error.
 * listen(2) runs again on the descriptor and sets its backlog: node:net ignores `backlog` in the
 * options object when given an `fd` (the kernel then gets 511), so it goes as the argument.
 */
export function listenInherited(server: Server, socket: ListenSocket, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen({ fd: socket.fd }, backlog, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

interface ServerInternals {
  _handle: unknown
  _listen2(address: null, port: number, addressType: number, backlog: number): void
}

/**
 * Starts `server` on a socket copy from `WorkerRuntime.takeSocketCopy`. node:net's public
 * `listen(handle)` adopts TCP handles only (a unix-socket handle would be reopened by its fd and
 * the handle leaked), so the handle is adopted the way node:cluster's workers adopt theirs.
 */
export function listenOnHandle(server: Server, handle: ListenHandle, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.once('listening', () => {
      server.off('error', onError)
      resolve()
    })
    const internals = server as unknown as ServerInternals
    internals._handle = handle
    internals._listen2(null, -1, -1, backlog)
  })
}
