import type { Server } from 'node:http'
import { Server as NetServer } from 'node:net'
import { listenOnHandle, type WorkerRuntime } from '@gu/core'
import type { Acceptor } from '../sync-engine.js'

/**
 * The portable acceptor, for when the native one isn't built. libuv accepts every pending
 * connection each time a listening socket turns readable, and only closing the descriptor stops
 * it. So this listens on *copies* of each socket (fresh descriptors from the arbiter), closes
 * them as soon as it takes a connection, and listens on new copies to resume.
 */
export function socketCopies(worker: WorkerRuntime, server: Server): Acceptor {
  // One listening server per socket, each passing its connections on to the engine's server.
  const listeners = worker.sockets.map(() => {
    // noDelay: Nagle's algorithm off, as node:http's own server sets it.
    const listener = new NetServer({ pauseOnConnect: false, noDelay: true })
    listener.on('connection', (socket) => server.emit('connection', socket))
    return listener
  })
  return {
    name: 'socket copies',
    async resume() {
      if (worker.stopSignal.aborted) return
      const copies = await Promise.all(listeners.map((_, i) => worker.takeSocketCopy(i)))
      await Promise.all(listeners.map((listener, i) => listenOnHandle(listener, copies[i]!, worker.settings.backlog)))
      // A stop that came while the copies were on their way: don't stay listening.
      if (worker.stopSignal.aborted) this.pause()
    },
    pause() {
      for (const listener of listeners) if (listener.listening) listener.close()
    },
  }
}
