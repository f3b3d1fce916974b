// The arbiter's view of its workers, from the outside: the Prometheus endpoint (--metrics-bind)
// with the app's own prom-client metrics merged in, statsd packets, and the memory guard.
// (That the endpoint sums requests across 3 workers of every class is a testkit check.)
import dgram from 'node:dgram'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ctlJson } from '../src/ctl-helpers.js'
import { E2E_ROOT, Gu, PID_APP, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request, runGu, sleep } from '../src/harness.js'
import { startLoad } from '../src/load-helpers.js'
import { waitUntil, within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

/** The value of one series in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const got = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return undefined
}

async function metricsOf(gu: Gu): Promise<{ url: string; scrape: () => Promise<string> }> {
  const url = `${(await gu.waitFor(/Metrics at: (http:\/\/\S+)/))[1]}`
  return { url, scrape: async () => (await request(url)).body }
}

const APP_WITH_METRICS = `
import client from 'prom-client'
const served = new client.Counter({ name: 'app_orders_total', help: 'Orders taken', labelNames: ['kind'] })
const open = new client.Gauge({ name: 'app_open_carts', help: 'Carts open now' })
export function app(req, res) {
  if (req.url === '/order') { served.inc({ kind: 'web' }); open.inc() }
  res.end(String(process.pid))
}
`

describe('--metrics-bind', () => {
  it("merges the app's own prom-client metrics, summed across workers", async () => {
    const dir = makeApp({ 'app.mjs': APP_WITH_METRICS })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--metrics-bind', '127.0.0.1:0'), { cwd: dir })
    await gu.waitForWorkers(2)
    const url = await gu.url()
    const servedBy = new Map<string, number>()
    let orders = 0
    for (let round = 0; round < 40 && (servedBy.size < 2 || round < 10); round++) {
      const batch = await Promise.all(Array.from({ length: 3 }, () => request(`${url}/order`, { headers: { connection: 'close' } })))
      for (const res of batch) servedBy.set(res.body, (servedBy.get(res.body) ?? 0) + 1)
      orders += batch.length
    }
    // Both workers took orders, so only a sum across them gives the total.
    expect(servedBy.size).toBe(2)
    const { scrape } = await metricsOf(gu)
    const text = await scrape()
    expect(text).toContain('# TYPE app_orders_total counter')
    expect(sample(text, 'app_orders_total', { kind: 'web' })).toBe(orders)
    expect(sample(text, 'app_open_carts')).toBe(orders)
  })

  it("merges the app's prom-client metrics from every pool thread of a -k threads worker", async () => {
    const dir = makeApp({ 'app.mjs': APP_WITH_METRICS.replace('String(process.pid)', "String((await import('node:worker_threads')).threadId)").replace('export function app', 'export async function app') })
    // e2e does not depend on @gu/worker-threads: name its build by path (the module `-k threads` loads).
    const threads = resolve(E2E_ROOT, '../worker-threads/dist/index.js')
    const gu = new Gu(['app.mjs:app', '-k', threads, '--threads', '2', '-w', '1', '-b', '127.0.0.1:0', '--metrics-bind', '127.0.0.1:0'], { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    const servedBy = new Set<string>()
    let orders = 0
    for (let round = 0; round < 40 && (servedBy.size < 2 || round < 5); round++) {
      const batch = await Promise.all(Array.from({ length: 3 }, () => request(`${url}/order`)))
      for (const res of batch) servedBy.add(res.body)
      orders += batch.length
    }
    // Both threads took orders, each counting in its own registry: only a sum across them gives the total.
    expect(servedBy.size).toBe(2)
    const { scrape } = await metricsOf(gu)
    const text = await scrape()
    expect(sample(text, 'app_orders_total', { kind: 'web' })).toBe(orders)
    expect(sample(text, 'app_open_carts')).toBe(orders)
  })

  it('counts restarts by reason and shows the accept queue of a busy listener', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--max-requests', '3', '--metrics-bind', '127.0.0.1:0'), { cwd: dir })
    const [first] = await gu.waitForWorkers(1)
    const url = await gu.url()
    const { scrape } = await metricsOf(gu)
    for (let i = 0; i < 3; i++) await request(url)
    await gu.waitFor(/Autorestarting worker/)
    await waitUntil('the first worker to go', () => !isAlive(first!), 10_000)
    const [second] = await gu.waitForWorkers(1)
    process.kill(second!, 'SIGKILL')
    await waitUntil('a crash counted', async () => sample(await scrape(), 'gu_worker_restarts_total', { reason: 'crash' }) === 1, 10_000)
    const text = await scrape()
    expect(sample(text, 'gu_worker_restarts_total', { reason: 'max-requests' })).toBe(1)
    expect(sample(text, 'gu_worker_restarts_total', { reason: 'timeout' })).toBe(0)
    // The requests of the workers that went are still counted.
    expect(sample(text, 'gu_http_requests_total', { method: 'GET', status_class: '2xx' })).toBeGreaterThanOrEqual(3)

    // A worker blocked for 2 s accepts nothing: connections wait in the kernel's accept queue.
    await gu.waitForWorkers(1)
    const port = new URL(url).port
    const blocked = request(`${url}/block?ms=2500`)
    await sleep(300)
    const waiting = Array.from({ length: 4 }, () => net.connect(Number(port), '127.0.0.1'))
    await sleep(300)
    const queued = sample(await scrape(), 'gu_listen_queue_length', { port })
    expect(queued).toBeGreaterThanOrEqual(4)
    expect(sample(await scrape(), 'gu_listen_queue_limit', { port })).toBeGreaterThan(0)
    for (const socket of waiting) socket.destroy()
    await blocked
  })
})

/** A UDP statsd listener on loopback: every line it receives, in order. */
async function statsdListener(): Promise<{ port: number; lines: string[]; close: () => void }> {
  const listener = dgram.createSocket('udp4')
  const lines: string[] = []
  listener.on('message', (packet) => lines.push(...packet.toString().split('\n')))
  await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve))
  return { port: listener.address().port, lines, close: () => listener.close() }
}

