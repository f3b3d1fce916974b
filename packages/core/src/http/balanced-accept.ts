import type { Server } from 'node:net'
import { Socket } from 'node:net'
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import { BoardSeatView, type BoardSeat } from '../worker/connection-board.js'
import type { WorkerRuntime } from '../worker/types.js'
import { listenInherited } from './listen-inherited.js'
import { type NativeAddon, nativeAddon } from '../native/addon.js'

/** A worker may hold this many more connections than the least-loaded other worker before it pauses. */
const SLACK = 1
/** While paused, the board is read again after 1 ms, then less often, up to every 50 ms. */
const FIRST_RECHECK_MS = 1
const LAST_RECHECK_MS = 50
/**
 * Paused this long and a connection still waits in the queue: the workers below this one are
 * not taking it (busy, or stopped), so this one takes it rather than let the client wait.
 */
const STALL_MS = 20
const BACK_OFF_MS = 100
/**
 * Connections taken per readiness event: the rest wait for the next turn of the loop, so a burst
 * of hundreds (a flood reconnecting) never holds up reading the clients already in.
 */
const ACCEPTS_PER_TURN = 16
/** Another worker took the connection, or the client gave up first: nothing to do. */
const TRANSIENT = new Set([constants.errno.EAGAIN, constants.errno.ECONNABORTED, constants.errno.EINTR])

/** What node's own accept reads from a net.Server to make each connection's socket. */
interface ServerInternals {
  _connections: number
  allowHalfOpen: boolean
  noDelay: boolean
  keepAlive: boolean
  keepAliveInitialDelay: number
  highWaterMark?: number
}
/** One inherited listening socket being watched, and the server its connections go to. */
interface Watched {
  watcher: object
  tcp: boolean
  server: Server
}
interface SocketInternals {
  server: Server
  _server: Server
}

/**
 * Starts each server on its inherited listening socket (`worker.sockets[i]`), accepting so that
 * keep-alive connections spread evenly over the workers: one connection per readiness event, and
 * none while this worker holds more than one connection over the least-loaded other worker (on
 * the arbiter's connection board). Left to itself, the worker that wakes first takes a whole
 * burst of connections and keeps them for their lifetime. Accepting stops when the worker is
 * asked to stop. Where the native watcher isn't built, or the worker has no seat at the board,
 * it listens as node does.
 */
export async function listenBalanced(servers: readonly Server[], worker: WorkerRuntime): Promise<void> {
  const binding = nativeAddon()
  const seat = (worker as { boardSeat?: BoardSeat }).boardSeat
  if (!binding || !seat || seat.slot < 0) {
    if (!binding) worker.log.debug('Balanced accept unavailable (native addon not built): connections go to whichever worker wakes first')
    await Promise.all(servers.map((server, i) => listenInherited(server, worker.sockets[i]!, worker.settings.backlog)))
    return
  }
  new BalancedAcceptor(binding, new BoardSeatView(seat), servers, worker).start()
}

class BalancedAcceptor {
  readonly #binding: NativeAddon
  readonly #board: BoardSeatView
  readonly #servers: readonly Server[]
  readonly #worker: WorkerRuntime
  readonly #watchers: Watched[]
  /** Connections accepted here and not yet closed. */
  #held = 0
  #watching = false
  #stopped = false
  #pausedAt = 0
  #recheckMs = FIRST_RECHECK_MS
  #timer: NodeJS.Timeout | undefined
  #backingOff = false

