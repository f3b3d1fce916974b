import { loadApp } from '../app/load-app.js'
import { Logger } from '../log/logger.js'
import { plainSettings, resolveSettings } from '../settings/resolve.js'
import type { ArbiterInfo, Settings, WorkerInfo } from '../settings/types.js'
import { type SocketCopyMessage, isWorkerMessage } from '../worker/messages.js'
import { loadWorkerClass } from '../worker/resolve-worker-class.js'
import type { WorkerClass } from '../worker/types.js'
import type { BoundSocket } from './bound-socket.js'
import { VERSION } from '../version.js'
import { APP_LOAD_ERROR, EXIT_OK, WORKER_BOOT_ERROR } from './exit-codes.js'
import { runHook } from './hook-runner.js'
import { Pidfile } from './pidfile.js'
import { RespawnThrottle } from './respawn-throttle.js'
import { bindSockets } from './sockets.js'
import { type WorkerRecord, spawnWorker } from './worker-process.js'

/** The most socket copies one request may ask for: a worker holds them as open descriptors. */
const MAX_SOCKET_COPIES = 64

const SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGTTIN', 'SIGTTOU', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const
type Signal = (typeof SIGNALS)[number]

/** What the loop dispatches: a signal, or a worker that exited with a code that halts the arbiter. */
type ArbiterEvent = { kind: 'signal'; signal: Signal } | { kind: 'boot-failure'; record: WorkerRecord; code: number }

export interface ArbiterOptions {
  settings: Settings
  log: Logger
  workerClass: WorkerClass
  /** The command line, re-read on HUP. */
  argv: readonly string[]
}

/**
 * The arbiter, as Gunicorn's: it owns the listening sockets and keeps `workers` worker processes
 * alive. Signal handlers only enqueue; the loop dispatches to `handleHup`, `handleTerm`, …, and
 * between events it reaps timed-out workers and spawns or retires workers to match the count.
 */
export class Arbiter {
  #settings: Settings
  #log: Logger
  #workerClass: WorkerClass
  readonly #argv: readonly string[]
  #sockets: BoundSocket[] = []
  readonly #workers = new Map<number, WorkerRecord>()
  #numWorkers: number
  #age = 0
  #generation = 1
  readonly #queue: ArbiterEvent[] = []
  #wake: (() => void) | undefined
  #exitCode: number | undefined
  #stopping = false
  #readyAnnounced = false
  #pidfile: Pidfile | undefined
  readonly #throttle = new RespawnThrottle()
  readonly #exitWaiters = new Set<() => void>()
  /** Spawns begun but not yet in `#workers` (a preFork hook may be awaited in between). */
  #pendingSpawns = 0

  constructor(options: ArbiterOptions) {
    this.#settings = options.settings
    this.#log = options.log
    this.#workerClass = options.workerClass
    this.#argv = options.argv
    this.#numWorkers = options.settings.workers
  }

  get #info(): ArbiterInfo {
    return { pid: process.pid, settings: this.#settings, numWorkers: this.#numWorkers }
  }

