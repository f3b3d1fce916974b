// The app's own metrics, in a registry of its own (one per worker process, or per thread under
// worker-threads). shared-snapshots.ts sums them over every worker.
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface AppMetrics {
  registry: Registry
  requests: Counter<'method' | 'path' | 'status'>
  duration: Histogram<'method' | 'path' | 'status'>
}

export function createAppMetrics(version: string): AppMetrics {
  const registry = new Registry()
  const labelNames = ['method', 'path', 'status'] as const
  const requests = new Counter({
    name: 'attendance_api_requests_total',
    help: 'HTTP requests answered, by method, path template and status',
    labelNames,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'attendance_api_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, path template and status',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  // An info metric: 1, labelled with the version. Every worker says 1, so keep the max, not the sum.
  const info = new Gauge({ name: 'attendance_api', help: 'The attendance API and its version', labelNames: ['version'], aggregator: 'max', registers: [registry] })
  info.set({ version }, 1)
  return { registry, requests, duration }
}
