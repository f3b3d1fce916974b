import type { Arbiter } from '../arbiter/arbiter.js'
import { COUNTED_LEVELS, type LogCounts, noLogCounts } from '../log/log-counts.js'
import type { Logger } from '../log/logger.js'
import type { StatsMessage } from '../worker/messages.js'
import { formatStatsdAddress, parseStatsdAddress } from './statsd-address.js'
import { openStatsdSocket, type StatsdSocket } from './statsd-socket.js'

/** Keep datagrams under a usual MTU: several metrics share one, a line each. */
const MAX_PACKET = 1400
const GAUGE_EVERY_MS = 1000

interface Seen {
  requests: number
  statuses: Map<string, number>
  logs: LogCounts
}

/**
 * `--statsd-host`: Gunicorn's statsd metrics, sent by the arbiter from the workers' once-a-second
 * stats (a worker sends no datagram itself): `gunicorn.requests` and
 * `gunicorn.request.status.<code>` counters, `gunicorn.request.duration` timings in ms (sampled
 * past 500 a second per worker, with `|@rate`), the `gunicorn.workers` gauge, and the
 * `gunicorn.log.{warning,error,critical,exception}` counters of the arbiter's and every worker's
 * error log. Names take `--statsd-prefix`; every line takes `--dogstatsd-tags`.
 */
export class StatsdSender {
  readonly #socket: StatsdSocket
  readonly #where: string
  readonly #prefix: string
  readonly #tags: string
  readonly #seen = new Map<number, Seen>()
  /** The arbiter's own log calls already sent. */
  readonly #arbiterLogs = noLogCounts()
  readonly #timer: NodeJS.Timeout
  #warned = false

  constructor(arbiter: Arbiter, address: string, prefix: string, tags: string, private readonly log: Logger) {
    const parsed = parseStatsdAddress(address)
    this.#where = formatStatsdAddress(parsed)
    this.#prefix = prefix && !prefix.endsWith('.') ? `${prefix}.` : prefix
    this.#tags = tags.trim() ? `|#${tags.trim()}` : ''
    this.#socket = openStatsdSocket(parsed, (error) => this.#failed(error))
    arbiter.events.on('worker-stats', (pid, stats) => this.#send(this.#lines(pid, stats)))
    arbiter.events.on('worker-exit', ({ pid }) => this.#seen.delete(pid))
    this.#timer = setInterval(() => {
      const lines = [this.#line('gunicorn.workers', arbiter.snapshot.workers.length, 'g')]
      this.#logLines(this.#arbiterLogs, this.log.counts, lines)
      this.#send(lines)
    }, GAUGE_EVERY_MS)
    this.#timer.unref()
  }

  close(): void {
    clearInterval(this.#timer)
    this.#socket.close()
  }

  #lines(pid: number, stats: StatsMessage): string[] {
    const seen = this.#seen.get(pid) ?? { requests: 0, statuses: new Map<string, number>(), logs: noLogCounts() }
    this.#seen.set(pid, seen)
    const lines: string[] = []
    const requests = (stats.requests ?? 0) - seen.requests
    seen.requests = stats.requests ?? 0
    if (requests > 0) lines.push(this.#line('gunicorn.requests', requests, 'c'))
    const statuses = new Map<string, number>()
    for (const byStatus of Object.values(stats.counts ?? {})) {
      for (const [status, n] of Object.entries(byStatus)) statuses.set(status, (statuses.get(status) ?? 0) + n)
    }
    for (const [status, total] of statuses) {
      const delta = total - (seen.statuses.get(status) ?? 0)
      seen.statuses.set(status, total)
      if (delta > 0) lines.push(this.#line(`gunicorn.request.status.${status}`, delta, 'c'))
    }
    const samples = stats.samples
    if (samples) {
      const rate = samples.sampleRate < 1 ? `|@${samples.sampleRate.toFixed(4)}` : ''
      for (const ms of samples.ms) lines.push(this.#line('gunicorn.request.duration', ms, 'ms', rate))
    }
    if (stats.logs) this.#logLines(seen.logs, stats.logs, lines)
    return lines
  }

  /** `gunicorn.log.<level>` for the calls since `sent`, which then catches up with `now`. */
  #logLines(sent: LogCounts, now: Readonly<LogCounts>, lines: string[]): void {
    for (const level of COUNTED_LEVELS) {
      const delta = (now[level] ?? 0) - sent[level]
      if (delta > 0) lines.push(this.#line(`gunicorn.log.${level}`, delta, 'c'))
      sent[level] = now[level] ?? 0
    }
  }

  #line(name: string, value: number, type: 'c' | 'g' | 'ms', rate = ''): string {
    return `${this.#prefix}${name}:${value}|${type}${rate}${this.#tags}`
  }

  #send(lines: string[]): void {
    let packet = ''
    for (const line of lines) {
      if (packet && packet.length + line.length + 1 > MAX_PACKET) {
        this.#socket.send(packet)
        packet = ''
      }
      packet = packet ? `${packet}\n${line}` : line
    }
    if (packet) this.#socket.send(packet)
  }

  /** statsd is best effort: say once that it fails, never stop serving for it. */
  #failed(error: Error): void {
    if (this.#warned) return
    this.#warned = true
    this.log.warning(`statsd: could not send to ${this.#where}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)
  }
}
