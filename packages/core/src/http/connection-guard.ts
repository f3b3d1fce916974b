import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { openFilesLimit, RESERVED_DESCRIPTORS } from '../arbiter/open-files-limit.js'
import type { WorkerRuntime } from '../worker/types.js'
import { addCloseHook } from './close-hooks.js'
import { OpenConnections } from './open-connections.js'
import { answerRequestTimeout } from './request-timeout-reply.js'
import { type SlowClientLimits, TrackedConnection } from './tracked-connection.js'

const TRACKED = Symbol('gu.trackedConnection')
/**
 * A sweep's cuts are spread over the time to the next sweep, a few every CUT_TICK_MS: each cut
 * slowloris reconnects at once, and hundreds of reconnections in one burst queue in front of a real
 * client in the accept queue (each costs the worker an accept and a parser).
 */
const CUT_TICK_MS = 10
/** At least this many cuts a second, however few connections are held. */
const MIN_CUTS_PER_SECOND = 64
type WithRecord<T> = T & { [TRACKED]?: TrackedConnection }
type Cut = [TrackedConnection, 'header' | 'body']

export interface GuardOptions {
  /** The most connections held at once; a new one past it sheds another (default `workerConnections`). */
  readonly maxConnections?: number
}

/**
 * gu's defence against slow clients, for engines on node:http (and node:net sockets): every
 * connection's head must arrive within `headerTimeout`, and its request bodies at `minBodyRate`
 * over each `bodyTimeout` window, or it gets 408 and is closed — the worker serves on. At
 * `maxConnections`, a new client makes room by shedding an idle keep-alive connection (longest
 * idle first), else the one that has sent nothing for longest, rather than being refused; only
 * connections with a request in the app are never shed. One guard per worker: the cap is the
 * worker's, across its servers.
 *
 * Limits are checked by one sweep over the connections (four per timeout, at most once a second),
 * which also tells the runtime the worker is alive while a client is uploading a body the app is
 * waiting for, so that for `sync` `--timeout` counts only the app's time.
 */
export class ConnectionGuard {
  readonly #worker: WorkerRuntime
  readonly #limits: SlowClientLimits
  readonly #max: number
  readonly #open = new OpenConnections<TrackedConnection>()
  readonly #timer: NodeJS.Timeout | undefined
  readonly #sweepMs: number = 1000
  /** The last sweep's cuts, made a few at a time until the next sweep (see CUT_TICK_MS). */
  #cutting: readonly Cut[] = []
  #cutAt = 0
  #cutTimer: NodeJS.Timeout | undefined
  #refusedWarnedAt = 0
  /** Who to shed next, best last (see #shedOne); emptied by each sweep, which makes it stale. */
  #victims: TrackedConnection[] = []
  /** One 'close' listener for every connection (no closure made per connection). */
  readonly #onClose: (this: WithRecord<Socket>) => void

