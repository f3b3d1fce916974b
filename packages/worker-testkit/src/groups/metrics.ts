// metrics: every class reports each request to the runtime, which tells the arbiter once a
// second; the arbiter's Prometheus endpoint (--metrics-bind) sums what all workers served.
import { ensure, show } from '../ensure.js'
import { freePort } from '../free-port.js'
import { getText, request } from '../http-client.js'
import type { Check } from '../types.js'
import { pollUntil } from '../wait.js'

const group = 'metrics'
const WORKERS = 3

/** The value of one series in Prometheus text, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const got = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return undefined
}

const sumsAcrossWorkers: Check = {
  group,
  name: `the arbiter's Prometheus endpoint sums the requests served by ${WORKERS} workers`,
  timeoutMs: 40_000,
  async run(ctx) {
    const metricsPort = await freePort()
    const gu = await ctx.start({ workers: WORKERS, args: ['--metrics-bind', `127.0.0.1:${metricsPort}`] })
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    // PUT: the kit's own start-up probes are GETs, so this series counts only what the check sends.
    const servedBy = new Map<number, number>()
    let sent = 0
    while (sent < 60 || (servedBy.size < 2 && sent < 400)) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => request(`${gu.url}/pid`, { method: 'PUT', headers: { connection: 'close' } })))
      for (const res of batch) {
        ensure(res.status === 200, `PUT /pid got ${res.status}`)
        const pid = Number(res.text)
        servedBy.set(pid, (servedBy.get(pid) ?? 0) + 1)
      }
      sent += batch.length
    }
    const spread = [...servedBy].map(([pid, n]) => `${pid}: ${n}`).join(', ')
    ensure(servedBy.size >= 2, `every one of ${sent} requests was served by one worker (${spread}), so no sum across workers could be checked`)
    let text = ''
    const counted = () => sample(text, 'gu_http_requests_total', { method: 'PUT', status_class: '2xx' })
    const memorySeries = () => text.split('\n').filter((line) => line.startsWith('gu_worker_memory_bytes{'))
    // Workers report once a second: wait for every worker's report, not only those that served the count.
    await pollUntil(async () => {
      text = await getText(metricsUrl)
      return counted() === sent && memorySeries().length === WORKERS
    }, 5000, 200)
    ensure(counted() !== undefined, `no gu_http_requests_total{method="PUT",status_class="2xx"} series at ${metricsUrl}: ${show(text, 300)}`)
    ensure(counted() === sent, `gu_http_requests_total{method="PUT",status_class="2xx"} is ${counted()}, expected the ${sent} requests sent (served ${spread})`)
    const memory = memorySeries()
    ensure(memory.length === WORKERS, `${memory.length} gu_worker_memory_bytes series, expected one per worker (${WORKERS})`)
    ensure(sample(text, 'gu_workers_alive') === WORKERS, `gu_workers_alive is ${sample(text, 'gu_workers_alive')}, expected ${WORKERS}`)
    const count = sample(text, 'gu_http_request_duration_seconds_count')
    ensure(count !== undefined && count >= sent, `gu_http_request_duration_seconds_count is ${count}, expected at least the ${sent} requests sent`)
  },
}

export const metricsChecks: readonly Check[] = [sumsAcrossWorkers]
