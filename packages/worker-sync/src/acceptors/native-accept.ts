import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { Socket } from 'node:net'
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import type { WorkerRuntime } from '@gu/core'
import type { Acceptor } from '../sync-engine.js'

/** Another worker took the connection, or the client gave up first: nothing to do. */
const TRANSIENT = new Set([constants.errno.EAGAIN, constants.errno.ECONNABORTED, constants.errno.EINTR])
const BACK_OFF_MS = 100

interface Binding {
  watch(fd: number, onAccept: (fdOrErrno: number) => void): object
  resume(watcher: object): void
  pause(watcher: object): void
}

/** The addon built from native/accept-one.c at install, or undefined when it couldn't be built. */
export function loadNativeAccept(): Binding | undefined {
  try {
    return createRequire(import.meta.url)('../build/Release/accept_one.node') as Binding
  } catch {
    return undefined
  }
}

/**
 * The fast acceptor: watches each inherited listening descriptor itself and accepts exactly one
 * connection per readiness event (accept4), so pausing is just to stop watching — the socket's
 * queue stays in the kernel for idle workers, as with Gunicorn's blocking accept().
 */
export function nativeAccept(binding: Binding) {
  return (worker: WorkerRuntime, server: Server): Acceptor => {
    const pause = () => {
      for (const watcher of watchers) binding.pause(watcher)
    }
    const resume = () => {
      if (!worker.stopSignal.aborted) for (const watcher of watchers) binding.resume(watcher)
    }
    // Out of descriptors or memory: the socket stays readable, and a level-triggered poll would
    // spin. Step back, say so once, and try again shortly.
    const backOff = (error: string) => {
      pause()
      worker.log.warning(`accept failed (${error}); retrying in ${BACK_OFF_MS} ms`)
      setTimeout(resume, BACK_OFF_MS).unref()
    }
    const watchers = worker.sockets.map((socket) =>
      binding.watch(socket.fd, (fd) => {
        if (fd >= 0) server.emit('connection', new Socket({ fd, readable: true, writable: true }))
        else if (!TRANSIENT.has(-fd)) backOff(getSystemErrorName(fd))
      }),
    )
    return {
      name: 'native accept',
      async resume() {
        resume()
      },
      pause,
    }
  }
}