/** Adds up the values of one statsd counter across the lines received. */
function counted(lines: string[], name: string): number {
  return lines.filter((l) => l.startsWith(`${name}:`)).reduce((n, l) => n + Number(l.split(':')[1]!.split('|')[0]), 0)
}

describe('--statsd-host', () => {
  it("sends Gunicorn's metrics, prefixed and tagged, to a UDP listener", async () => {
    const { port, lines, close } = await statsdListener()
    try {
      const dir = makeApp({ 'app.mjs': PID_APP })
      const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--statsd-host', `127.0.0.1:${port}`, '--statsd-prefix', 'shop', '--dogstatsd-tags', 'env:test,team:ops'), { cwd: dir })
      await gu.waitForWorkers(2)
      const url = await gu.url()
      for (let i = 0; i < 7; i++) expect((await request(`${url}/x${i}`)).status).toBe(200)
      const count = (name: string) => counted(lines, `shop.${name}`)
      await waitUntil('7 requests counted', () => count('gunicorn.requests') >= 7, 5000)
      await sleep(1200)
      expect(count('gunicorn.requests')).toBe(7)
      expect(count('gunicorn.request.status.200')).toBe(7)
      const durations = lines.filter((l) => l.startsWith('shop.gunicorn.request.duration:'))
      expect(durations).toHaveLength(7)
      for (const line of durations) expect(line).toMatch(/^shop\.gunicorn\.request\.duration:\d+(\.\d+)?\|ms\|#env:test,team:ops$/)
      expect(lines).toContain('shop.gunicorn.workers:2|g|#env:test,team:ops')
      expect(lines.find((l) => l.startsWith('shop.gunicorn.requests:'))).toMatch(/^shop\.gunicorn\.requests:\d+\|c\|#env:test,team:ops$/)
    } finally {
      close()
    }
  })
})

// A worker that warns at boot (it handles SIGTERM itself) and logs an exception per /boom.
const LOGGING_APP = `
process.on('SIGTERM', () => {})
export function app(req, res) {
  if (req.url === '/boom') throw new Error('boom')
  res.end(String(process.pid))
}
`

describe('--statsd-host: gunicorn.log.*', () => {
  it("counts the workers' and the arbiter's warning, error and exception lines, prefixed and tagged, whatever --log-level shows", async () => {
    const { port, lines, close } = await statsdListener()
    try {
      const dir = makeApp({ 'app.mjs': LOGGING_APP })
      const socketPath = join(dir, 'app.sock')
      // At --log-level critical none of these lines is written; Gunicorn's statsd logger counts them all the same.
      const gu = new Gu(['app.mjs:app', '-k', 'async', '-w', '1', '-b', `unix:${socketPath}`, '--log-level', 'critical', '--statsd-host', `127.0.0.1:${port}`, '--statsd-prefix', 'shop', '--dogstatsd-tags', 'env:test'], { cwd: dir })
      const boom = () => request('http://localhost/boom', { socketPath }).then((r) => r.status, () => 0)
      expect(await waitUntil('the worker serving', async () => ((await boom()) === 500 ? 500 : undefined))).toBe(500)
      const [pid] = gu.workerPids()
      for (let i = 0; i < 2; i++) expect(await boom()).toBe(500)
      // The worker's: its boot warning and three exceptions, sent from its once-a-second report.
      await waitUntil('the worker log counters', () => counted(lines, 'shop.gunicorn.log.exception') >= 3 && counted(lines, 'shop.gunicorn.log.warning') >= 1, 10_000)
      expect(lines).toContain('shop.gunicorn.log.exception:3|c|#env:test')
      expect(counted(lines, 'shop.gunicorn.log.warning')).toBe(1)
      expect(counted(lines, 'shop.gunicorn.log.error')).toBe(0)
      // The arbiter's own: a worker SIGKILLed under it is an error line of the arbiter's.
      process.kill(pid!, 'SIGKILL')
      await waitUntil("the arbiter's error counted", () => counted(lines, 'shop.gunicorn.log.error') >= 1, 10_000)
      await waitUntil('a replacement worker', () => gu.workerPids().some((p) => p !== pid), 10_000)
      await sleep(2200)
      // Nothing counted twice: totals become deltas once per process (the replacement does not warn again).
      expect(counted(lines, 'shop.gunicorn.log.error')).toBe(1)
      expect(counted(lines, 'shop.gunicorn.log.warning')).toBe(1)
      expect(counted(lines, 'shop.gunicorn.log.exception')).toBe(3)
    } finally {
      close()
    }
  })
})

const unixDgram = createRequire(import.meta.url)('unix-dgram') as {
  createSocket(type: 'unix_dgram'): { bind(path: string): void; on(event: 'message', listener: (m: Buffer) => void): void; close(): void }
}

describe('unix sockets for statsd and Prometheus', () => {
  it('sends statsd over a unix datagram socket (unix://PATH) and serves /metrics on unix:PATH', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const statsdPath = join(dir, 'statsd.sock')
    const lines: string[] = []
    const statsd = unixDgram.createSocket('unix_dgram')
    statsd.on('message', (packet) => lines.push(...packet.toString().split('\n')))
    statsd.bind(statsdPath)
    try {
      const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--statsd-host', `unix://${statsdPath}`, '--metrics-bind', 'unix:metrics.sock'), { cwd: dir })
      await gu.waitForWorkers(2)
      await gu.waitFor(/Metrics at: unix:\S+metrics\.sock/)
      const url = await gu.url()
      for (let i = 0; i < 4; i++) expect((await request(`${url}/u${i}`)).status).toBe(200)
      await waitUntil('4 requests sent over the unix socket', () => counted(lines, 'gunicorn.requests') >= 4, 10_000)
      expect(lines).toContain('gunicorn.workers:2|g')
      const socketPath = join(dir, 'metrics.sock')
      await waitUntil('4 requests in the scrape', async () => {
        const text = (await request('http://localhost/metrics', { socketPath })).body
        return (sample(text, 'gu_http_requests_total', { method: 'GET', status_class: '2xx' }) ?? 0) >= 4
      }, 5000)
      expect((await request('http://localhost/other', { socketPath })).status).toBe(404)
      await gu.stop()
      // The socket file goes with the arbiter, so the next one binds it without a stale file in the way.
      expect(existsSync(socketPath)).toBe(false)
    } finally {
      statsd.close()
    }
  })

  it('in an upgrade (USR2) the new arbiter waits for the old one to leave the metrics socket, then serves it', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--metrics-bind', 'unix:metrics.sock', '-p', 'gu.pid'), { cwd: dir })
    await gu.waitFor(/Metrics at: unix:/)
    gu.signal('SIGUSR2')
    const newPid = Number(await waitUntil('the new arbiter', () => /\[(\d+)\] \[WARNING\] Metrics: unix:metrics\.sock is in use/.exec(gu.log)?.[1], 15_000))
    try {
      gu.signal('SIGTERM')
      // The old arbiter exits; the new one, writing to the same output, takes the socket once it is free.
      await waitUntil('the new arbiter serving the metrics', () => new RegExp(`\\[${newPid}\\] \\[INFO\\] Metrics at: unix:\\S+metrics\\.sock`).test(gu.log), 15_000)
      const scrape = await request('http://localhost/metrics', { socketPath: join(dir, 'metrics.sock') })
      expect(scrape.status).toBe(200)
      expect(sample(scrape.body, 'gu_workers_alive')).toBe(1)
      process.kill(newPid, 'SIGTERM')
      await waitUntil('the socket file gone with the new arbiter', () => !existsSync(join(dir, 'metrics.sock')), 15_000)
    } finally {
      if (isAlive(newPid)) process.kill(newPid, 'SIGKILL')
    }
  })

  it('refuses a statsd address it cannot read, with the forms it takes', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const result = await runGu(asyncArgs('app.mjs:app', '--statsd-host', 'unix://relative.sock'), { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("'unix://relative.sock': a unix socket needs an absolute path")
    const other = await runGu(asyncArgs('app.mjs:app', '--statsd-host', 'nowhere'), { cwd: dir })
    expect(other.stderr).toContain("'nowhere' is not HOST:PORT, [IPv6]:PORT or unix://PATH")
  })
})

const GROWING_APP = `
const kept = []
export function app(req, res) {
  // /grow keeps 80 MiB more, touched so it counts in the resident set.
  if (req.url === '/grow') for (let i = 0; i < 80; i++) kept.push(Buffer.alloc(1024 * 1024, 1))
  res.end(String(process.pid))
}
`

describe('--max-worker-memory', () => {
  it('recycles a worker that allocates past the limit, its replacement first, without a failed request', async () => {
    const dir = makeApp({ 'app.mjs': GROWING_APP })
    const socket = `${dir}/ctl.sock`
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '1', '--max-worker-memory', '265M', '--control-socket', socket, '--metrics-bind', '127.0.0.1:0'), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const url = await gu.url()
    const { scrape } = await metricsOf(gu)
    const load = startLoad(url, { durationMs: 8000, concurrency: 4 })
    // A worker starts at 55–80 MB resident: two grows stay under the limit, the third passes it
    // (with 40 MiB grows and 150M, a busy worker could pass it after two, and the third /grow
    // went to the replacement).
    for (let i = 0; i < 3; i++) expect((await request(`${url}/grow`)).body).toBe(String(worker))
    const line = await gu.waitFor(new RegExp(`Worker \\(pid:${worker}\\) uses ([\\d.]+) MB of memory, above --max-worker-memory 265\\.0 MB: recycling it gracefully`), 10_000)
    expect(Number(line[1])).toBeGreaterThan(265)
    const retiring = await ctlJson<{ workers: Array<{ pid: number; state: string; reason: string | null }>; recentRestarts: Array<{ pid: number; reason: string }> }>(socket, 'workers')
    // Still retiring, or already gone (a replacement can boot and take over within the moment).
    const seen = retiring.workers.find((w) => w.pid === worker) ?? retiring.recentRestarts.find((r) => r.pid === worker)
    expect(seen).toMatchObject({ reason: 'memory' })
    await waitUntil('the old worker to go', () => !isAlive(worker!), 15_000)
    // Its replacement booted before it was told to stop.
    const log = gu.log
    const replacement = [...log.matchAll(/Booting worker with pid: (\d+)/g)].map((m) => Number(m[1])).find((pid) => pid !== worker)
    expect(replacement).toBeDefined()
    expect(log.indexOf(`Booting worker with pid: ${replacement}`)).toBeLessThan(log.indexOf(`Worker exiting (pid: ${worker})`))
    const result = await within(15_000, load.stop(), 'load')
    expect(result.failed).toBe(0)
    expect(result.ok).toBeGreaterThan(20)
    expect(sample(await scrape(), 'gu_worker_restarts_total', { reason: 'memory' })).toBe(1)
    const after = await ctlJson<{ recentRestarts: Array<{ pid: number; reason: string }> }>(socket, 'workers')
    expect(after.recentRestarts[0]).toMatchObject({ pid: worker, reason: 'memory' })
  })
})
