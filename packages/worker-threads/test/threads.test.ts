// The threads class end to end: real gu arbiters, real sockets, real threads.
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { request, sleep, startGu, stopAll } from './harness.js'

const APP = 'work-app.mjs:app'

afterEach(stopAll)

describe('parallelism', () => {
  it('serves 4 blocking requests in parallel on -w 1 with 4 threads', async () => {
    const gu = await startGu(APP, { args: ['--threads', '4'] })
    const started = Date.now()
    const answers = await Promise.all([1, 2, 3, 4].map(() => request(`${gu.url}/wait?ms=800`)))
    const wall = Date.now() - started
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200])
    // Four threads served them: one request's time, not four's (3.2s).
    expect(new Set(answers.map((a) => a.text)).size).toBe(4)
    expect(wall).toBeLessThan(1900)
  })

  it('answers a light request while every thread is busy: queued behind the heavy ones, never behind a blocked loop', async () => {
    const gu = await startGu(APP, { args: ['--threads', '2', '--timeout', '4'] })
    const [pid] = gu.workerPids
    const heavy = [request(`${gu.url}/spin?ms=2500`), request(`${gu.url}/spin?ms=2500`)]
    await sleep(300)
    // The main thread is free: it answers a request it needn't send to a thread (a 404 from the
    // runtime has none, so ask the queue instead: a light request waits only for a free thread).
    const light = await request(`${gu.url}/tid`)
    expect(light.status).toBe(200)
    expect(light.ms).toBeLessThan(2500 + 800)
    for (const res of await Promise.all(heavy)) expect(res.status).toBe(200)
    // Threads busy for 2.5s under --timeout 4: the heartbeat kept flowing from the main thread.
    expect(gu.output).not.toMatch(/WORKER TIMEOUT/)
    expect(gu.workerPids).toEqual([pid])
  })

  it('gives a freed thread to a light request before heavy ones that queued earlier', async () => {
    const gu = await startGu(APP, { args: ['--threads', '1'] })
    // One /spin teaches the queue that route's cost.
    expect((await request(`${gu.url}/spin?ms=400`)).status).toBe(200)
    const heavy = [1, 2, 3].map(() => request(`${gu.url}/spin?ms=400`))
    await sleep(100)
    const light = await request(`${gu.url}/tid`)
    expect(light.status).toBe(200)
    // First come, first served would have it wait for all three (1.2 s); it waits for the one running.
    expect(light.ms).toBeLessThan(800)
    expect((await Promise.all(heavy)).map((r) => r.status)).toEqual([200, 200, 200])
  })

  it('answers 503 with Retry-After at once when the queue is full', async () => {
    const gu = await startGu(APP, { args: ['--threads', '2', '--thread-queue', '1'] })
    const heavy = [1, 2, 3].map(() => request(`${gu.url}/spin?ms=1500`))
    await sleep(300)
    const refused = await request(`${gu.url}/tid`)
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.ms).toBeLessThan(500)
    expect((await Promise.all(heavy)).map((r) => r.status)).toEqual([200, 200, 200])
    expect((await request(`${gu.url}/tid`)).status).toBe(200)
    await gu.waitForOutput(/requests queued: answering 503/)
  })
})

