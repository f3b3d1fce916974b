import type { ChildProcess } from 'node:child_process'
import { freshImports } from '../app/import-module.js'
import { appSource } from '../app/app-source.js'
import { loadApp } from '../app/load-app.js'
import type { Logger } from '../log/logger.js'
import type { LogPlan } from '../log/log-plan.js'
import { openLogPlan } from '../log/open-log-plan.js'
import { formatBind, parseBind } from '../settings/bind-address.js'
import { plainSettings, resolveSettings } from '../settings/resolve.js'
import { activatedBinds } from '../settings/socket-activation.js'
import type { ArbiterInfo, Settings, WorkerInfo } from '../settings/types.js'
import { type SocketCopyMessage, isLivenessMessage, isWorkerMessage } from '../worker/messages.js'
import { checkWorkerClass } from '../worker/check-worker-class.js'
import { loadWorkerClass } from '../worker/resolve-worker-class.js'
import type { TlsMaterial, WorkerClass } from '../worker/types.js'
import { describeCertificate, rereadTlsMaterial } from '../tls/tls-material.js'
import { type ArbiterCommand, ArbiterEvents, type ArbiterSnapshot, type RecycleReason } from './arbiter-events.js'
import type { BoundSocket } from './bound-socket.js'
import { ConnectionBoard } from '../worker/connection-board.js'
import { VERSION } from '../version.js'
import { APP_LOAD_ERROR, EXIT_OK, WORKER_BOOT_ERROR } from './exit-codes.js'
import { runHook, runHookWithin } from './hook-runner.js'
import { Pidfile } from './pidfile.js'
import { SystemdNotifier } from './systemd-notify.js'
import { RespawnThrottle } from './respawn-throttle.js'
import { Reloader } from './reloader.js'
import { bindSockets } from './sockets.js'
import { isParentAlive, releaseSocket, spawnNewArbiter, takeInheritedSockets } from './upgrade.js'
import { type WorkerRecord, exitReason, spawnWorker, workerSnapshot } from './worker-process.js'
import { describeWorkerExit } from './worker-exit.js'
import { logOpenFilesLimit } from './open-files-limit.js'

/** The most socket copies one request may ask for: a worker holds them as open descriptors. */
const MAX_SOCKET_COPIES = 64

const SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGTTIN', 'SIGTTOU', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const
type Signal = (typeof SIGNALS)[number]

/**
 * What the loop dispatches: a signal, a worker that exited with a code that halts the arbiter, a
 * file `--reload` saw change, or a command from beside the arbiter (`gu ctl`, the memory guard).
 */
type ArbiterEvent =
  | ArbiterCommand
  | { kind: 'boot-failure'; record: WorkerRecord; code: number }
  | { kind: 'reload'; file: string }

export interface ArbiterOptions {
  settings: Settings
  log: Logger
  /** Both logs as resolved from the settings and `--log-config`: the workers' logs are built from it. */
  logPlan: LogPlan
  workerClass: WorkerClass
  /** The command line, re-read on HUP. */
  argv: readonly string[]
  /** With `certfile`: the certificate and key as read and checked at start (see `readTlsMaterial`). */
  tls?: TlsMaterial | undefined
}

/** What a generation of workers runs with, kept so a failed reload can go back to it. */
interface GenerationState {
  settings: Settings
  logPlan: LogPlan
  workerClass: WorkerClass
  numWorkers: number
  /** The sockets it serves: kept open while it has workers, and back in use if it is rolled back to. */
  sockets: readonly BoundSocket[]
  tls: TlsMaterial | undefined
}

/**
 * The arbiter, as Gunicorn's: it owns the listening sockets and keeps `workers` worker processes
 * alive. Signal handlers only enqueue; the loop dispatches to `handleHup`, `handleTerm`, …, and
 * between events it reaps timed-out workers and spawns or retires workers to match the count.
 */
