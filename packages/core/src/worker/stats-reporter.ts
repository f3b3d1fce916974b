import type { LogCounts } from '../log/log-counts.js'
import type { StatsMessage, WorkerMessage } from './messages.js'
import type { RequestStats } from './request-stats.js'

export const STATS_INTERVAL_MS = 1000

/**
 * Sends the worker's stats to the arbiter once a second, off the request path. The timer is a
 * chain of timeouts so how late each fires is the event loop's lag.
 */
export class StatsReporter {
  #timer: NodeJS.Timeout | undefined
  #due = 0
  #lagMs = 0

  constructor(
    private readonly stats: RequestStats,
    private readonly inFlight: () => number,
    private readonly send: (message: WorkerMessage) => void,
    /** With statsd on, for its `gunicorn.log.*` counters. */
    private readonly logCounts?: () => Readonly<LogCounts>,
  ) {}

  start(): void {
    if (this.#timer) return
    this.#schedule()
  }

  stop(): void {
    clearTimeout(this.#timer)
  }

  #schedule(): void {
    this.#due = performance.now() + STATS_INTERVAL_MS
    this.#timer = setTimeout(() => this.#tick(), STATS_INTERVAL_MS)
    this.#timer.unref()
  }

  #tick(): void {
    this.#lagMs = Math.max(0, performance.now() - this.#due)
    this.send(this.message())
    this.#schedule()
  }

  message(): StatsMessage {
    const { stats } = this
    const memory = process.memoryUsage()
    const samples = stats.takeSamples()
    const cpu = process.cpuUsage()
    return {
      type: 'stats',
      requests: stats.requests,
      inFlight: this.inFlight(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      cpuMicros: cpu.user + cpu.system,
      loopLagMs: Math.round(this.#lagMs * 10) / 10,
      counts: stats.counts,
      ...(stats.durations && { durations: stats.durations }),
      ...(samples && { samples }),
      ...(this.logCounts && { logs: { ...this.logCounts() } }),
    }
  }
}