describe('per-request timeout', () => {
  it('terminates only the thread of a request past --timeout; the others and the process live on', async () => {
    const gu = await startGu(APP, { args: ['--threads', '2', '--timeout', '2'] })
    const [pid] = gu.workerPids
    const stuck = request(`${gu.url}/spin?ms=8000`)
    await sleep(200)
    let survivor: number | undefined
    // The other thread keeps answering, promptly, while one is stuck and then replaced.
    const deadline = Date.now() + 3500
    while (Date.now() < deadline) {
      const res = await request(`${gu.url}/count`)
      expect(res.status).toBe(200)
      expect(res.ms).toBeLessThan(1000)
      survivor ??= (JSON.parse(res.text) as { threadId: number }).threadId
      await sleep(200)
    }
    const cut = await stuck
    expect(cut.status).toBe(504)
    expect(cut.ms).toBeLessThan(4500)
    await gu.waitForOutput(/Request 'GET \/spin\?ms=8000' made no progress for 2s \(--timeout\): its thread is terminated/)
    // Two requests at once reach two threads: the survivor, with its module state, and a new one.
    const both = await Promise.all([request(`${gu.url}/wait?ms=300`), request(`${gu.url}/wait?ms=300`)])
    const tids = both.map((r) => Number(r.text))
    expect(tids).toContain(survivor)
    expect(new Set(tids).size).toBe(2)
    const after = JSON.parse((await request(`${gu.url}/count`)).text) as { threadId: number; count: number }
    if (after.threadId === survivor) expect(after.count).toBeGreaterThan(2)
    expect(gu.output).not.toMatch(/WORKER TIMEOUT/)
    expect(gu.workerPids).toEqual([pid])
  })

  it('lets a request that keeps sending run past --timeout', async () => {
    // --timeout also bounds the boot (as Gunicorn's): 2 s, not 1, so a loaded machine's slow boot
    // doesn't loop; the stream runs 5 s, well past it.
    const gu = await startGu(APP, { args: ['--threads', '1', '--timeout', '2'] })
    const res = await request(`${gu.url}/sse?n=10&ms=500`)
    expect(res.status).toBe(200)
    expect(res.text.match(/data: /g)).toHaveLength(10)
  })
})

describe('streaming', () => {
  it('delivers a streamed response chunk by chunk, as the app writes it', async () => {
    const gu = await startGu(APP, { args: ['--threads', '2'] })
    const arrivals = await new Promise<number[]>((resolve, reject) => {
      const started = Date.now()
      const times: number[] = []
      http.get(`${gu.url}/sse?n=4&ms=300`, { agent: false }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream')
        res.on('data', () => times.push(Date.now() - started))
        res.on('end', () => resolve(times))
        res.on('error', reject)
      }).on('error', reject)
    })
    expect(arrivals.length).toBeGreaterThanOrEqual(4)
    // The first event arrived long before the last was written (4 × 300 ms).
    expect(arrivals[0]!).toBeLessThan(800)
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(600)
  })
})

describe('a crashing thread', () => {
  it('contains process.exit in a handler: a 500, logged, and the worker serves on', async () => {
    const gu = await startGu(APP, { args: ['--threads', '2'] })
    const [pid] = gu.workerPids
    const res = await request(`${gu.url}/exit`)
    expect(res.status).toBe(500)
    await gu.waitForOutput(/The thread serving 'GET \/exit' failed; it is replaced/)
    for (let i = 0; i < 4; i++) expect((await request(`${gu.url}/pid`)).text).toBe(String(pid))
    const both = await Promise.all([request(`${gu.url}/wait?ms=300`), request(`${gu.url}/wait?ms=300`)])
    expect(new Set(both.map((r) => r.text)).size).toBe(2)
    expect(gu.workerPids).toEqual([pid])
  })

  it('contains an uncaught error in a timer: logged, the thread replaced, the worker serves on', async () => {
    const gu = await startGu(APP, { args: ['--threads', '2'] })
    const [pid] = gu.workerPids
    expect((await request(`${gu.url}/timer-throw`)).status).toBe(200)
    await expect.poll(() => gu.output, { timeout: 3000 }).toMatch(/thrown from a timer on purpose/)
    await sleep(300)
    const both = await Promise.all([request(`${gu.url}/wait?ms=300`), request(`${gu.url}/wait?ms=300`)])
    expect(both.map((r) => r.status)).toEqual([200, 200])
    expect(new Set(both.map((r) => r.text)).size).toBe(2)
    expect(gu.workerPids).toEqual([pid])
  })
})