  constructor(binding: NativeAddon, board: BoardSeatView, servers: readonly Server[], worker: WorkerRuntime) {
    this.#binding = binding
    this.#board = board
    this.#servers = servers
    this.#worker = worker
    this.#watchers = worker.sockets.map((socket, i) => {
      const server = servers[i]!
      const watcher = binding.watch(socket.fd, (fdOrErrno) => this.#readable(fdOrErrno, entry))
      const entry: Watched = { watcher, tcp: binding.isTcp(watcher), server }
      return entry
    })
  }

  start(): void {
    // node:http starts tracking connections (headers and request timeouts) on 'listening'.
    for (const server of this.#servers) server.emit('listening')
    this.#board.post(0)
    const { stopSignal } = this.#worker
    if (stopSignal.aborted) return this.#stop()
    stopSignal.addEventListener('abort', () => this.#stop(), { once: true })
    this.#resume()
  }

  /**
   * Polling found the socket readable and accepted one connection: take it, then a few more from
   * the same queue while this worker is within its share (one turn of the loop may see a whole burst).
   */
  #readable(fdOrErrno: number, from: Watched): void {
    let taken = this.#take(fdOrErrno, from)
    for (let n = 1; taken && n < ACCEPTS_PER_TURN && !this.#stopped && this.#mayAccept(); n++) taken = this.#take(this.#binding.acceptNow(from.watcher), from)
    this.#balance()
  }

  /** Serves an accepted descriptor (or handles the errno): whether a connection was taken. */
  #take(fdOrErrno: number, from: Watched): boolean {
    if (fdOrErrno < 0) {
      if (!TRANSIENT.has(-fdOrErrno)) this.#backOff(getSystemErrorName(fdOrErrno))
      return false
    }
    this.#backingOff = false
    const server = from.server as unknown as ServerInternals
    let socket: Socket
    try {
      // As node's own accept makes it: node:http needs allowHalfOpen (a client that half-closes
      // after its request still gets the response).
      const hwm = server.highWaterMark
      socket = new Socket({ fd: fdOrErrno, readable: true, writable: true, allowHalfOpen: server.allowHalfOpen, ...(hwm ? { readableHighWaterMark: hwm, writableHighWaterMark: hwm } : {}) })
    } catch (error) {
      this.#worker.log.warning(`Could not serve an accepted connection: ${(error as Error).message}`)
      return false
    }
    if (from.tcp && server.noDelay) socket.setNoDelay(true)
    if (from.tcp && server.keepAlive) socket.setKeepAlive(true, server.keepAliveInitialDelay)
    // As node's own accept does, so the server counts it (a graceful stop waits for it to close).
    ;(socket as unknown as SocketInternals).server = from.server
    ;(socket as unknown as SocketInternals)._server = from.server
    server._connections++
    this.#held++
    this.#board.post(this.#held)
    socket.once('close', () => this.#closed())
    from.server.emit('connection', socket)
    return true
  }

  #closed(): void {
    this.#held--
    this.#board.post(this.#held)
    if (!this.#watching && !this.#backingOff) this.#balance()
  }

  /**
   * Whether this worker may take one more connection now. (Its cap, `workerConnections`, is the
   * connection guard's: at the cap a new client gets in by shedding an idle one.)
   */
  #mayAccept(): boolean {
    const fewest = this.#board.fewestElsewhere()
    return fewest === undefined || this.#held <= fewest + SLACK
  }

  #balance(): void {
    if (this.#stopped) return
    if (this.#mayAccept()) return this.#resume()
    if (!this.#watching) return
    this.#pause()
    this.#pausedAt = Date.now()
    this.#recheckMs = FIRST_RECHECK_MS
    this.#schedule()
  }

  #recheck(): void {
    this.#timer = undefined
    if (this.#stopped || this.#watching || this.#backingOff) return
    if (this.#mayAccept()) return this.#resume()
    const stalled = Date.now() - this.#pausedAt >= STALL_MS
    if (stalled && this.#acceptQueued()) {
      this.#recheckMs = FIRST_RECHECK_MS
    } else {
      this.#recheckMs = Math.min(this.#recheckMs * 2, LAST_RECHECK_MS)
    }
    if (!this.#watching) this.#schedule()
  }

  /** Takes one connection waiting in a queue, if any: whether one was taken. */
  #acceptQueued(): boolean {
    for (const entry of this.#watchers) {
      const fdOrErrno = this.#binding.acceptNow(entry.watcher)
      if (fdOrErrno >= 0 || !TRANSIENT.has(-fdOrErrno)) {
        const taken = this.#take(fdOrErrno, entry)
        this.#balance()
        return taken
      }
    }
    return false
  }

  #schedule(): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#recheck(), this.#recheckMs)
    this.#timer.unref()
  }

  #resume(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#watching || this.#stopped) return
    this.#watching = true
    for (const { watcher } of this.#watchers) this.#binding.resume(watcher)
  }

  #pause(): void {
    if (!this.#watching) return
    this.#watching = false
    for (const { watcher } of this.#watchers) this.#binding.pause(watcher)
  }

  /** Out of descriptors or memory: the socket stays readable and polling would spin; say so once and retry shortly. */
  #backOff(error: string): void {
    this.#pause()
    if (!this.#backingOff) this.#worker.log.warning(`accept failed (${error}); retrying every ${BACK_OFF_MS} ms`)
    this.#backingOff = true
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#backingOff = false
      this.#resume()
      this.#balance()
    }, BACK_OFF_MS)
    this.#timer.unref()
  }

  /**
   * Stops accepting, as node's server.close() would: the descriptor is closed too, so once the
   * arbiter has let go of the socket (TERM) new connections are refused rather than queued on a
   * socket nobody will accept from; on HUP the arbiter still holds it for the new workers.
   */
  #stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#watching = false
    for (const { watcher } of this.#watchers) this.#binding.closeWatcher(watcher)
    this.#board.leave()
  }
}
