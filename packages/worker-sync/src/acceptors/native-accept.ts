import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import type { WorkerRuntime } from '@gu/core'
import type { Acceptor } from '../sync-engine.js'
import { connectionSocket } from './connection-socket.js'

/** Another worker took the connection, or the client gave up first: nothing to do. */
const TRANSIENT = new Set([constants.errno.EAGAIN, constants.errno.ECONNABORTED, constants.errno.EINTR])
const BACK_OFF_MS = 100

interface Binding {
  /** Watches a listening descriptor; a TCP one gets TCP_DEFER_ACCEPT of `deferSeconds` (0: none). */
  watch(fd: number, onAccept: (fdOrErrno: number) => void, deferSeconds: number): object
  resume(watcher: object): void
  pause(watcher: object): void
  /** accept4() without waiting: a descriptor, or a negative errno (-EAGAIN: nothing queued). */
  acceptNow(watcher: object): number
  /** Whether the watched socket is a TCP (not a unix) socket. */
  isTcp(watcher: object): boolean
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
 * queue stays in the kernel for idle workers, as with Gunicorn's blocking accept(). Resuming
 * first tries to accept at once (Gunicorn's sync worker does the same): under load a connection
 * is nearly always queued, and taking it directly saves arming and disarming the poll.
 */
export function nativeAccept(binding: Binding) {
  return (worker: WorkerRuntime, server: Server): Acceptor => {
    // Tracked here too, so pausing while not watching (every request, under load) costs no call.
    let watching = false
    const pause = () => {
      if (!watching) return
      watching = false
      for (const { watcher } of watchers) binding.pause(watcher)
    }
    const poll = () => {
      watching = true
      for (const { watcher } of watchers) binding.resume(watcher)
    }
    // Out of descriptors or memory: the socket stays readable, and a level-triggered poll would
    // spin. Step back, say so once, and try again shortly.
    const backOff = (error: string) => {
      pause()
      worker.log.warning(`accept failed (${error}); retrying in ${BACK_OFF_MS} ms`)
      setTimeout(resume, BACK_OFF_MS).unref()
    }
    /** Serves a descriptor or handles an errno; true when a connection was taken. */
    const take = (fdOrErrno: number, tcp: boolean): boolean => {
      if (fdOrErrno >= 0) {
        server.emit('connection', connectionSocket(fdOrErrno, tcp))
        return true
      }
      if (!TRANSIENT.has(-fdOrErrno)) backOff(getSystemErrorName(fdOrErrno))
      return false
    }
    // A client that sends nothing waits in the kernel up to `timeout`, then gets `timeout` more
    // from the worker before its 408 (see the README).
    const deferSeconds = Math.ceil(worker.settings.timeout)
    const watchers = worker.sockets.map((socket) => {
      const watcher = binding.watch(socket.fd, (fdOrErrno) => take(fdOrErrno, tcp), deferSeconds)
      const tcp = binding.isTcp(watcher)
      return { watcher, tcp }
    })
    // With several sockets, each attempt starts after the one that last gave a connection.
    let next = 0
    const resume = () => {
      if (worker.stopSignal.aborted) return
      for (let i = 0; i < watchers.length; i++) {
        const index = (next + i) % watchers.length
        const { watcher, tcp } = watchers[index]!
        const fdOrErrno = binding.acceptNow(watcher)
        if (take(fdOrErrno, tcp)) {
          next = (index + 1) % watchers.length
          return
        }
        if (!TRANSIENT.has(-fdOrErrno)) return // backing off
      }
      poll()
    }
    return { name: 'native accept', resume, pause }
  }
}