  /** Starts serving; resolves with the exit code once the arbiter has stopped. */
  async run(): Promise<number> {
    const settings = this.#settings
    process.title = `gu: master [${settings.procName ?? settings.app}]`
    await runHook(settings, this.#log, 'onStarting', this.#info)
    if (settings.pidfile) {
      this.#pidfile = new Pidfile(settings.pidfile)
      this.#pidfile.create(process.pid)
    }
    try {
      if (this.#workerClass.sockets === 'inherit') {
        this.#sockets = await bindSockets(settings.bind, settings.backlog, this.#log)
      }
    } catch (error) {
      this.#pidfile?.unlink(process.pid)
      throw error
    }
    this.#log.info(`Starting gu ${VERSION}`)
    for (const socket of this.#sockets) this.#log.info(`Listening at: ${socket.label} (${process.pid})`)
    this.#log.info(`Using worker: ${this.#workerClass.name}`)
    for (const signal of SIGNALS) process.on(signal, () => this.#enqueue({ kind: 'signal', signal }))
    await runHook(settings, this.#log, 'nworkersChanged', this.#info, this.#numWorkers, null)
    await this.#loop()
    return this.#exitCode ?? EXIT_OK
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
      case 'SIGWINCH':
        this.#log.warning(`${event.signal} (in-place upgrade) is not available yet; ignored`)
        return
    }
  }

  /** HUP: reload settings and start a new generation; the old one stops once it has booted. */
  async handleHup(): Promise<void> {
    this.#log.info('Handling signal: hup')
    let next: Settings
    try {
      next = (await resolveSettings(this.#argv)).settings
      if (next.preloadApp) await loadApp(next.app!, next.chdir, next.appInterface)
      if (next.workerClass !== this.#settings.workerClass) this.#workerClass = await loadWorkerClass(next.workerClass, next.chdir)
      this.#workerClass.checkSettings?.(next)
      if (this.#workerClass.sockets === 'inherit') {
        const sockets = await bindSockets(next.bind, next.backlog, this.#log, this.#sockets)
        for (const old of this.#sockets) if (!sockets.includes(old)) old.close()
        this.#sockets = sockets
      }
    } catch (error) {
      this.#log.error('Reload failed; the current workers keep serving', error)
      return
    }
    if (next.errorlog !== this.#settings.errorlog || next.loglevel !== this.#settings.loglevel) {
      this.#log = new Logger(next.errorlog, next.loglevel)
    } else {
      this.#log.reopen()
    }
    this.#settings = next
    if (next.workers !== this.#numWorkers) await this.#setNumWorkers(next.workers)
    await runHook(next, this.#log, 'onReload', this.#info)
    this.#generation++
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

  /** USR1: reopen log files, here and in every worker. */
  handleUsr1(): void {
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
    if (record.generation !== this.#generation || this.#hasOlderGeneration()) {
      // A reload whose new workers can't boot: keep the generation that works.
      this.#log.error(`Reload failed: the new workers could not ${code === APP_LOAD_ERROR ? 'load the app' : 'boot'}; the previous workers keep serving`)
      this.#rollBackGeneration()
      return
    }
    const reason = code === APP_LOAD_ERROR ? 'App failed to load.' : 'Worker failed to boot.'
    this.#log.error(`Shutting down: ${reason}`)
    await this.#halt(code, true)
  }

  #hasOlderGeneration(): boolean {
    return [...this.#workers.values()].some((w) => w.generation < this.#generation)
  }

  #rollBackGeneration(): void {
    const failed = this.#generation
    const previous = Math.max(0, ...[...this.#workers.values()].filter((w) => w.generation < failed).map((w) => w.generation))
    for (const worker of this.#workers.values()) {
      if (worker.generation === failed) this.#kill(worker, 'SIGTERM')
    }
    this.#generation = previous
  }

  /** Spawns workers up to the count; retires extra ones; retires an old generation once replaced. */
  #manageWorkers(): void {
    if (this.#stopping) return
    const current = [...this.#workers.values()].filter((w) => w.generation === this.#generation && !w.stopping)
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
    const record = spawnWorker(age, this.#generation, plainSettings(this.#settings), this.#sockets, this.#workerClass.sockets === 'self')
    this.#workers.set(record.pid, record)
    record.child.on('message', (message) => this.#onMessage(record, message))
    record.child.once('error', (error) => this.#log.error(`Could not spawn a worker`, error))
    record.child.once('exit', (code, signal) => this.#reap(record, code, signal))
  }

  #onMessage(record: WorkerRecord, message: unknown): void {
    if (!isWorkerMessage(message)) return
    record.lastHeartbeat = Date.now()
    if (message.type === 'socket-copies') return this.#sendSocketCopies(record, message.count)
    if (message.type !== 'booted' || record.booted) return
    record.booted = true
    this.#throttle.booted()
    this.#retireReplacedWorkers()
    if (!this.#readyAnnounced && this.#bootedCount() >= this.#numWorkers) {
      this.#readyAnnounced = true
      void runHook(this.#settings, this.#log, 'whenReady', this.#info)
    }
  }

  /** Each send passes a new descriptor of the socket (SCM_RIGHTS); the arbiter keeps its own. */
  #sendSocketCopies(record: WorkerRecord, count: number): void {
    if (!record.child.connected) return
    for (let n = 0; n < Math.min(count, MAX_SOCKET_COPIES); n++) {
      this.#sockets.forEach((socket, index) => {
        record.child.send({ type: 'socket-copy', index } satisfies SocketCopyMessage, socket.handle as never, (error) => {
          if (error && record.child.connected) this.#log.debug(`Could not send a socket copy to worker ${record.pid}: ${error.message}`)
        })
      })
    }
  }

  #bootedCount(): number {
    return [...this.#workers.values()].filter((w) => w.generation === this.#generation && w.booted).length
  }

  /** After a reload, each new worker that boots lets one old worker go; never earlier. */
  #retireReplacedWorkers(): void {
    const old = [...this.#workers.values()].filter((w) => w.generation < this.#generation && !w.stopping).sort((a, b) => a.age - b.age)
    const surplus = old.length + this.#bootedCount() - this.#numWorkers
    for (const worker of old.slice(0, Math.max(0, surplus))) this.#kill(worker, 'SIGTERM')
  }

  #reap(record: WorkerRecord, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(record.pid)
    for (const wake of this.#exitWaiters) wake()
    const lifetime = Date.now() - record.spawnedAt
    if (!record.stopping) this.#throttle.exited(lifetime, record.booted)
    if (signal === 'SIGKILL' && !record.stopping) {
      this.#log.error(`Worker (pid:${record.pid}) was sent SIGKILL! Perhaps out of memory?`)
    } else if (signal) {
      this.#log.warning(`Worker (pid:${record.pid}) was sent ${signal}!`)
    } else if (code !== 0 && !record.stopping) {
      this.#log.error(`Worker (pid:${record.pid}) exited with code ${code}`)
    }
    void runHook(this.#settings, this.#log, 'childExit', this.#info, { pid: record.pid, age: record.age, exitCode: code, signal })
    if (code === WORKER_BOOT_ERROR || code === APP_LOAD_ERROR) this.#enqueue({ kind: 'boot-failure', record, code })
    this.#wake?.()
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
    this.#stopping = true
    for (const socket of this.#sockets) socket.close()
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
    await runHook(this.#settings, this.#log, 'onExit', this.#info)
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

