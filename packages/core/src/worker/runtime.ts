import type { App } from '../app/types.js'
import type { AccessLog } from '../log/access-log.js'
import type { Logger } from '../log/logger.js'
import type { Settings, WorkerInfo } from '../settings/types.js'
import { runHookSync } from '../arbiter/hook-runner.js'
import type { WorkerMessage } from './messages.js'
import { Heartbeat } from './heartbeat.js'
import { type RequestLedger, RequestRecord } from './active-request.js'
import { OpenRequests } from './open-requests.js'
import type { BoardSeat } from './connection-board.js'
import { SocketCopies } from './socket-copies.js'
import { RequestStats } from './request-stats.js'
import { StatsReporter } from './stats-reporter.js'
import { configureProxyTrust } from '../http/forwarded.js'
import { UpgradeRecord } from './upgrade-record.js'
import type { ActiveRequest, ActiveUpgrade, AppSource, ListenHandle, ListenSocket, RequestView, ResponseView, StopMode, TimeoutScope, TlsMaterial, WorkerRuntime } from './types.js'

interface RuntimeOptions {
  age: number
  settings: Settings
  app: App | undefined
  appSource: AppSource
  sockets: ListenSocket[]
  tls?: TlsMaterial | undefined
  log: Logger
  accessLog: AccessLog | undefined
  send: (message: WorkerMessage) => void
  /** What `timeout` limits, as the worker class declares it. */
  timeoutScope: TimeoutScope
  /** The class binds its own sockets (`sockets: 'self'`): nobody else holds them while it is replaced. */
  selfBinding?: boolean
  /** This worker's seat at the arbiter's connection board, for `listenBalanced`. */
  boardSeat?: BoardSeat
}

/**
 * The part of a worker every worker class shares: heartbeat, the stop state, and the per-request
 * work (hooks, access log, in-flight accounting, max-requests). It owns no signals and no
 * sockets: `entry.ts` wires those to it.
 */
export class Runtime implements WorkerRuntime {
  readonly age: number
  readonly settings: Settings
  readonly app: App | undefined
  readonly appSource: AppSource
  readonly sockets: readonly ListenSocket[]
  readonly tls: TlsMaterial | undefined
  readonly log: Logger
  readonly info: WorkerInfo
  readonly needs: WorkerRuntime['needs']
  /** Where `listenBalanced` posts this worker's connection count; not part of the contract. */
  readonly boardSeat: BoardSeat | undefined
  #stopMode: StopMode | undefined
  #stoppedAt: number | undefined
  readonly #stop = new AbortController()
  readonly #send: RuntimeOptions['send']
  readonly #accessLog: AccessLog | undefined
  readonly #ledger: RequestLedger
  #begun = 0
  #handled = 0
  /** Requests in progress, so a stop can make each one end its connection. */
  readonly #open = new OpenRequests<RequestRecord>()
  /** Upgraded connections (WebSockets) still open: closed with 1001 once a graceful stop has drained the requests. */
  readonly #upgraded = new Set<UpgradeRecord>()
  readonly #heartbeat: Heartbeat
  #socketCopies: SocketCopies | undefined
  /** What `gu ctl`, the metrics and the memory guard see of this worker, sent once a second. */
  readonly #stats: RequestStats
  readonly #statsReporter: StatsReporter
  #booted = false
  readonly #selfBinding: boolean
  /** Past max-requests, serving on (each response closing its connection) until the arbiter's TERM. */
  #retiring = false

  constructor(options: RuntimeOptions) {
    // Whose X-Forwarded-* to believe: read by every engine's request view and the fetch adapter.
    configureProxyTrust(options.settings)
    this.age = options.age
    this.settings = options.settings
    this.app = options.app
    this.appSource = options.appSource
    this.sockets = options.sockets
    this.tls = options.tls
    this.log = options.log
    this.#send = options.send
    this.#accessLog = options.accessLog
    this.#selfBinding = options.selfBinding ?? false
    this.boardSeat = options.boardSeat
    this.info = { pid: process.pid, age: options.age }
    this.#heartbeat = new Heartbeat(() => this.notify(), options.settings, options.timeoutScope, options.log.plan)
    const { maxRequests, maxRequestsJitter, postRequest } = options.settings
    const limit = maxRequests > 0 ? maxRequests + Math.floor(Math.random() * (maxRequestsJitter + 1)) : Infinity
    // A postRequest hook may read the bytes or headers too: measure them for it as for the log.
    this.needs = {
      responseBytes: !!postRequest || !!options.accessLog?.readsResponseBytes,
      responseHeaders: !!postRequest || !!options.accessLog?.readsResponseHeaders,
      remoteAddress: !!postRequest || !!options.accessLog,
    }
    // Each request is timed only when something reads its duration.
    const metered = !!options.settings.metricsBind || !!options.settings.statsdHost
    this.#stats = new RequestStats({ histogram: metered, samples: !!options.settings.statsdHost })
    const logCounts = options.settings.statsdHost ? () => options.log.counts : undefined
    this.#statsReporter = new StatsReporter(this.#stats, () => this.#open.size, this.#send, logCounts)
    const runtime = this
    this.#ledger = {
      get closingAll() {
        return runtime.#stopMode !== undefined || runtime.#retiring || runtime.settings.keepalive <= 0
      },
      lastOrdinal: limit,
      timed: !!options.accessLog,
      metered,
      ended: (record, response) => this.#ended(record, response),
    }
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