  constructor(worker: WorkerRuntime, options: GuardOptions = {}) {
    const { settings } = worker
    this.#worker = worker
    const open = this.#open
    this.#onClose = function () {
      open.delete(this[TRACKED]!)
    }
    this.#max = options.maxConnections ?? Math.min(settings.workerConnections, descriptorsForConnections())
    this.#limits = { headerTimeoutMs: settings.headerTimeout * 1000, bodyTimeoutMs: settings.bodyTimeout * 1000, minBodyRate: settings.minBodyRate }
    const shortest = Math.min(...[this.#limits.headerTimeoutMs, this.#limits.bodyTimeoutMs].filter((ms) => ms > 0))
    if (Number.isFinite(shortest)) {
      this.#sweepMs = Math.max(50, Math.min(1000, shortest / 4))
      this.#timer = setInterval(() => this.sweep(), this.#sweepMs)
      this.#timer.unref()
    }
  }

  /** Connections held now. */
  get size(): number {
    return this.#open.size
  }

  /**
   * Guards `server`'s connections: its own 'connection' handling runs only for connections
   * admitted here, and node:http's own header and request timeouts make way for the guard's.
   */
  attach(server: Server): this {
    const serve = server.listeners('connection') as Array<(this: Server, socket: Socket) => void>
    server.removeAllListeners('connection')
    server.on('connection', (socket: Socket) => {
      if (!this.admit(socket)) return
      for (const listener of serve) listener.call(server, socket)
    })
    // The guard sees each request first, in the one 'request' listener (with several, node copies
    // the listener array on every request).
    const handlers = server.listeners('request') as Array<(this: Server, req: IncomingMessage, res: ServerResponse) => void>
    server.removeAllListeners('request')
    const only = handlers.length === 1 ? handlers[0] : undefined
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#requestBegan(req, res)
      if (only) return only.call(server, req, res)
      for (const handler of handlers) handler.call(server, req, res)
    })
    server.headersTimeout = 0
    server.requestTimeout = 0
    return this
  }

  /**
   * Takes a new connection: true when it may be served. At the cap another makes room; when none
   * can (every one has a request in the app), the new one is closed, as node's maxConnections would.
   */
  admit(socket: Socket): boolean {
    const now = Date.now()
    if (this.#open.size >= this.#max && !this.#shedOne(now)) {
      socket.destroy()
      if (now - this.#refusedWarnedAt > 1000) {
        this.#refusedWarnedAt = now
        this.#worker.log.warning(`At the cap of ${this.#max} connections (--worker-connections, or the open-files limit), every connection has a request in the app: refusing new connections`)
      }
      return false
    }
    const tracked = new TrackedConnection(socket, now)
    ;(socket as WithRecord<Socket>)[TRACKED] = tracked
    this.#open.add(tracked)
    socket.on('close', this.#onClose)
    return true
  }

  /** A connection another protocol took over (HTTP/2): it still counts, but is no longer timed or shed. */
  release(socket: Socket): void {
    releaseConnection(socket)
  }

  close(): void {
    clearInterval(this.#timer)
    clearTimeout(this.#cutTimer)
  }

  /** One pass over the connections: cut those past a limit; keep the worker alive while clients upload. */
  sweep(now = Date.now()): void {
    this.#victims = []
    let uploading = false
    const cuts: Cut[] = []
    for (const tracked of this.#open) {
      if (tracked.released) continue
      tracked.progressed(now)
      const verdict = tracked.check(now, this.#limits)
      if (verdict === 'uploading') uploading = true
      else if (verdict) cuts.push([tracked, verdict])
    }
    if (uploading && this.#worker.settings.timeout > 0) this.#worker.notify()
    // A flood opened together times out together, and reconnects together when cut: a tenth of
    // the connections a second at most (the rest stay over their limit and are cut by the next
    // sweeps) spreads that storm over about ten seconds.
    const budget = Math.ceil((Math.max(MIN_CUTS_PER_SECOND * 10, this.#open.size) * this.#sweepMs) / 10_000)
    this.#cutting = cuts.slice(0, budget)
    this.#cutAt = 0
    this.#cutSome()
  }

  /** Cuts the next few of the sweep's list, and schedules the rest: the list is spread over the sweep's interval. */
  #cutSome(): void {
    clearTimeout(this.#cutTimer)
    const cuts = this.#cutting
    const perTick = Math.ceil((cuts.length * CUT_TICK_MS) / this.#sweepMs)
    const to = Math.min(cuts.length, this.#cutAt + perTick)
    for (; this.#cutAt < to; this.#cutAt++) {
      const [tracked, why] = cuts[this.#cutAt]!
      if (this.#open.has(tracked)) this.#cut(tracked, why)
    }
    if (to < cuts.length) {
      this.#cutTimer = setTimeout(() => this.#cutSome(), CUT_TICK_MS)
      this.#cutTimer.unref()
    }
  }

  #requestBegan(req: IncomingMessage, res: ServerResponse): void {
    const tracked = (req.socket as WithRecord<Socket>)[TRACKED]
    if (!tracked) return
    tracked.requestBegan(req, res, Date.now)
    ;(res as WithRecord<ServerResponse>)[TRACKED] = tracked
    addCloseHook(res as WithRecord<ServerResponse>, onResponseClose)
  }

  #cut(tracked: TrackedConnection, why: 'header' | 'body'): void {
    // Only built when it is written: the peer's address is a system call, on thousands of cuts.
    if (this.#worker.log.level === 'debug') this.#worker.log.debug(`Closing a connection from ${tracked.socket.remoteAddress ?? 'a unix socket'}: its request ${why === 'header' ? 'head took longer than --header-timeout' : 'body arrived slower than --min-body-rate'}`)
    this.#drop(tracked)
  }

  /** Closes a connection: with a 408 when nothing has been answered on it yet. */
  #drop(tracked: TrackedConnection): void {
    this.#open.delete(tracked)
    if (tracked.canAnswer) answerRequestTimeout(tracked.reply!)
    else tracked.socket.destroy()
  }

  /**
   * Makes room for a new connection; false when every connection has a request in the app. Victims
   * come from a ranking of every connection, made when needed and used until it runs out (a flood
   * at the cap sheds on every accept: one scan per accept would cost O(connections) each).
   */
  #shedOne(now: number): boolean {
    for (let fresh = false; ; fresh = true) {
      for (let victim = this.#victims.pop(); victim; victim = this.#victims.pop()) {
        if (!this.#open.has(victim) || !mayShed(victim)) continue
        this.#drop(victim)
        return true
      }
      if (fresh) return false
      this.#victims = this.#rankVictims(now)
    }
  }

  /** Best victim last: idle keep-alive connections, longest idle first, then the longest-stalled. */
  #rankVictims(now: number): TrackedConnection[] {
    const idle: TrackedConnection[] = []
    const stalled: TrackedConnection[] = []
    for (const tracked of this.#open) {
      if (tracked.released) continue
      tracked.progressed(now)
      if (tracked.phase === 'idle' && tracked.inFlight === 0) idle.push(tracked)
      else if (mayShed(tracked)) stalled.push(tracked)
    }
    idle.sort((a, b) => b.since - a.since)
    stalled.sort((a, b) => b.lastProgress - a.lastProgress)
    return [...stalled, ...idle]
  }
}

/**
 * Connections the open-files limit leaves room for (a worker's own descriptors aside): past it an
 * accept fails, so shedding at it keeps letting new clients in.
 */
function descriptorsForConnections(): number {
  const soft = openFilesLimit()?.soft ?? Infinity
  return Math.max(1, soft - RESERVED_DESCRIPTORS)
}

/** Idle between requests, or receiving with nothing of a response under way. */
function mayShed(tracked: TrackedConnection): boolean {
  if (tracked.released) return false
  if (tracked.phase === 'idle') return tracked.inFlight === 0
  return tracked.receiving() && tracked.sheddable
}

// Shared by every response (no closure per request: the hot path).
function onResponseClose(res: WithRecord<ServerResponse>): void {
  res[TRACKED]?.responseClosed(Date.now())
}

/** A guard for `servers` (one per worker), attached to each. */
/**
 * A connection another protocol took over (HTTP/2, a WebSocket after its upgrade), whichever
 * guard holds it: it still counts towards the cap, but is no longer timed or shed.
 */
export function releaseConnection(socket: object): void {
  const tracked = (socket as WithRecord<Socket>)[TRACKED]
  if (tracked) tracked.released = true
}

/** A connection whose TLS handshake has begun: nothing can be answered on it in the clear. */
export function encryptingConnection(socket: Socket): void {
  const tracked = (socket as WithRecord<Socket>)[TRACKED]
  if (tracked) tracked.reply = undefined
}

/** Its handshake is done: requests arrive on `secure`, and answers go there. */
export function encryptedConnection(socket: Socket, secure: Socket): void {
  const tracked = (socket as WithRecord<Socket>)[TRACKED]
  if (!tracked) return
  tracked.reply = secure
  ;(secure as WithRecord<Socket>)[TRACKED] = tracked
}

export function guardConnections(worker: WorkerRuntime, servers: readonly Server[], options?: GuardOptions): ConnectionGuard {
  const guard = new ConnectionGuard(worker, options)
  for (const server of servers) guard.attach(server)
  return guard
}