export class Arbiter {
  #settings: Settings
  /** What its workers serve HTTPS with: re-read on HUP, kept when the new files won't load. */
  #tls: TlsMaterial | undefined
  readonly #log: Logger
  #logPlan: LogPlan
  #workerClass: WorkerClass
  readonly #argv: readonly string[]
  #sockets: BoundSocket[] = []
  /** Every socket open here: the current ones, and those older generations still serve. */
  readonly #held = new Set<BoundSocket>()
  /** The sockets the other arbiter of an upgrade also serves (handed to it, or inherited from it). */
  #sharedWithPartner = new Set<BoundSocket>()
  /** A --reload change left to the new arbiter of an upgrade, applied here if that one goes. */
  #skippedReload: string | undefined
  readonly #workers = new Map<number, WorkerRecord>()
  #numWorkers: number
  #age = 0
  #generation = 1
  /** Generation numbers are never reused, so a rolled-back generation's stragglers stay recognisable. */
  #lastGeneration = 1
  /** The settings of each older generation that still has workers (see `#rollBackGeneration`). */
  readonly #generations = new Map<number, GenerationState>()
  /** The new arbiter started by USR2, while it runs. */
  #newArbiter: ChildProcess | undefined
  /** The old arbiter that started this one with USR2, while it runs. */
  #oldArbiterPid: number | undefined
  readonly #queue: ArbiterEvent[] = []
  #wake: (() => void) | undefined
  #exitCode: number | undefined
  #stopping = false
  #readyAnnounced = false
  /** A HUP is under way: systemd gets READY=1 again once its generation has booted. */
  #reloading = false
  #notifier: SystemdNotifier | undefined
  #pidfile: Pidfile | undefined
  readonly #throttle = new RespawnThrottle()
  readonly #exitWaiters = new Set<() => void>()
  /** Spawns begun but not yet in `#workers` (a preFork hook may be awaited in between). */
  #pendingSpawns = 0
  /** With `--reload`: watches the workers' files and the extra files, and enqueues a reload. */
  #reloader: Reloader | undefined
  /** Where workers post how many connections each holds (see `listenBalanced`); `connections(record.boardSlot)` reads one. */
  #board: ConnectionBoard | undefined
  readonly #startedAt = Date.now()
  /** What the control socket, metrics and memory guard hear of: they live beside the arbiter, not in it. */
  readonly events = new ArbiterEvents()

  constructor(options: ArbiterOptions) {
    this.#settings = options.settings
    this.#tls = options.tls
    this.#log = options.log
    this.#logPlan = options.logPlan
    this.#workerClass = options.workerClass
    this.#argv = options.argv
    this.#numWorkers = options.settings.workers
  }

  get #info(): ArbiterInfo {
    return { pid: process.pid, settings: this.#settings, numWorkers: this.#numWorkers }
  }

