import http from 'node:http'
import { resolve } from 'node:path'
import { AggregatorRegistry } from 'prom-client'
import type { Arbiter } from '../arbiter/arbiter.js'
import { removeStaleSocket } from '../arbiter/stale-socket.js'
import type { Logger } from '../log/logger.js'
import { parseBind } from '../settings/bind-address.js'
import type { CollectAppMetricsMessage } from '../worker/messages.js'
import { listenQueues, somaxconn } from './listen-backlog.js'
import { arbiterMetrics, type MetricJson, requestMetrics } from './prometheus-metrics.js'
import { emptyTotals, addTotals, type WorkerStatsStore } from './worker-stats-store.js'

/** How long a scrape waits for the workers' app metrics before answering with what it has. */
const APP_METRICS_WAIT_MS = 1000
const RETRY_MS = 1000

/**
 * `--metrics-bind`: the arbiter's Prometheus endpoint. The workers' stats (sent once a second)
 * and, per scrape, the app's own prom-client metrics are summed by prom-client's
 * AggregatorRegistry, so there is no multiprocess directory and no work in a worker per scrape
 * beyond reading its app's registry.
 */
export class MetricsServer {
  readonly #server: http.Server
  #nextId = 0
  #closed = false
  readonly #backlogLimit: number

  constructor(
    private readonly arbiter: Arbiter,
    private readonly store: WorkerStatsStore,
    private readonly log: Logger,
  ) {
    const max = somaxconn()
    const backlog = arbiter.snapshot.settings.backlog
    this.#backlogLimit = max ? Math.min(backlog, max) : backlog
    this.#server = http.createServer((req, res) => void this.#serve(req, res))
  }

  listen(address: string): void {
    const bind = parseBind(address)
    if (bind.kind === 'fd') return
    const path = bind.kind === 'unix' ? resolve(this.arbiter.snapshot.settings.chdir, bind.path) : undefined
    let warned = false
    const inUse = () => {
      if (!warned) this.log.warning(`Metrics: ${address} is in use; trying again every ${RETRY_MS / 1000}s`)
      warned = true
      setTimeout(attempt, RETRY_MS).unref()
    }
    const attempt = async () => {
      if (this.#closed) return
      // In an upgrade the old arbiter holds the port (or answers on the socket file) until it stops: wait for it.
      if (path) {
        try {
          await removeStaleSocket(path, address)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return inUse()
          return this.log.error(`Metrics: could not listen at ${address}: ${(error as Error).message}`)
        }
      }
      this.#server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') inUse()
        else this.log.error(`Metrics: could not listen at ${address}: ${error.code ?? error.message}`)
      })
      if (path) return void this.#server.listen(path, () => this.log.info(`Metrics at: unix:${path} (GET /metrics)`))
      if (bind.kind !== 'tcp') return
      this.#server.listen(bind.port, bind.host, () => {
        const where = this.#server.address()
        const port = typeof where === 'object' && where ? where.port : bind.port
        this.log.info(`Metrics at: http://${bind.ipv6 ? `[${bind.host}]` : bind.host}:${port}/metrics`)
      })
    }
    void attempt()
  }

  close(): void {
    this.#closed = true
    this.#server.close()
    this.#server.closeAllConnections?.()
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, 'only GET\n')
    if (path !== '/metrics') return end(res, 404, 'metrics are at /metrics\n')
    try {
      const registry = AggregatorRegistry.aggregate([...this.#guMetrics(), ...(await this.#appMetrics())] as never)
      const text = await registry.metrics()
      res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) })
      res.end(req.method === 'HEAD' ? undefined : text)
    } catch (error) {
      this.log.error('Metrics: could not build the scrape', error)
      end(res, 500, 'could not build the metrics; see the error log\n')
    }
  }

  /** One list per source; the aggregator sums equal names and labels across them. */
  #guMetrics(): MetricJson[][] {
    const snapshot = this.arbiter.snapshot
    const ports = new Set(snapshot.listeners.flatMap((label) => /:(\d+)$/.exec(label)?.[1] ?? []).map(Number))
    const sources = [arbiterMetrics(snapshot, this.store, listenQueues(ports), this.#backlogLimit), requestMetrics(this.store.retired)]
    for (const [, stats] of this.store.live()) {
      const totals = emptyTotals()
      addTotals(totals, stats)
      sources.push(requestMetrics(totals))
    }
    return sources
  }

  /** Asks every worker for its app's prom-client metrics and waits (a little) for the answers. */
  #appMetrics(): Promise<unknown[][]> {
    const id = ++this.#nextId
    const told = new Set(this.arbiter.tellWorkers({ type: 'collect-app-metrics', id } satisfies CollectAppMetricsMessage))
    const answers: unknown[][] = []
    if (told.size === 0) return Promise.resolve(answers)
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.arbiter.events.off('app-metrics', onAnswer)
        this.arbiter.events.off('worker-exit', onExit)
        resolve(answers)
      }
      const onAnswer = (pid: number, message: { id: number; metrics: unknown[] }) => {
        if (message.id !== id || !told.delete(pid)) return
        if (Array.isArray(message.metrics) && message.metrics.length > 0) answers.push(message.metrics)
        if (told.size === 0) done()
      }
      const onExit = ({ pid }: { pid: number }) => told.delete(pid) && told.size === 0 && done()
      const timer = setTimeout(done, APP_METRICS_WAIT_MS)
      this.arbiter.events.on('app-metrics', onAnswer)
      this.arbiter.events.on('worker-exit', onExit)
    })
  }
}

function end(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
