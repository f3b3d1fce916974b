import type { ServerResponse } from 'node:http'
import type { App } from '../app/types.js'
import type { AccessLog } from '../log/access-log.js'
import type { Logger } from '../log/logger.js'
import type { Settings, WorkerInfo } from '../settings/types.js'
import type { WorkerMessage } from './messages.js'
import { Heartbeat } from './heartbeat.js'
import { createRequestListener } from './request-listener.js'
import { SocketCopies } from './socket-copies.js'
import type { ListenHandle, ListenSocket, StopMode, TimeoutScope, WorkerRuntime } from './types.js'

interface RuntimeOptions {
  age: number
  settings: Settings
  app: App
  sockets: ListenSocket[]
  log: Logger
  accessLog: AccessLog | undefined
  send: (message: WorkerMessage) => void
  /** What `timeout` limits, as the worker class declares it. */
  timeoutScope: TimeoutScope
}

/**
 * The part of a worker every worker class shares: heartbeat, the stop state, request accounting
 * and max-requests. It owns no signals and no sockets: `entry.ts` wires those to it.
 */
export class Runtime implements WorkerRuntime {
  readonly age: number
  readonly settings: Settings
  readonly app: App
  readonly sockets: readonly ListenSocket[]
  readonly log: Logger
  readonly listener: WorkerRuntime['listener']
  readonly info: WorkerInfo
  #stopMode: StopMode | undefined
  readonly #stop = new AbortController()
  readonly #send: RuntimeOptions['send']
  readonly #maxRequests: number
  #handled = 0
  /** Responses in progress, so a stop can make each one end its connection. */
  readonly #open = new Set<ServerResponse>()
  readonly #heartbeat: Heartbeat
  #socketCopies: SocketCopies | undefined
  #booted = false

  constructor(options: RuntimeOptions) {
    this.age = options.age
    this.settings = options.settings
    this.app = options.app
    this.sockets = options.sockets
    this.log = options.log
    this.#send = options.send
    this.info = { pid: process.pid, age: options.age }
    this.#heartbeat = new Heartbeat(() => this.notify(), options.settings, options.timeoutScope)
    const { maxRequests, maxRequestsJitter } = options.settings
    this.#maxRequests = maxRequests > 0 ? maxRequests + Math.floor(Math.random() * (maxRequestsJitter + 1)) : 0
    this.listener = createRequestListener({
      app: options.app,
      hooks: options.settings,
      worker: this.info,
      log: options.log,
      accessLog: options.accessLog,
      accounting: { started: (res) => this.#started(res), finished: (res) => this.#finished(res) },
    })
  }

  get stopSignal(): AbortSignal {
    return this.#stop.signal
  }
  get stopMode(): StopMode | undefined {
    return this.#stopMode
  }
  get booted(): boolean {
    return this.#booted
  }
  get inFlight(): number {
    return this.#open.size
  }

  ready(): void {
    if (this.#booted) return
    this.#booted = true
    this.#send({ type: 'booted' })
    this.#heartbeat.start()
  }

  notify(): void {
    this.#send({ type: 'heartbeat' })
  }

  /** Ask the worker class to stop; a later quick stop overrides a graceful one. */
  stop(mode: StopMode): void {
    if (this.#stopMode === mode || this.#stopMode === 'quick') return
    this.#stopMode = mode
    // Responses not yet under way end their connection instead of keeping it alive.
    for (const res of this.#open) if (!res.headersSent) res.shouldKeepAlive = false
    this.#stop.abort(mode)
  }

  takeSocketCopy(index: number): Promise<ListenHandle> {
    this.#socketCopies ??= new SocketCopies(this.sockets.length, this.#send)
    return this.#socketCopies.take(index)
  }

  stopHeartbeat(): void {
    this.#heartbeat.stop()
  }

  /** On SIGABRT (a timeout): log what is being cut, while the event loop can still say it. */
  reportAbort(): void {
    const cut = this.#heartbeat.cutRequest()
    if (cut) {
      this.log.error(`Request '${cut.line}' cut after ${(cut.elapsedMs / 1000).toFixed(1)}s: the worker was aborted (timeout ${this.settings.timeout}s)`)
    } else if (this.inFlight > 0) {
      this.log.error(`Worker aborted with ${this.inFlight} request(s) in flight`)
    }
  }

  #started(res: ServerResponse): void {
    this.#open.add(res)
    if (this.#stopMode || this.settings.keepalive <= 0) res.shouldKeepAlive = false
    this.#heartbeat.requestStarted(res.req)
  }

  #finished(res: ServerResponse): void {
    this.#open.delete(res)
    this.#heartbeat.requestFinished()
    this.#handled++
    if (this.#maxRequests > 0 && this.#handled >= this.#maxRequests && !this.#stopMode) {
      this.log.info(`Autorestarting worker after current request (served ${this.#handled}).`)
      this.stop('graceful')
    }
  }
}