  beginRequest(request: RequestView, mustClose?: (request: RequestView) => void): ActiveRequest {
    const { preRequest } = this.settings
    const admitted = preRequest ? Promise.resolve().then(() => preRequest(this.info, request)) : undefined
    const record = new RequestRecord(this.#ledger, request, ++this.#begun, mustClose, admitted)
    this.#open.add(record)
    this.#heartbeat.requestStarted(request)
    return record
  }

  beginUpgrade(request: RequestView, goAway: () => void): ActiveUpgrade {
    const record = new UpgradeRecord(request, goAway, (ended, response) => {
      this.#upgraded.delete(ended)
      if (this.#accessLog) this.#writeAccessLog(this.#accessLog, ended, response)
    })
    this.#upgraded.add(record)
    // One that arrives during a graceful stop with nothing left in flight goes at once.
    if (this.#stopMode === 'graceful' && this.#open.size === 0) queueMicrotask(() => this.#leaveUpgraded())
    return record
  }

  /** How many upgraded connections are open. */
  get upgraded(): number {
    return this.#upgraded.size
  }

  ready(): void {
    if (this.#booted) return
    this.#booted = true
    this.#send({ type: 'booted' })
    this.#heartbeat.start()
    this.#statsReporter.start()
  }

  /** Set by a class that runs the app elsewhere (see provideAppMetrics). */
  appMetrics: (() => Promise<unknown[]>) | undefined

  provideAppMetrics(read: () => Promise<unknown[]>): void {
    this.appMetrics = read
  }

  reportLoadedFiles(files: readonly string[]): void {
    if (files.length > 0) this.#send({ type: 'loaded-files', files: [...files] })
  }

  notify(): void {
    this.#send({ type: 'heartbeat' })
    // In request scope a class notifies mid-request only for time that isn't the app's (a client
    // still uploading): the request's clock starts again with it.
    this.#heartbeat.renewed()
  }

  /** What is left of `--graceful-timeout` since the stop began (all of it before a stop). */
  timeLeftMs(): number {
    const total = this.settings.gracefulTimeout * 1000
    return this.#stoppedAt === undefined ? total : Math.max(0, this.#stoppedAt + total - Date.now())
  }

  /** Ask the worker class to stop; a later quick stop overrides a graceful one. */
  stop(mode: StopMode): void {
    if (this.#stopMode === mode || this.#stopMode === 'quick') return
    this.#stopMode = mode
    this.#stoppedAt ??= Date.now()
    // Responses not yet under way end their connection instead of keeping it alive.
    for (const record of this.#open) record.mustClose?.(record.view)
    this.#stop.abort(mode)
    if (mode === 'graceful' && this.#open.size === 0) this.#leaveUpgraded()
  }

  takeSocketCopy(index: number): Promise<ListenHandle> {
    this.#socketCopies ??= new SocketCopies(this.sockets.length, this.#send)
    return this.#socketCopies.take(index)
  }

  stopHeartbeat(): void {
    this.#heartbeat.stop()
    this.#statsReporter.stop()
    // The last totals, so the arbiter's counters keep every request this worker served.
    if (this.#booted) this.#send(this.#statsReporter.message())
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

  #ended(record: RequestRecord, response: ResponseView): void {
    if (this.#accessLog) this.#writeAccessLog(this.#accessLog, record, response)
    if (this.settings.postRequest) runHookSync(this.settings, this.log, 'postRequest', this.info, record.view, response)
    this.#open.delete(record)
    this.#heartbeat.requestFinished()
    this.#stats.ended(record.view.method, response.statusCode, record.startMs === undefined ? undefined : (performance.now() - record.startMs) / 1000)
    this.#handled++
    if (this.#stopMode === 'graceful' && this.#open.size === 0) this.#leaveUpgraded()
    if (this.#handled >= this.#ledger.lastOrdinal && !this.#stopMode && !this.#retiring) this.#retire()
  }

  /**
   * Max-requests reached: the arbiter starts a replacement at once. A worker on inherited sockets
   * stops now (the arbiter's socket queues what comes meanwhile); one that binds its own may be
   * the last listener of its port, so it serves on, closing each connection after its response,
   * until the arbiter sends TERM once the replacement has booted.
   */
  #retire(): void {
    this.#send({ type: 'retiring' })
    const until = this.#selfBinding ? ', serving on until its replacement has booted' : ''
    this.log.info(`Autorestarting worker after current request (served ${this.#handled}${until}).`)
    if (this.#selfBinding) this.#retiring = true
    else this.stop('graceful')
  }

  /** HTTP has drained: WebSockets go next (1001 Going Away), so their clients reconnect elsewhere. */
  #leaveUpgraded(): void {
    for (const record of this.#upgraded) {
      try {
        record.leave()
      } catch (error) {
        this.log.error('Closing an upgraded connection failed', error)
      }
    }
  }

  #writeAccessLog(accessLog: AccessLog, record: { view: RequestView; start?: Date; startNs?: bigint }, response: ResponseView): void {
    const { view } = record
    accessLog.write({
      remoteAddress: view.remoteAddress ?? '-',
      method: view.method,
      url: view.url,
      httpVersion: view.httpVersion,
      scheme: view.scheme,
      status: response.statusCode,
      responseBytes: response.bytes,
      requestHeaders: view.headers,
      responseHeader: (name) => response.getHeader(name),
      start: record.start!,
      durationMicros: Number(process.hrtime.bigint() - record.startNs!) / 1000,
    })
  }
}
