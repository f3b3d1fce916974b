import type { Arbiter } from '../arbiter/arbiter.js'
import type { Logger } from '../log/logger.js'
import type { WorkerStatsStore } from '../metrics/worker-stats-store.js'
import { VERSION } from '../version.js'
import { COMMANDS, type ControlRequest } from './protocol.js'

/** A command the operator got wrong: the reply says so, the arbiter carries on. */
export class CommandError extends Error {}

/** What `gu ctl status` shows. */
export interface StatusResult {
  pid: number
  version: string
  generation: number
  uptimeSeconds: number
  app: string | null
  workerClass: string
  workers: { desired: number; alive: number }
  listeners: readonly string[]
  settings: Record<string, unknown>
  upgrade: { newArbiterPid?: number; oldArbiterPid?: number }
  stopping: boolean
}

/** One row of `gu ctl workers`. */
export interface WorkerRow {
  pid: number
  age: number
  generation: number
  state: string
  /** Why it is being replaced, while it is (`memory`, `max-requests`). */
  reason: string | null
  uptimeSeconds: number
  requests: number | null
  inFlight: number | null
  /** Client connections it holds (async and threads, which balance their accepts); null for other classes. */
  connections: number | null
  rss: number | null
  heapUsed: number | null
  loopLagMs: number | null
  cpuSeconds: number | null
}

export interface WorkersResult {
  workers: WorkerRow[]
  restarts: Record<string, number>
  recentRestarts: ReadonlyArray<{ pid: number; reason: string; at: number }>
}

const SUMMARY_SETTINGS = ['bind', 'workers', 'workerClass', 'timeout', 'gracefulTimeout', 'keepalive', 'maxRequests', 'maxWorkerMemory', 'metricsBind', 'statsdHost', 'reload', 'preloadApp'] as const

/**
 * The control socket's commands. Queries read the arbiter's snapshot; every change is queued
 * through `arbiter.request` exactly as the matching signal is (reload is HUP, upgrade USR2 …).
 */
export class ControlCommands {
  constructor(
    private readonly arbiter: Arbiter,
    private readonly store: WorkerStatsStore,
    private readonly log: Logger,
  ) {}

  /** The reply to send, and the change to make once it is sent (so `stop` still gets its answer out). */
  run(request: ControlRequest): { result: unknown; commit?: () => void } {
    const args = request.args ?? []
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new CommandError('args must be a list of strings')
    switch (request.command) {
      case 'status':
        return { result: this.status() }
      case 'workers':
        return { result: this.workers() }
      case 'scale':
        return this.scale(args)
      case 'reload':
        return this.#signal('SIGHUP', 'reload', 'reloading: a new generation of workers starts, the old one stops once it has booted')
      case 'upgrade':
        return this.#signal('SIGUSR2', 'upgrade', 'upgrading: a new arbiter starts on the same sockets')
      case 'reopen-logs':
        return this.#signal('SIGUSR1', 'reopen-logs', 'reopening the log files')
      case 'stop': {
        const graceful = args.includes('--graceful') || args.includes('graceful')
        const unknown = args.find((a) => a !== '--graceful' && a !== 'graceful')
        if (unknown) throw new CommandError(`stop takes only --graceful, not '${unknown}'`)
        return this.#signal(graceful ? 'SIGTERM' : 'SIGQUIT', graceful ? 'stop --graceful' : 'stop', graceful ? 'stopping gracefully: in-flight requests finish' : 'stopping now')
      }
      default:
        throw new CommandError(`unknown command '${String(request.command)}'; the commands are ${COMMANDS.join(', ')}`)
    }
  }

  status(): StatusResult {
    const snap = this.arbiter.snapshot
    return {
      pid: snap.pid,
      version: VERSION,
      generation: snap.generation,
      uptimeSeconds: Math.round((Date.now() - snap.startedAt) / 1000),
      app: snap.settings.app,
      workerClass: snap.workerClass,
      workers: { desired: snap.numWorkers, alive: snap.workers.length },
      listeners: snap.listeners,
      settings: Object.fromEntries(SUMMARY_SETTINGS.map((key) => [key, snap.settings[key]])),
      upgrade: { ...(snap.newArbiterPid && { newArbiterPid: snap.newArbiterPid }), ...(snap.oldArbiterPid && { oldArbiterPid: snap.oldArbiterPid }) },
      stopping: snap.stopping,
    }
  }

  workers(): WorkersResult {
    const now = Date.now()
    const workers = this.arbiter.snapshot.workers.map((w): WorkerRow => {
      const stats = this.store.get(w.pid)
      return {
        pid: w.pid,
        age: w.age,
        generation: w.generation,
        state: w.state,
        reason: w.recycleReason ?? null,
        uptimeSeconds: Math.round((now - w.spawnedAt) / 1000),
        requests: stats?.requests ?? null,
        inFlight: stats?.inFlight ?? null,
        connections: w.connections ?? null,
        rss: stats?.rss ?? null,
        heapUsed: stats?.heapUsed ?? null,
        loopLagMs: stats?.loopLagMs ?? null,
        cpuSeconds: typeof stats?.cpuMicros === 'number' ? stats.cpuMicros / 1e6 : null,
      }
    })
    return { workers, restarts: { ...this.store.restarts }, recentRestarts: this.store.recentRestarts }
  }

  /** `scale N`, `scale +N`, `scale -N`: at least one worker, as TTOU keeps. */
  scale(args: string[]): { result: { from: number; to: number }; commit: () => void } {
    const [value, ...rest] = args
    const match = value === undefined ? null : /^([+-]?)(\d{1,6})$/.exec(value)
    if (!match || rest.length > 0) throw new CommandError(`scale takes one count: N, +N or -N (got ${args.length ? `'${args.join(' ')}'` : 'nothing'})`)
    const from = this.arbiter.snapshot.numWorkers
    const n = Number(match[2])
    const to = match[1] === '+' ? from + n : match[1] === '-' ? from - n : n
    if (to < 1) throw new CommandError(`${from} worker(s) ${match[1] ? `${match[1]}${n}` : `to ${n}`} would leave fewer than 1 (to stop every worker but keep the sockets, send WINCH)`)
    const commit = () => {
      this.log.info(`gu ctl: scale ${value} (${from} → ${to})`)
      this.arbiter.request(match[1] ? { kind: 'scale', delta: to - from } : { kind: 'scale', count: to })
    }
    return { result: { from, to }, commit }
  }

  #signal(signal: 'SIGHUP' | 'SIGUSR2' | 'SIGUSR1' | 'SIGTERM' | 'SIGQUIT', name: string, message: string): { result: { message: string; signal: string }; commit: () => void } {
    if (this.arbiter.snapshot.stopping) throw new CommandError('the arbiter is stopping')
    const commit = () => {
      this.log.info(`gu ctl: ${name}`)
      this.arbiter.request({ kind: 'signal', signal })
    }
    return { result: { message, signal: signal.slice(3) }, commit }
  }
}
