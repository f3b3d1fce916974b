import type { ArbiterEvents, ExitReason, WorkerExit } from '../arbiter/arbiter-events.js'
import type { StatsMessage } from '../worker/messages.js'
import { DURATION_BUCKETS } from '../worker/request-stats.js'

/** Request totals: what one worker reports, and what the workers that have gone added up to. */
export interface RequestTotals {
  requests: number
  counts: Record<string, Record<string, number>>
  durations: { counts: number[]; sum: number }
}

export interface RestartRecord {
  readonly pid: number
  readonly reason: ExitReason
  readonly at: number
}

const RESTART_REASONS = ['timeout', 'max-requests', 'crash', 'memory'] as const satisfies readonly ExitReason[]
const RECENT_RESTARTS = 20

/**
 * The arbiter's picture of what its workers did, fed by their stats messages and exits. Totals
 * of workers that have exited are kept, so counters never go down when a worker is replaced.
 */
export class WorkerStatsStore {
  readonly #live = new Map<number, StatsMessage>()
  readonly retired: RequestTotals = emptyTotals()
  readonly restarts: Record<(typeof RESTART_REASONS)[number], number> = { timeout: 0, 'max-requests': 0, crash: 0, memory: 0 }
  readonly recentRestarts: RestartRecord[] = []

  constructor(events: ArbiterEvents) {
    events.on('worker-stats', (pid, stats) => this.#live.set(pid, stats))
    events.on('worker-exit', (exit) => this.#exited(exit))
  }

  get(pid: number): StatsMessage | undefined {
    return this.#live.get(pid)
  }

  live(): IterableIterator<[number, StatsMessage]> {
    return this.#live.entries()
  }

  #exited(exit: WorkerExit): void {
    const last = this.#live.get(exit.pid)
    this.#live.delete(exit.pid)
    if (last) addTotals(this.retired, last)
    if (exit.reason === 'stopped') return
    this.restarts[exit.reason]++
    this.recentRestarts.unshift({ pid: exit.pid, reason: exit.reason, at: Date.now() })
    this.recentRestarts.length = Math.min(this.recentRestarts.length, RECENT_RESTARTS)
  }
}

export function emptyTotals(): RequestTotals {
  return { requests: 0, counts: {}, durations: { counts: DURATION_BUCKETS.map(() => 0).concat(0), sum: 0 } }
}

/** Adds a worker's totals into `into` (a message from another version may lack a field: skipped). */
export function addTotals(into: RequestTotals, stats: Partial<StatsMessage>): void {
  into.requests += stats.requests ?? 0
  for (const [method, byStatus] of Object.entries(stats.counts ?? {})) {
    const target = (into.counts[method] ??= {})
    for (const [status, n] of Object.entries(byStatus)) target[status] = (target[status] ?? 0) + n
  }
  const durations = stats.durations
  if (durations && durations.counts.length === into.durations.counts.length) {
    durations.counts.forEach((n, i) => (into.durations.counts[i]! += n))
    into.durations.sum += durations.sum
  }
}
