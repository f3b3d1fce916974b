import type { Server } from 'node:net'
import type { ListenSocket } from '../worker/types.js'

/** Starts `server` on a descriptor inherited from the arbiter; rejects with the listen error. */
export function listenInherited(server: Server, socket: ListenSocket, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen({ fd: socket.fd, backlog }, () => {
      server.off('error', onError)
      resolve()
    })
  })
}
