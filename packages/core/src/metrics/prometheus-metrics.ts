import type { ArbiterSnapshot } from '../arbiter/arbiter-events.js'
import { DURATION_BUCKETS } from '../worker/request-stats.js'
import type { ListenQueue } from './listen-backlog.js'
import type { RequestTotals, WorkerStatsStore } from './worker-stats-store.js'

type Labels = Record<string, string | number>

/** One metric in prom-client's JSON form (`getMetricsAsJSON`), which its AggregatorRegistry sums. */
export interface MetricJson {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram'
  aggregator: 'sum'
  values: Array<{ labels: Labels; value: number; metricName?: string }>
}

const REQUESTS = 'gu_http_requests_total'
const DURATION = 'gu_http_request_duration_seconds'

function metric(name: string, type: MetricJson['type'], help: string, values: MetricJson['values']): MetricJson {
  return { name, help, type, aggregator: 'sum', values }
}

/** The request counters and duration histogram of one source: a live worker, or those gone. */
export function requestMetrics(totals: RequestTotals): MetricJson[] {
  const requests: MetricJson['values'] = []
  for (const [method, byStatus] of Object.entries(totals.counts)) {
    for (const [status, value] of Object.entries(byStatus)) requests.push({ labels: { method, status_class: `${String(status)[0]}xx` }, value })
  }
  const buckets: MetricJson['values'] = []
  let cumulative = 0
  totals.durations.counts.forEach((n, i) => {
    cumulative += n
    buckets.push({ labels: { le: i < DURATION_BUCKETS.length ? DURATION_BUCKETS[i]! : '+Inf' }, value: cumulative, metricName: `${DURATION}_bucket` })
  })
  return [
    metric(REQUESTS, 'counter', 'Requests served, by method and status class, summed across workers.', requests),
    metric(DURATION, 'histogram', 'How long requests took, in seconds (with --metrics-bind, each request is timed).', [
      ...buckets,
      { labels: {}, value: totals.durations.sum, metricName: `${DURATION}_sum` },
      { labels: {}, value: cumulative, metricName: `${DURATION}_count` },
    ]),
  ]
}

/** The arbiter's own figures and each live worker's gauges. */
export function arbiterMetrics(snapshot: ArbiterSnapshot, store: WorkerStatsStore, queues: ListenQueue[], backlogLimit: number): MetricJson[] {
  const alive = snapshot.workers.length
  const perWorker = (pick: (pid: number) => number | undefined): MetricJson['values'] =>
    snapshot.workers.flatMap((w) => {
      const value = pick(w.pid)
      return value === undefined ? [] : [{ labels: { pid: w.pid, age: w.age }, value }]
    })
  return [
    metric('gu_http_requests_in_flight', 'gauge', 'Requests being served now, across workers.', [{ labels: {}, value: [...store.live()].reduce((n, [, s]) => n + s.inFlight, 0) }]),
    metric('gu_workers', 'gauge', 'Worker processes alive, by state.', (['booting', 'serving', 'retiring', 'stopping'] as const).map((state) => ({ labels: { state }, value: snapshot.workers.filter((w) => w.state === state).length }))),
    metric('gu_workers_desired', 'gauge', 'The number of workers the arbiter keeps alive.', [{ labels: {}, value: snapshot.numWorkers }]),
    metric('gu_worker_restarts_total', 'counter', 'Workers replaced, by reason.', Object.entries(store.restarts).map(([reason, value]) => ({ labels: { reason }, value }))),
    metric('gu_worker_memory_bytes', 'gauge', 'Resident memory (RSS) of each worker.', perWorker((pid) => store.get(pid)?.rss)),
    metric('gu_worker_heap_used_bytes', 'gauge', 'V8 heap in use in each worker.', perWorker((pid) => store.get(pid)?.heapUsed)),
    metric('gu_worker_event_loop_lag_seconds', 'gauge', 'How late each worker\'s once-a-second timer last fired.', perWorker((pid) => {
      const lag = store.get(pid)?.loopLagMs
      return lag === undefined ? undefined : lag / 1000
    })),
    metric('gu_worker_connections', 'gauge', 'Client connections each worker holds (classes that balance accepts: async, threads).', perWorker((pid) => snapshot.workers.find((w) => w.pid === pid)?.connections)),
    metric('gu_worker_requests_total', 'counter', 'Requests each live worker has served.', perWorker((pid) => store.get(pid)?.requests)),
    metric('gu_listen_queue_length', 'gauge', 'Connections waiting in each listening port\'s accept queue (Linux).', queues.map((q) => ({ labels: { port: q.port }, value: q.queued }))),
    metric('gu_listen_queue_limit', 'gauge', 'The accept queue\'s size: --backlog, capped by net.core.somaxconn.', queues.map((q) => ({ labels: { port: q.port }, value: backlogLimit }))),
    metric('gu_arbiter_uptime_seconds', 'gauge', 'Seconds since the arbiter started.', [{ labels: {}, value: Math.round((Date.now() - snapshot.startedAt) / 1000) }]),
    metric('gu_workers_alive', 'gauge', 'Worker processes alive.', [{ labels: {}, value: alive }]),
  ]
}
