import { AsyncResource } from 'node:async_hooks'
import type { Server } from 'node:http'
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import { type LoadedAddon, loadAddon, type MissingAddon, packageRootOf, type WorkerRuntime } from '@gu/core'
import type { Acceptor } from '../sync-engine.js'
import { connectionSocket } from './connection-socket.js'

/** Another worker took the connection, or the client gave up first: nothing to do. */
const TRANSIENT = new Set([constants.errno.EAGAIN, constants.errno.ECONNABORTED, constants.errno.EINTR])
const BACK_OFF_MS = 100

interface Binding {
  /** A watcher for a listening descriptor, calling `onAccept` when polling finds a connection. */
  watch(fd: number, onAccept: (fdOrErrno: number) => void): object
  resume(watcher: object): void
  pause(watcher: object): void
  /** accept4() without waiting: a descriptor, or a negative errno (-EAGAIN: nothing queued). */
  acceptNow(watcher: object): number
  /** Whether the watched socket is a TCP (not a unix) socket. */
  isTcp(watcher: object): boolean
  /** TCP_DEFER_ACCEPT of `seconds` (0: off) on a TCP listener: 0, or a negative errno. */
  deferAccept(watcher: object, seconds: number): number
  /** TCP_NODELAY on a TCP listener, for the connections accepted from it: 0, or a negative errno. */
  noDelay?(watcher: object): number
  /** Whether a connection's descriptor has TCP_NODELAY set. */
  hasNoDelay?(fd: number): boolean
}

/**
 * Where Nagle's algorithm gets turned off: on each connection (a setsockopt per connection), or
 * once on the listener, when Linux passes the option on to the connections accepted from it
 * (`checking` until the first connection has shown that it did).
 */
type NoDelay = 'each connection' | 'checking' | 'listener'

function noDelayOnListener(binding: Binding, watcher: object, tcp: boolean): NoDelay {
  if (!tcp || !binding.noDelay || !binding.hasNoDelay) return 'each connection'
  return binding.noDelay(watcher) === 0 ? 'checking' : 'each connection'
}

/** A listening socket this worker watches. */
interface Watched {
  readonly watcher: object
  readonly tcp: boolean
  noDelay: NoDelay
}

/** This package's directory, where node-gyp-build looks for prebuilds/ and build/. */
export const PACKAGE_ROOT = packageRootOf(import.meta.url)

/** The addon from native/accept-one.c: prebuilt in the package, or built from source at install. */
export function loadNativeAccept(): LoadedAddon<Binding> | MissingAddon {
  return loadAddon<Binding>(PACKAGE_ROOT)
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
    // spin. Step back, say so once for the episode, and try again shortly.
    let backingOff = false
    const backOff = (error: string) => {
      pause()
      if (!backingOff) worker.log.warning(`accept failed (${error}); retrying every ${BACK_OFF_MS} ms`)
      backingOff = true
      setTimeout(resume, BACK_OFF_MS).unref()
    }
    /** Serves a descriptor or handles an errno: whether a connection was taken, or it is backing off. */
    const take = (fdOrErrno: number, from: Watched): 'taken' | 'none' | 'backing off' => {
      if (fdOrErrno < 0) {
        if (TRANSIENT.has(-fdOrErrno)) return 'none'
        backOff(getSystemErrorName(fdOrErrno))
        return 'backing off'
      }
      backingOff = false
      // The first connection shows whether the listener's TCP_NODELAY was passed on to it.
      if (from.noDelay === 'checking') from.noDelay = binding.hasNoDelay!(fdOrErrno) ? 'listener' : 'each connection'
      let socket
      try {
        socket = connectionSocket(fdOrErrno, from.tcp, from.noDelay === 'listener')
      } catch (error) {
        // The descriptor is closed; the client sees its connection reset, the worker goes on.
        worker.log.warning(`Could not serve an accepted connection: ${(error as Error).message}`)
        return 'none'
      }
      server.emit('connection', socket)
      return 'taken'
    }
    const watchers = worker.sockets.map((socket): Watched => {
      const watcher = binding.watch(socket.fd, (fdOrErrno) => take(fdOrErrno, watched))
      const tcp = binding.isTcp(watcher)
      const watched: Watched = { watcher, tcp, noDelay: noDelayOnListener(binding, watcher, tcp) }
      return watched
    })
    // A client that sends nothing waits in the kernel (at least `headerTimeout`, rounded up to the
    // kernel's SYN-ACK retransmissions), then gets `headerTimeout` from the worker before its 408.
    // Set on every start, so a reload with `--header-timeout 0` turns it off again.
    const deferSeconds = Math.ceil(worker.settings.headerTimeout)
    for (const { watcher, tcp } of watchers) {
      const status = tcp ? binding.deferAccept(watcher, deferSeconds) : 0
      if (status < 0) worker.log.debug(`TCP_DEFER_ACCEPT not set (${getSystemErrorName(status)}): silent connections will occupy workers until their 408`)
    }
    // Accepting straight after a request happens inside that request's 'close' handler: the new
    // connection must not inherit its async context (AsyncLocalStorage, tracing), so it is taken
    // in this resource's, as connections found by polling are.
    const scope = new AsyncResource('gu.acceptNow')
    // With several sockets, each attempt starts after the one that last gave a connection.
    let next = 0
    const acceptNow = () => {
      for (let i = 0; i < watchers.length; i++) {
        const index = (next + i) % watchers.length
        const watched = watchers[index]!
        const outcome = take(binding.acceptNow(watched.watcher), watched)
        if (outcome === 'backing off') return
        if (outcome === 'taken') {
          next = (index + 1) % watchers.length
          return
        }
      }
      poll()
    }
    const resume = () => {
      if (!worker.stopSignal.aborted) scope.runInAsyncScope(acceptNow)
    }
    return { name: 'native accept', resume, pause }
  }
}
