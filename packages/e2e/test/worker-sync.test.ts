import http from 'node:http'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, cleanupApps, isAlive, killAll, makeApp, request, sleep } from '../src/harness.js'
import { waitUntil } from '../src/process-helpers.js'
import { SYNC_APP, parseReply, rawExchange, startedRequests, statusLines, syncArgs, timedRequest, waitForStart } from '../src/sync-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

/** Starts gu -k sync on SYNC_APP; resolves once `workers` workers serve. */
async function startSync(workers: number, ...extra: string[]): Promise<{ gu: Gu; dir: string; url: string; port: number; pids: number[] }> {
  const dir = makeApp({ 'app.mjs': SYNC_APP })
  const gu = new Gu(syncArgs('app.mjs:app', '-w', String(workers), ...extra), { cwd: dir })
  const pids = await gu.waitForWorkers(workers)
  const url = await gu.url()
  return { gu, dir, url, port: Number(new URL(url).port), pids }
}

/** The request's status, or 'error' when the connection failed or was cut before a full response. */
function statusOrError(promise: Promise<{ status: number }>): Promise<number | 'error'> {
  return promise.then(
    (res) => res.status,
    () => 'error' as const,
  )
}

describe('@gu/worker-sync: one request at a time', () => {
  it('never has two requests in progress in one worker, whatever the app awaits', async () => {
    const { gu, url, pids } = await startSync(2)
    const started = Date.now()
    // Half wait on a timer, half over several awaits with the body written in two parts.
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => request(`${url}/${i % 2 ? 'await' : 'slow'}?ms=100&i=${i}`, { timeoutMs: 10_000 })),
    )
    const elapsed = Date.now() - started
    const perPid = new Map<number, number>()
    for (const res of replies) {
      expect(res.status).toBe(200)
      const reply = parseReply(res.body)
      expect(reply.maxActive, `worker ${reply.pid} had ${reply.maxActive} requests in progress at once`).toBe(1)
      expect(pids).toContain(reply.pid)
      perPid.set(reply.pid, (perPid.get(reply.pid) ?? 0) + 1)
    }
    // 12 requests of 100 ms over 2 workers, each serving one at a time: at least 6 rounds.
    expect(elapsed).toBeGreaterThanOrEqual(550)
    for (const [pid, count] of perPid) expect(count * 100, `worker ${pid} served ${count} in ${elapsed}ms`).toBeLessThanOrEqual(elapsed + 20)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('leaves new connections to the idle worker while one is busy', async () => {
    const { gu, dir, url, pids } = await startSync(2)
    const long = request(`${url}/slow?ms=3000`, { timeoutMs: 10_000 })
    const busy = await waitForStart(dir, 'GET /slow?ms=3000')
    const idle = pids.find((pid) => pid !== busy)!
    expect(pids).toContain(busy)
    for (let i = 0; i < 8; i++) {
      const sent = Date.now()
      const res = await request(`${url}/quick?i=${i}`, { timeoutMs: 2500 })
      const took = Date.now() - sent
      expect(res.status).toBe(200)
      expect(parseReply(res.body).pid, `quick request ${i}`).toBe(idle)
      expect(took, `quick request ${i} took ${took}ms`).toBeLessThan(500)
    }
    const slow = await long
    expect(slow.status).toBe(200)
    expect(parseReply(slow.body)).toMatchObject({ pid: busy, maxActive: 1 })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('with every worker busy, a new request goes to the first worker that finishes', async () => {
    const { gu, dir, url } = await startSync(2)
    const t0 = Date.now()
    const short = timedRequest(`${url}/slow?ms=1200`, t0, { timeoutMs: 10_000 })
    const shortPid = await waitForStart(dir, 'GET /slow?ms=1200')
    const long = timedRequest(`${url}/slow?ms=4000`, t0, { timeoutMs: 10_000 })
    const longPid = await waitForStart(dir, 'GET /slow?ms=4000')
    expect(longPid, 'the second long request went to the busy worker').not.toBe(shortPid)
    const third = timedRequest(`${url}/third`, t0, { timeoutMs: 10_000 })
    const [a, b, c] = await Promise.all([short.promise, long.promise, third.promise])
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200])
    expect(parseReply(c.body)).toMatchObject({ pid: shortPid, maxActive: 1 })
    const [aAt, bAt, cAt] = [short.settledAt()!, long.settledAt()!, third.settledAt()!]
    // Served once the shorter request is done, long before the longer one.
    expect(cAt, `third at ${cAt}ms, short done at ${aAt}ms`).toBeGreaterThanOrEqual(aAt - 50)
    expect(cAt - aAt, `third at ${cAt}ms, short done at ${aAt}ms`).toBeLessThan(600)
    expect(cAt, `third at ${cAt}ms, long done at ${bAt}ms`).toBeLessThan(bAt - 1000)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('@gu/worker-sync: async context', () => {
  // The next connection is taken inside the previous response's 'close' handler: it must start
  // from a clean context, or AsyncLocalStorage state (and tracing spans) leak into it.
  it("never lets a request see the previous request's AsyncLocalStorage store", async () => {
    const dir = makeApp({
      'app.mjs': `
import { AsyncLocalStorage } from 'node:async_hooks'
const als = new AsyncLocalStorage()
export function app(req, res) {
  const inherited = String(als.getStore())
  als.run(req.url, () => setTimeout(() => res.end(inherited), 20))
}`,
    })
    const gu = new Gu(syncArgs('app.mjs:app', '-w', '1'), { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    // Queued behind one another, so each is accepted straight after the one before it.
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => request(`${url}/r${i}`, { timeoutMs: 10_000 })))
    expect(replies.map((res) => res.body)).toEqual(Array(8).fill('undefined'))
  })
})

describe('@gu/worker-sync: no keep-alive', () => {
  const PIPELINED = 'GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n'

  it.each([
    ['the default --keep-alive', []],
    ['--keep-alive 10', ['--keep-alive', '10']],
  ])('answers one request per connection with Connection: close, then closes it (%s)', async (_, extra) => {
    const { gu, dir, url, port, pids } = await startSync(1, ...extra)
    const { data, closedByServer, ms } = await rawExchange(port, PIPELINED, 5000)
    expect(statusLines(data)).toEqual(['HTTP/1.1 200 OK'])
    expect(data).toMatch(/\r\nconnection: close\r\n/i)
    expect(data).not.toMatch(/keep-alive: /i)
    expect(closedByServer).toBe(true)
    // Closed right after the response, not after a keep-alive timeout.
    expect(ms).toBeLessThan(2000)

    // A fresh connection: Connection: close again, and the pipelined second request never reached the app.
    const res = await request(`${url}/after`)
    expect(res.status).toBe(200)
    expect(res.headers.connection).toBe('close')
    const reply = parseReply(res.body)
    expect(reply.pid).toBe(pids[0])
    expect(reply.maxActive).toBe(1)
    expect(startedRequests(dir).map((r) => r.line)).toEqual(['GET /slow?ms=300', 'GET /after'])
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('@gu/worker-sync: --timeout is the per-request limit', () => {
  it('kills and replaces a worker whose request blocks the event loop past --timeout, naming the request', async () => {
    const { gu, dir, url, pids } = await startSync(1, '--timeout', '2')
    const [blocked] = pids
    const t0 = Date.now()
    const stuck = request(`${url}/block?ms=8000`, { timeoutMs: 10_000 })
    let cutAt = 0
    const result = statusOrError(stuck).finally(() => (cutAt = Date.now() - t0))
    expect(await waitForStart(dir, 'GET /block?ms=8000')).toBe(blocked)
    await gu.waitFor(new RegExp(`WORKER TIMEOUT \\(pid:${blocked}\\)`), 6000)
    expect(await result).not.toBe(200)
    // Cut around the 2 s limit: neither at once nor when the 8 s block would have ended.
    expect(cutAt, `connection closed after ${cutAt}ms`).toBeGreaterThanOrEqual(1000)
    expect(cutAt, `connection closed after ${cutAt}ms`).toBeLessThan(4000)
    await waitUntil('the blocked worker to die', () => !isAlive(blocked!), 3000)
    await gu.waitFor(/GET \/block/, 3000)
    const [fresh] = await gu.waitForWorkers(1)
    expect(fresh).not.toBe(blocked)
    const res = await request(url, { timeoutMs: 3000 })
    expect(res.status).toBe(200)
    expect(parseReply(res.body).pid).toBe(fresh)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('kills and replaces a worker whose request never answers (event loop free), naming the request', async () => {
    const { gu, dir, url, pids } = await startSync(1, '--timeout', '2')
    const [hung] = pids
    const t0 = Date.now()
    let cutAt = 0
    const result = statusOrError(request(`${url}/hang`, { timeoutMs: 10_000 })).finally(() => (cutAt = Date.now() - t0))
    expect(await waitForStart(dir, 'GET /hang')).toBe(hung)
    await gu.waitFor(new RegExp(`WORKER TIMEOUT \\(pid:${hung}\\)`), 6000)
    expect(await result).not.toBe(200)
    expect(cutAt, `connection closed after ${cutAt}ms`).toBeGreaterThanOrEqual(1400)
    expect(cutAt, `connection closed after ${cutAt}ms`).toBeLessThan(4000)
    await waitUntil('the hung worker to die', () => !isAlive(hung!), 3000)
    await gu.waitFor(/GET \/hang/, 3000)
    const [fresh] = await gu.waitForWorkers(1)
    expect(fresh).not.toBe(hung)
    const res = await request(url, { timeoutMs: 3000 })
    expect(res.status).toBe(200)
    expect(parseReply(res.body).pid).toBe(fresh)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('never kills an idle worker, nor one serving requests each shorter than --timeout', async () => {
    const { gu, url, pids } = await startSync(1, '--timeout', '2')
    const [worker] = pids
    // Idle for longer than the timeout.
    await sleep(3000)
    expect(gu.workerPids()).toEqual([worker])
    // Back-to-back requests, each under the limit, together well over it.
    for (const path of ['/slow?ms=1200', '/slow?ms=1200', '/block?ms=800', '/slow?ms=1200']) {
      const res = await request(`${url}${path}`, { timeoutMs: 5000 })
      expect(res.status, path).toBe(200)
      expect(parseReply(res.body).pid, path).toBe(worker)
    }
    expect(gu.workerPids()).toEqual([worker])
    expect(gu.log).not.toMatch(/WORKER TIMEOUT/)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('@gu/worker-sync: a client that sends nothing', () => {
  it('is answered 408 and disconnected, and never keeps the only worker from the next client for long', async () => {
    const native = process.env.GU_SYNC_ACCEPT !== 'copies'
    const dir = makeApp({ 'app.mjs': SYNC_APP })
    const gu = new Gu(syncArgs('app.mjs:app', '-w', '1', '--header-timeout', '1'), { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    const port = Number(new URL(url).port)
    // Connects and says nothing.
    const silent = rawExchange(port, '', 6000)
    await sleep(200)
    const asked = Date.now()
    const next = await request(`${url}/`)
    const waited = Date.now() - asked
    expect(next.status).toBe(200)
    const silentResult = await silent
    expect(silentResult.closedByServer).toBe(true)
    expect(silentResult.data).toMatch(/^HTTP\/1\.1 408/)
    if (native) {
      // The kernel holds a connection that has sent nothing (TCP_DEFER_ACCEPT) for --header-timeout,
      // so the worker stays free for the next client; then the worker gives it --header-timeout more.
      expect(waited).toBeLessThan(500)
      expect(silentResult.ms).toBeGreaterThanOrEqual(1800)
    } else {
      // The only worker took it, and the next client waited for its 408, after about --header-timeout.
      expect(waited).toBeGreaterThanOrEqual(500)
      expect(silentResult.ms).toBeGreaterThanOrEqual(900)
    }
    expect(silentResult.ms).toBeLessThan(4500)
  })
})

describe('@gu/worker-sync: a client that goes away mid-request', () => {
  it('frees its worker once: the connections queued behind it are served one at a time', async () => {
    const { dir, url, port } = await startSync(1)
    // The only worker takes this one; the client gives up while the app still works on it.
    const abandoned = rawExchange(port, 'GET /slow?ms=600 HTTP/1.1\r\nHost: x\r\n\r\n', 300)
    await waitForStart(dir, 'GET /slow?ms=600')
    // Queued behind it in the kernel when the client leaves: the worker must take them one by one.
    const queued = Array.from({ length: 6 }, (_, i) => request(`${url}/await?ms=60&i=${i}`, { timeoutMs: 10_000 }))
    expect((await abandoned).data).toBe('')
    for (const res of await Promise.all(queued)) {
      expect(res.status).toBe(200)
      expect(parseReply(res.body).maxActive).toBe(1)
    }
  })
})

describe('@gu/worker-sync: app interfaces', () => {

  it('serves a fetch handler, one request at a time', async () => {
    const dir = makeApp({
      'app.mjs': `
let active = 0
let maxActive = 0
export default {
  async fetch(request) {
    active++
    maxActive = Math.max(maxActive, active)
    try {
      const url = new URL(request.url)
      if (request.method === 'POST') {
        const text = await request.text()
        return new Response(process.pid + ' ' + maxActive + ' ' + text.length + ' ' + text, { status: 201 })
      }
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? 0)))
      return new Response(process.pid + ' ' + maxActive + ' ' + url.pathname, { headers: { 'x-app': 'fetch' } })
    } finally {
      active--
    }
  },
}
`,
    })
    const gu = new Gu(syncArgs('app.mjs', '-w', '1'), { cwd: dir })
    const [pid] = await gu.waitForWorkers(1)
    const url = await gu.url()
    const started = Date.now()
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => request(`${url}/f${i}?ms=100`, { timeoutMs: 10_000 })))
    const elapsed = Date.now() - started
    replies.forEach((res, i) => {
      expect(res.status).toBe(200)
      expect(res.headers['x-app']).toBe('fetch')
      expect(res.headers.connection).toBe('close')
      expect(res.body).toBe(`${pid} 1 /f${i}`)
    })
    // One worker, one at a time: six 100 ms requests take at least 600 ms.
    expect(elapsed).toBeGreaterThanOrEqual(550)
    const posted = await request(`${url}/echo`, { method: 'POST', body: 'hello sync' })
    expect(posted.status).toBe(201)
    expect(posted.body).toBe(`${pid} 1 10 hello sync`)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('@gu/worker-sync: streaming', () => {
  it('streams a request body of several MB to the app as it arrives', async () => {
    const { gu, url } = await startSync(1)
    const total = 8 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${url}/count`, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', 'content-length': String(total) } })
      req.setTimeout(5000, () => req.destroy(new Error('upload timed out')))
      req.on('error', reject)
      const writeChunks = async (count: number) => {
        for (let i = 0; i < count; i++) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r))
      }
      // The first MiB, then nothing more until the app has answered with headers: only a worker
      // that hands the body to the app as it streams in can get there.
      const first = writeChunks(16)
      req.on('response', (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
        res.on('error', reject)
        first.then(() => writeChunks(total / chunk.length - 16)).then(() => req.end(), reject)
      })
    })
    expect(result.status).toBe(200)
    expect(result.body).toBe(`receiving\n${total}`)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('@gu/worker-sync: lifecycle', () => {

  it.each([1, 2])('recycles workers after --max-requests 5 without failing a request (-w %i)', async (workers) => {
    const { gu, url, pids } = await startSync(workers, '--max-requests', '5', '--graceful-timeout', '5')
    const perPid = new Map<number, number>()
    const failures: string[] = []
    for (let i = 0; i < 20; i++) {
      try {
        const res = await request(`${url}/?i=${i}`, { timeoutMs: 5000 })
        if (res.status !== 200) failures.push(`request ${i}: status ${res.status}`)
        else {
          const { pid } = parseReply(res.body)
          perPid.set(pid, (perPid.get(pid) ?? 0) + 1)
        }
      } catch (error) {
        failures.push(`request ${i}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
      }
    }
    expect(failures).toEqual([])
    for (const [pid, count] of perPid) expect(count, `worker ${pid} served ${count}`).toBeLessThanOrEqual(5)
    expect(perPid.size).toBeGreaterThanOrEqual(4)
    expect([...perPid.keys()].some((pid) => !pids.includes(pid))).toBe(true)
    expect(gu.log).toMatch(/Autorestarting worker after current request/)
    await gu.waitForWorkers(workers)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
