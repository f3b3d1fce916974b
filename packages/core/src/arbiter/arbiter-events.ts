import { EventEmitter } from 'node:events'
import type { Settings } from '../settings/types.js'
import type { AppMetricsMessage, StatsMessage } from '../worker/messages.js'

/** Why a worker went: the restart reasons the metrics count, or `stopped` (reload, scale, stop). */
export type ExitReason = 'timeout' | 'max-requests' | 'crash' | 'memory' | 'stopped'
/** Why the arbiter recycles a worker that still serves (its replacement boots first). */
export type RecycleReason = 'max-requests' | 'memory'

export interface WorkerSnapshot {
  readonly pid: number
  readonly age: number
  readonly generation: number
  readonly spawnedAt: number
  readonly lastHeartbeat: number
  readonly state: 'booting' | 'serving' | 'retiring' | 'stopping'
  readonly recycleReason: RecycleReason | undefined
  /** Client connections it holds, from the connection board (classes that balance accepts); undefined otherwise. */
  readonly connections: number | undefined
}

/** A read-only view of the arbiter, for `gu ctl` and the metrics: data, never the arbiter's own objects. */
export interface ArbiterSnapshot {
  readonly pid: number
  readonly startedAt: number
  readonly generation: number
  readonly numWorkers: number
  readonly workerClass: string
  readonly settings: Settings
  /** Where it listens: each socket's label (`http://127.0.0.1:8000`), or the bind specs of a self-binding class. */
  readonly listeners: readonly string[]
  readonly stopping: boolean
  /** The other arbiter of an in-place upgrade, while it runs. */
  readonly newArbiterPid: number | undefined
  readonly oldArbiterPid: number | undefined
  readonly workers: readonly WorkerSnapshot[]
}

export interface WorkerExit {
  readonly pid: number
  readonly age: number
  readonly reason: ExitReason
  readonly code: number | null
  readonly signal: string | null
}

/** What the arbiter tells the modules beside it (control socket, metrics, statsd, memory guard). */
interface ArbiterEventMap {
  /** The sockets are bound and the loop is about to start. */
  started: []
  'worker-stats': [pid: number, stats: StatsMessage]
  'app-metrics': [pid: number, message: AppMetricsMessage]
  'worker-exit': [exit: WorkerExit]
  /** A stop has begun: stop accepting commands and scrapes. */
  stopping: []
}

export class ArbiterEvents extends EventEmitter<ArbiterEventMap> {
  /** Where a listener's exception goes: a fault in a module beside the arbiter must not take it down. */
  onListenerError: (error: unknown) => void = () => {}

  constructor() {
    super()
    // Each scrape in progress listens for the workers' answers: many at once is no leak.
    this.setMaxListeners(0)
  }

  override emit<K extends keyof ArbiterEventMap>(event: K, ...args: ArbiterEventMap[K]): boolean {
    try {
      return (super.emit as (event: string, ...args: unknown[]) => boolean).call(this, event, ...args)
    } catch (error) {
      this.onListenerError(error)
      return true
    }
  }
}

/** What the modules beside the arbiter may ask of it; each goes through its event queue. */
export type ArbiterCommand =
  | { kind: 'signal'; signal: 'SIGHUP' | 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGTTIN' | 'SIGTTOU' | 'SIGUSR1' | 'SIGUSR2' | 'SIGWINCH' }
  /** Set the worker count to `count`, or change it by `delta`; never below 1. */
  | { kind: 'scale'; count?: number; delta?: number }
  | { kind: 'recycle'; pid: number; reason: RecycleReason }