  /** The state `gu ctl` and the metrics read: a copy, derived afresh on each read. */
  get snapshot(): ArbiterSnapshot {
    return {
      pid: process.pid,
      startedAt: this.#startedAt,
      generation: this.#generation,
      numWorkers: this.#numWorkers,
      workerClass: this.#workerClass.name,
      settings: this.#settings,
      listeners: this.#workerClass.sockets === 'self' ? this.#settings.bind : this.#sockets.map((socket) => socket.label),
      stopping: this.#stopping,
      newArbiterPid: this.#newArbiter?.pid,
      oldArbiterPid: this.#oldArbiterPid,
      workers: [...this.#workers.values()].map((w) => workerSnapshot(w, this.#board?.connections(w.boardSlot))),
    }
  }

  /** A change asked for from beside the arbiter: queued and dispatched as a signal is. */
  request(command: ArbiterCommand): void {
    this.#enqueue(command)
  }

  /** Sends a message to every worker still connected (the metrics' scrape of app metrics); returns their pids. */
  tellWorkers(message: object): number[] {
    const told: number[] = []
    for (const worker of this.#workers.values()) {
      if (!worker.child.connected) continue
      worker.child.send(message, (error) => error && this.#log.debug(`Could not message worker ${worker.pid}: ${error.message}`))
      told.push(worker.pid)
    }
    return told
  }

  /** Starts serving; resolves with the exit code once the arbiter has stopped. */
  async run(): Promise<number> {
    const settings = this.#settings
    process.title = `gu: master [${settings.procName ?? settings.app}]`
    const inherited = takeInheritedSockets()
    this.#oldArbiterPid = inherited.parentPid
    this.#notifier = SystemdNotifier.fromEnvironment(this.#log)
    await runHook(settings, this.#log, 'onStarting', this.#info)
    if (settings.pidfile) {
      // Started by USR2: `<pidfile>.2` until the old arbiter, which holds `<pidfile>`, has exited.
      this.#pidfile = new Pidfile(this.#oldArbiterPid ? `${settings.pidfile}.2` : settings.pidfile)
      this.#pidfile.create(process.pid)
    }
    try {
      if (this.#workerClass.sockets === 'inherit') {
        this.#sockets = await bindSockets(settings.bind, settings.backlog, this.#log, inherited.sockets, settings.reusePort)
      }
    } catch (error) {
      this.#pidfile?.unlink(process.pid)
      throw error
    } finally {
      for (const socket of inherited.sockets) if (!this.#sockets.includes(socket)) releaseSocket(socket, true)
    }
    for (const socket of this.#sockets) this.#held.add(socket)
    this.#board = this.#openBoard()
    if (this.#oldArbiterPid) this.#sharedWithPartner = new Set(inherited.sockets.filter((socket) => this.#sockets.includes(socket)))
    this.#log.info(`Starting gu ${VERSION}`)
    logOpenFilesLimit(this.#log, settings.workerConnections)
    if (this.#oldArbiterPid) this.#log.info(`Started by USR2 from the arbiter with pid ${this.#oldArbiterPid}; serving its sockets alongside it`)
    for (const socket of this.#sockets) this.#log.info(`Listening at: ${socket.label} (${process.pid})`)
    if (this.#workerClass.sockets === 'self') {
      for (const spec of settings.bind) this.#log.info(`Listening at: ${formatBind(parseBind(spec))} (bound by each worker: sockets 'self')`)
    }
    this.#log.info(`Using worker: ${this.#workerClass.name}`)
    if (this.#tls) this.#log.info(describeCertificate(this.#tls, settings))
    for (const signal of SIGNALS) process.on(signal, () => this.#enqueue({ kind: 'signal', signal }))
    this.#syncReloader()
    this.events.emit('started')
    await runHook(settings, this.#log, 'nworkersChanged', this.#info, this.#numWorkers, null)
    await this.#loop()
    return this.#exitCode ?? EXIT_OK
  }

  /** The connection board, or none (workers then accept as node does) if it can't be made. */
  #openBoard(): ConnectionBoard | undefined {
    try {
      return ConnectionBoard.create()
    } catch (error) {
      this.#log.warning(`Could not create the connection board; workers accept without balancing: ${(error as Error).message}`)
      return undefined
    }
  }

  #enqueue(event: ArbiterEvent): void {
    this.#queue.push(event)
    this.#wake?.()
  }

  async #loop(): Promise<void> {
    while (this.#exitCode === undefined) {
      const event = this.#queue.shift()
      if (event) {
        await this.#dispatch(event)
        continue
      }
      this.#murderWorkers()
      this.#manageWorkers()
      this.#checkOldArbiter()
      await this.#sleep()
    }
  }

  #sleep(): Promise<void> {
    const timeout = this.#settings.timeout
    const tick = timeout > 0 ? Math.min(1000, Math.max(100, timeout * 250)) : 1000
    const ms = Math.min(tick, this.#throttle.waitMs() || tick)
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wake = done
    })
  }

  async #dispatch(event: ArbiterEvent): Promise<void> {
    if (event.kind === 'boot-failure') return this.#handleBootFailure(event.record, event.code)
    if (event.kind === 'scale') return this.handleScale(event.count ?? this.#numWorkers + (event.delta ?? 0))
    if (event.kind === 'recycle') return this.#recycle(event.pid, event.reason)
    if (event.kind === 'reload') {
      // During an upgrade the new arbiter reloads for both: this one (which may have been told
      // WINCH) must not bring its workers back.
      if (this.#newArbiter) {
        this.#skippedReload = event.file
        return this.#log.info(`${event.file} changed; left to the new arbiter (pid:${this.#newArbiter.pid})`)
      }
      return this.handleHup(`Reloading: ${event.file} changed`)
    }
    switch (event.signal) {
      case 'SIGHUP':
        return this.handleHup()
      case 'SIGTERM':
        return this.handleTerm()
      case 'SIGINT':
      case 'SIGQUIT':
        return this.handleQuit(event.signal)
      case 'SIGTTIN':
        return this.handleTtin()
      case 'SIGTTOU':
        return this.handleTtou()
      case 'SIGUSR1':
        return this.handleUsr1()
      case 'SIGUSR2':
        return this.handleUsr2()
      case 'SIGWINCH':
        return this.handleWinch()
    }
  }

  /**
   * HUP: reload settings and start a new generation; the old one stops once it has booted.
   * `--reload` does the same when a watched file changes, with `reason` as its log line.
   */
  async handleHup(reason = 'Handling signal: hup'): Promise<void> {
    this.#log.info(reason)
    this.#notifier?.notify('RELOADING=1')
    const previous: GenerationState = { settings: this.#settings, logPlan: this.#logPlan, workerClass: this.#workerClass, numWorkers: this.#numWorkers, sockets: this.#sockets, tls: this.#tls }
    let next: Settings
    let nextLogPlan: LogPlan
    let nextTls: TlsMaterial | undefined
    try {
      // The config file and (with --preload) the app are imported anew, not from the module cache.
      freshImports()
      next = (await resolveSettings(this.#argv)).settings
      nextLogPlan = await openLogPlan(next)
      if (next.preloadApp) await loadApp(appSource(next))
      const workerClass = next.workerClass !== this.#settings.workerClass ? await loadWorkerClass(next.workerClass, next.chdir) : this.#workerClass
      checkWorkerClass(workerClass, next)
      nextTls = rereadTlsMaterial(next, this.#tls, this.#log)
      if (workerClass.sockets === 'inherit') {
        // An address dropped from the settings stays open until the old workers have gone (see #releaseUnusedSockets).
        this.#sockets = await bindSockets(next.bind, next.backlog, this.#log, [...this.#held], next.reusePort)
      }
      this.#workerClass = workerClass
    } catch (error) {
      this.#log.error('Reload failed; the current workers keep serving', error)
      this.#notifier?.notify('READY=1')
      return
    }
    // Recorded at once: a worker exiting during the awaits below must not release its sockets.
    this.#generations.set(this.#generation, previous)
    this.#log.reconfigure(nextLogPlan.error)
    this.#logPlan = nextLogPlan
    this.#settings = next
    this.#tls = nextTls
    this.#syncReloader()
    if (next.workers !== this.#numWorkers) await this.#setNumWorkers(next.workers)
    await runHook(next, this.#log, 'onReload', this.#info)
    this.#generation = ++this.#lastGeneration
    this.#reloading = true
    this.#forgetRetiredGenerations()
  }

  /** TERM: stop gracefully, letting in-flight requests finish within graceful-timeout. */
  async handleTerm(): Promise<void> {
    this.#log.info('Handling signal: term')
    await this.#halt(EXIT_OK, true)
  }

  /** INT and QUIT: stop quickly. */
  async handleQuit(signal: Signal): Promise<void> {
    this.#log.info(`Handling signal: ${signal.slice(3).toLowerCase()}`)
    await this.#halt(EXIT_OK, false)
  }

  async handleTtin(): Promise<void> {
    await this.#setNumWorkers(this.#numWorkers + 1)
  }

  async handleTtou(): Promise<void> {
    if (this.#numWorkers <= 1) return
    await this.#setNumWorkers(this.#numWorkers - 1)
  }

  /** `gu ctl scale`: TTIN and TTOU by more than one at a time, never below one worker. */
  async handleScale(count: number): Promise<void> {
    const next = Math.max(1, Math.floor(count))
    if (next !== this.#numWorkers && !this.#stopping) await this.#setNumWorkers(next)
  }

  /** Replaces a worker that still serves, as max-requests does: the replacement boots, then it gets TERM. */
  #recycle(pid: number, reason: RecycleReason): void {
    const worker = this.#workers.get(pid)
    if (!worker || worker.stopping || worker.retiring || this.#stopping) return
    worker.retiring = true
    worker.recycleReason = reason
  }

  /**
   * WINCH: stop every worker gracefully but keep running and keep the sockets, so connections
   * wait in the kernel's backlog; TTIN adds workers back one at a time, HUP the configured count.
   * (Gunicorn does this only when daemonized; gu always does.)
   */
  async handleWinch(): Promise<void> {
    this.#log.info('Handling signal: winch')
    this.#log.info('Stopping all workers gracefully; the arbiter keeps its sockets (TTIN or HUP starts workers again)')
    if (this.#numWorkers !== 0) await this.#setNumWorkers(0)
    for (const worker of this.#workers.values()) if (!worker.stopping) this.#kill(worker, 'SIGTERM')
  }

  /**
   * USR2: in-place upgrade. A new arbiter starts from the same command line with this one's
   * sockets and serves alongside it; the operator then sends WINCH and TERM here (or, to go
   * back, HUP here and TERM to the new one).
   */
  async handleUsr2(): Promise<void> {
    this.#log.info('Handling signal: usr2')
    if (this.#newArbiter) {
      this.#log.warning(`USR2 ignored: an upgrade is already in progress (new arbiter pid ${this.#newArbiter.pid})`)
      return
    }
    if (this.#oldArbiterPid) {
      this.#log.warning(`USR2 ignored: the old arbiter (pid ${this.#oldArbiterPid}) is still running; stop it first`)
      return
    }
    await runHook(this.#settings, this.#log, 'preExec', this.#info)
    let child: ChildProcess
    try {
      child = spawnNewArbiter(this.#sockets, activatedBinds() !== undefined, this.#notifier?.socketPath)
    } catch (error) {
      this.#log.error('Could not start a new arbiter', error)
      return
    }
    child.once('error', (error) => {
      this.#log.error('Could not start a new arbiter', error)
      if (this.#newArbiter === child) this.#newArbiter = undefined
    })
    child.once('exit', (code, signal) => {
      this.#log.info(`New arbiter (pid:${child.pid}) exited ${signal ? `on ${signal}` : `with code ${code}`}`)
      if (this.#newArbiter !== child) return
      this.#newArbiter = undefined
      this.#sharedWithPartner.clear()
      if (this.#stopping) return
      // A rollback (or a new arbiter that failed): systemd may have been following it.
      this.#notifier?.notify(`MAINPID=${process.pid}`, ...(this.#reloading ? [] : ['READY=1']))
      this.#releaseUnusedSockets()
      const skipped = this.#skippedReload
      this.#skippedReload = undefined
      if (skipped) this.#enqueue({ kind: 'reload', file: skipped })
    })
    this.#newArbiter = child
    this.#sharedWithPartner = new Set(this.#sockets)
    this.#log.info(`Started a new arbiter (pid:${child.pid}) for an in-place upgrade`)
  }

  /** The other arbiter of an upgrade (the new one, or the old one), while it runs. */
  #partnerPid(): number | undefined {
    this.#checkOldArbiter()
    return this.#newArbiter?.pid ?? this.#oldArbiterPid
  }


  /** Started by USR2: once the old arbiter has gone, take over `<pidfile>` from `<pidfile>.2`. */
  #checkOldArbiter(): void {
    const old = this.#oldArbiterPid
    if (old === undefined || isParentAlive(old)) return
    this.#oldArbiterPid = undefined
    this.#sharedWithPartner.clear()
    this.#log.info(`The old arbiter (pid:${old}) has exited; this arbiter carries on alone`)
    this.#releaseUnusedSockets()
    const path = this.#settings.pidfile
    if (!path || !this.#pidfile || this.#pidfile.path === path) return
    const upgraded = this.#pidfile
    try {
      const pidfile = new Pidfile(path)
      pidfile.create(process.pid)
      this.#pidfile = pidfile
      upgraded.unlink(process.pid)
    } catch (error) {
      this.#log.error(`Could not move the pid file from ${upgraded.path} to ${path}`, error)
    }
  }

  /**
   * Starts or stops watching files to match `--reload` (at start, and when a reload or a rollback
   * changes the settings). Files the workers reported stay watched; the extra globs are re-read.
   */
  #syncReloader(): void {
    const settings = this.#settings
    if (!settings.reload || this.#stopping) {
      this.#reloader?.close()
      this.#reloader = undefined
      return
    }
    if (!this.#reloader) {
      this.#reloader = new Reloader(this.#log, (file) => this.#enqueue({ kind: 'reload', file }))
      this.#log.info('Reloading on changes to the app\'s files' + (settings.reloadExtraFiles.length > 0 ? ` and ${settings.reloadExtraFiles.join(', ')}` : ''))
    }
    this.#reloader.setExtraFiles(settings.reloadExtraFiles, settings.chdir)
  }

  /** USR1: reopen log files, here and in every worker. */
  handleUsr1(): void {
    // Logged before the reopen, as Gunicorn does: the last line of the rotated file.
    this.#log.info('Handling signal: usr1')
    this.#log.reopen()
    this.#killAll('SIGUSR1')
  }

  async #setNumWorkers(count: number): Promise<void> {
    const old = this.#numWorkers
    this.#numWorkers = count
    this.#log.info(`Number of workers: ${count} (was ${old})`)
    await runHook(this.#settings, this.#log, 'nworkersChanged', this.#info, count, old)
  }

  async #handleBootFailure(record: WorkerRecord, code: number): Promise<void> {
    if (this.#stopping) return
    // A straggler of a generation already rolled back, or an old worker the new generation replaces.
    if (record.generation !== this.#generation) return
    if (this.#hasOlderGeneration()) {
      // A reload whose new workers can't boot: keep the generation that works.
      this.#log.error(`Reload failed: the new workers could not ${code === APP_LOAD_ERROR ? 'load the app' : 'boot'}; the previous workers keep serving`)
      this.#rollBackGeneration()
      if (this.#reloading) {
        this.#reloading = false
        this.#notifier?.notify('READY=1')
      }
      return
    }
    const reason = code === APP_LOAD_ERROR ? 'App failed to load.' : 'Worker failed to boot.'
    this.#log.error(`Shutting down: ${reason}`)
    await this.#halt(code, true)
  }

  #hasOlderGeneration(): boolean {
    return [...this.#workers.values()].some((w) => w.generation < this.#generation)
  }

  /** Stops the failed generation and goes back to the newest older one, with its settings. */
  #rollBackGeneration(): void {
    const failed = this.#generation
    const previous = Math.max(0, ...[...this.#workers.values()].filter((w) => w.generation < failed).map((w) => w.generation))
    for (const worker of this.#workers.values()) {
      if (worker.generation === failed) this.#kill(worker, 'SIGTERM')
    }
    this.#generation = previous
    const state = this.#generations.get(previous)
    if (state) {
      this.#settings = state.settings
      this.#logPlan = state.logPlan
      this.#workerClass = state.workerClass
      this.#numWorkers = state.numWorkers
      this.#sockets = [...state.sockets]
      this.#tls = state.tls
      this.#syncReloader()
    }
    for (const generation of this.#generations.keys()) if (generation >= previous) this.#generations.delete(generation)
    this.#releaseUnusedSockets()
  }

  /** Spawns workers up to the count; retires extra ones; retires an old generation once replaced. */
  #manageWorkers(): void {
    if (this.#stopping) return
    const current = [...this.#workers.values()].filter((w) => w.generation === this.#generation && !w.stopping && !w.retiring)
    if (current.length > this.#numWorkers) {
      const extra = current.sort((a, b) => a.age - b.age).slice(0, current.length - this.#numWorkers)
      for (const worker of extra) this.#kill(worker, 'SIGTERM')
    }
    for (let n = current.length + this.#pendingSpawns; n < this.#numWorkers && this.#throttle.canSpawn(); n++) void this.#spawn()
  }

  async #spawn(): Promise<void> {
    const age = ++this.#age
    const info: WorkerInfo = { pid: 0, age }
    this.#pendingSpawns++
    await runHook(this.#settings, this.#log, 'preFork', this.#info, info)
    this.#pendingSpawns--
    if (this.#stopping) return
    const selfBinding = this.#workerClass.sockets === 'self'
    const slot = !selfBinding && this.#board ? this.#board.claim() : -1
    const board = this.#board && slot >= 0 ? { fd: this.#board.fd, slot } : undefined
    const { child, record } = spawnWorker(age, this.#generation, plainSettings(this.#settings), this.#logPlan, this.#sockets, selfBinding, board, this.#tls)
    child.once('error', (error) => this.#log.error('Could not spawn a worker', error))
    if (!record) {
      if (slot >= 0) this.#board?.release(slot)
      // Counted as a worker that died young, so a spawn that keeps failing backs off.
      this.#throttle.exited(0, false)
      return
    }
    this.#workers.set(record.pid, record)
    child.on('message', (message) => this.#onMessage(record, message))
    child.once('exit', (code, signal) => this.#reap(record, code, signal))
  }

  #onMessage(record: WorkerRecord, message: unknown): void {
    if (!isWorkerMessage(message)) return
    // Only liveness messages count: a status or files message sent mid-request proves nothing.
    if (isLivenessMessage(message)) record.lastHeartbeat = Date.now()
    if (message.type === 'socket-copies') return this.#sendSocketCopies(record, message.count)
    if (message.type === 'retiring') {
      // The loop spawns its replacement at once; once that has booted, it is sent TERM.
      record.retiring = true
      record.recycleReason ??= 'max-requests'
      return this.#wake?.()
    }
    if (message.type === 'stats') return void this.events.emit('worker-stats', record.pid, message)
    if (message.type === 'app-metrics') return void this.events.emit('app-metrics', record.pid, message)
    if (message.type === 'loaded-files') {
      if (!Array.isArray(message.files)) return
      this.#log.debug(`--reload: worker ${record.pid} loaded ${message.files.length} more file(s) to watch`)
      return this.#reloader?.addFiles(message.files)
    }
    if (message.type !== 'booted' || record.booted) return
    record.booted = true
    this.#throttle.booted()
    this.#retireReplacedWorkers()
    if (this.#bootedCount() >= this.#numWorkers) this.#announceReady()
  }

  /** Every worker of the current generation serves: the first time, and after each reload. */
  #announceReady(): void {
    if (!this.#readyAnnounced) {
      this.#readyAnnounced = true
      void runHook(this.#settings, this.#log, 'whenReady', this.#info)
    } else if (this.#reloading) {
      this.#reloading = false
    } else {
      return
    }
    this.#notifier?.notify('READY=1', `STATUS=Serving with ${this.#numWorkers} worker(s)`, `MAINPID=${process.pid}`)
  }

  /** Each send passes a new descriptor of the socket (SCM_RIGHTS); the arbiter keeps its own. */
  #sendSocketCopies(record: WorkerRecord, count: number): void {
    if (!record.child.connected) return
    for (let n = 0; n < Math.min(count, MAX_SOCKET_COPIES); n++) {
      // A worker of an older generation serves that generation's sockets, at the same indexes.
      const sockets = this.#generations.get(record.generation)?.sockets ?? this.#sockets
      sockets.forEach((socket, index) => {
        record.child.send({ type: 'socket-copy', index } satisfies SocketCopyMessage, socket.handle as never, (error) => {
          if (error && record.child.connected) this.#log.debug(`Could not send a socket copy to worker ${record.pid}: ${error.message}`)
        })
      })
    }
  }

  #bootedCount(): number {
    return [...this.#workers.values()].filter((w) => w.generation === this.#generation && w.booted && !w.retiring).length
  }

  /** After a reload or max-requests, each new worker that boots lets one old worker go; never earlier. */
  #retireReplacedWorkers(): void {
    const old = [...this.#workers.values()].filter((w) => (w.generation < this.#generation || w.retiring) && !w.stopping).sort((a, b) => a.age - b.age)
    const surplus = old.length + this.#bootedCount() - this.#numWorkers
    for (const worker of old.slice(0, Math.max(0, surplus))) this.#kill(worker, 'SIGTERM')
  }

  #reap(record: WorkerRecord, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(record.pid)
    this.#board?.release(record.boardSlot)
    this.#forgetRetiredGenerations()
    for (const wake of this.#exitWaiters) wake()
    const lifetime = Date.now() - record.spawnedAt
    if (!record.stopping) this.#throttle.exited(lifetime, record.booted)
    const report = describeWorkerExit(record, code, signal, this.#settings.timeout)
    if (report) this.#log[report.level](report.message)
    this.events.emit('worker-exit', { pid: record.pid, age: record.age, reason: exitReason(record), code, signal })
    void runHook(this.#settings, this.#log, 'childExit', this.#info, { pid: record.pid, age: record.age, exitCode: code, signal })
    if (code === WORKER_BOOT_ERROR || code === APP_LOAD_ERROR) this.#enqueue({ kind: 'boot-failure', record, code })
    this.#wake?.()
  }

  /** Drops the saved state of older generations that have no workers left, and sockets only they used. */
  #forgetRetiredGenerations(): void {
    const live = new Set([...this.#workers.values()].map((w) => w.generation))
    for (const generation of this.#generations.keys()) if (!live.has(generation)) this.#generations.delete(generation)
    this.#releaseUnusedSockets()
  }

  /**
   * Closes the sockets that neither the current generation nor an older one still running uses:
   * an address a reload dropped stays open while the previous workers serve it, so a reload that
   * is rolled back gets it back as it was.
   */
  #releaseUnusedSockets(): void {
    if (this.#stopping) return
    const inUse = new Set([...this.#sockets, ...[...this.#generations.values()].flatMap((state) => state.sockets)])
    for (const socket of this.#held) {
      if (inUse.has(socket)) continue
      // The other arbiter of an upgrade serves this unix socket: its file stays, and so does this
      // descriptor, until that arbiter has gone (closing it here would remove the file).
      if (socket.address.kind === 'unix' && this.#isShared(socket)) continue
      this.#held.delete(socket)
      releaseSocket(socket, false)
    }
    for (const socket of this.#sockets) this.#held.add(socket)
  }

  /** Whether the other arbiter of an upgrade, still running, serves this socket too. */
  #isShared(socket: BoundSocket): boolean {
    return this.#partnerPid() !== undefined && this.#sharedWithPartner.has(socket)
  }

  /** Workers silent for `timeout` seconds get SIGABRT, and SIGKILL on the next check. */
  #murderWorkers(): void {
    const timeout = this.#settings.timeout
    if (timeout <= 0) return
    const limit = Date.now() - timeout * 1000
    for (const worker of this.#workers.values()) {
      if (worker.lastHeartbeat >= limit) continue
      if (!worker.aborted) {
        this.#log.critical(`WORKER TIMEOUT (pid:${worker.pid})`)
        worker.aborted = true
        this.#kill(worker, 'SIGABRT', false)
      } else {
        this.#kill(worker, 'SIGKILL', false)
      }
    }
  }

  #kill(worker: WorkerRecord, signal: NodeJS.Signals, expected = true): void {
    if (expected) worker.stopping = true
    // Never 0 or negative: process.kill would signal a whole process group, or every process.
    if (worker.pid <= 0) return
    try {
      process.kill(worker.pid, signal)
    } catch {
      // It already exited; reap will see it.
    }
  }

  #killAll(signal: NodeJS.Signals, expected = false): void {
    for (const worker of this.#workers.values()) this.#kill(worker, signal, expected)
  }

  /** Stops every worker (TERM, or QUIT when not graceful), kills stragglers, then exits. */
  async #halt(code: number, graceful: boolean): Promise<void> {
    if (this.#stopping) return
    const partner = this.#partnerPid()
    // The other arbiter of an upgrade carries on serving: the service isn't stopping, and systemd
    // must follow that one from now on, even if it hasn't said READY=1 yet.
    if (partner) this.#notifier?.notify(`MAINPID=${partner}`)
    else this.#notifier?.notify('STOPPING=1')
    this.#stopping = true
    this.events.emit('stopping')
    this.#syncReloader()
    for (const socket of new Set([...this.#held, ...this.#sockets])) releaseSocket(socket, this.#isShared(socket))
    this.#held.clear()
    this.#killAll(graceful ? 'SIGTERM' : 'SIGQUIT', true)
    // The loop is busy here, so #enqueue's wake-up is what lets INT or QUIT cut a graceful stop short.
    if (graceful) this.#wake = () => this.#quickenStop()
    const allExited = await this.#waitForWorkers(this.#settings.gracefulTimeout * 1000)
    if (!allExited) {
      this.#log.warning(`Killing ${this.#workers.size} worker(s) still running after ${this.#settings.gracefulTimeout}s`)
      this.#killAll('SIGKILL', true)
      await this.#waitForWorkers(5000)
    }
    this.#pidfile?.unlink(process.pid)
    await runHookWithin(this.#settings, this.#log, 'onExit', this.#settings.gracefulTimeout * 1000, this.#info)
    this.#log.info('Shutting down: Master')
    await this.#log.flush()
    this.#exitCode = code
  }

  /** INT or QUIT while stopping gracefully (a second Ctrl-C): stop the workers at once instead. */
  #quickenStop(): void {
    const quick = this.#queue.find((e) => e.kind === 'signal' && (e.signal === 'SIGINT' || e.signal === 'SIGQUIT'))
    if (!quick || quick.kind !== 'signal') return
    this.#wake = undefined
    this.#log.info(`Handling signal: ${quick.signal.slice(3).toLowerCase()}`)
    this.#killAll('SIGQUIT', true)
  }

  #waitForWorkers(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#workers.size > 0) return
        finish(true)
      }
      const timer = setTimeout(() => finish(false), ms)
      const finish = (ok: boolean) => {
        clearTimeout(timer)
        this.#exitWaiters.delete(check)
        resolve(ok)
      }
      this.#exitWaiters.add(check)
      check()
    })
  }
}

