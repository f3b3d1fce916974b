import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'
import type { Arbiter } from '../arbiter/arbiter.js'
import type { Logger } from '../log/logger.js'
import type { StatsMessage } from '../worker/messages.js'

/** Keep datagrams under a usual MTU: several metrics share one, a line each. */
const MAX_PACKET = 1400
const GAUGE_EVERY_MS = 1000

interface Seen {
  requests: number
  statuses: Map<string, number>
}

/**
 * `--statsd-host`: Gunicorn's statsd metrics, sent by the arbiter from the workers' once-a-second
 * stats (a worker sends no UDP itself): `gunicorn.requests` and `gunicorn.request.status.<code>`
 * counters, `gunicorn.request.duration` timings in ms (sampled past 500 a second per worker,
 * with `|@rate`), and the `gunicorn.workers` gauge. Names take `--statsd-prefix`; every line
 * takes `--dogstatsd-tags`.
 */
export class StatsdSender {
  readonly #socket: dgram.Socket
  readonly #host: string
  readonly #port: number
  readonly #prefix: string
  readonly #tags: string
  readonly #seen = new Map<number, Seen>()
  readonly #timer: NodeJS.Timeout
  #warned = false

  constructor(arbiter: Arbiter, address: string, prefix: string, tags: string, private readonly log: Logger) {
    const colon = address.lastIndexOf(':')
    this.#host = address.slice(0, colon).replace(/^\[|\]$/g, '')
    this.#port = Number(address.slice(colon + 1))
    this.#prefix = prefix && !prefix.endsWith('.') ? `${prefix}.` : prefix
    this.#tags = tags.trim() ? `|#${tags.trim()}` : ''
    this.#socket = dgram.createSocket(isIPv6(this.#host) ? 'udp6' : 'udp4')
    this.#socket.on('error', (error) => this.#failed(error))
    this.#socket.unref()
    arbiter.events.on('worker-stats', (pid, stats) => this.#send(this.#lines(pid, stats)))
    arbiter.events.on('worker-exit', ({ pid }) => this.#seen.delete(pid))
    this.#timer = setInterval(() => this.#send([this.#line('gunicorn.workers', arbiter.snapshot.workers.length, 'g')]), GAUGE_EVERY_MS)
    this.#timer.unref()
  }

  close(): void {
    clearInterval(this.#timer)
    this.#socket.close()
  }

  #lines(pid: number, stats: StatsMessage): string[] {
    const seen = this.#seen.get(pid) ?? { requests: 0, statuses: new Map<string, number>() }
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
    return lines
  }

  #line(name: string, value: number, type: 'c' | 'g' | 'ms', rate = ''): string {
    return `${this.#prefix}${name}:${value}|${type}${rate}${this.#tags}`
  }

  #send(lines: string[]): void {
    let packet = ''
    for (const line of lines) {
      if (packet && packet.length + line.length + 1 > MAX_PACKET) {
        this.#datagram(packet)
        packet = ''
      }
      packet = packet ? `${packet}\n${line}` : line
    }
    if (packet) this.#datagram(packet)
  }

  #datagram(packet: string): void {
    this.#socket.send(packet, this.#port, this.#host, (error) => error && this.#failed(error))
  }

  /** statsd is best effort: say once that it fails, never stop serving for it. */
  #failed(error: Error): void {
    if (this.#warned) return
    this.#warned = true
    this.log.warning(`statsd: could not send to ${this.#host}:${this.#port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)
  }
}
