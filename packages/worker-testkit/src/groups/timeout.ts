// timeout: `--timeout` limits what the class declares. `loop`: a blocked event loop (a hung
// worker), never a slow request. `request`: one request's run time, never an idle worker.
// `thread`: one request's run time, cut in the thread running it while the process lives.
import { ensure } from '../ensure.js'
import type { GuProcess } from '../gu-process.js'
import { request, servedBy } from '../http-client.js'
import { isAlive } from '../procfs.js'
import type { Check } from '../types.js'
import { describeError, pollUntil, settle, sleep } from '../wait.js'

const group = 'timeout'
const TIMEOUT = ['--timeout', '2']

/** Sends `path`, expects the worker to be cut under --timeout 2 and a new one to serve after it. */
async function expectCutAndReplaced(gu: GuProcess, path: string, what: string): Promise<void> {
  const [pid] = gu.workerPids()
  const cut = settle(request(`${gu.url}${path}`, { timeoutMs: 12_000 }))
  const timedOut = await gu.waitForLog(new RegExp(`WORKER TIMEOUT \\(pid:${pid}\\)`), 7000)
  ensure(timedOut, `${what} was not cut: no 'WORKER TIMEOUT (pid:${pid})' within 7s under --timeout 2`)
  const outcome = await cut
  ensure(!outcome.ok || outcome.value.status !== 200, `the worker was timed out, yet ${path} got a 200`)
  const gone = await pollUntil(() => !isAlive(pid!), 4000)
  ensure(gone, `worker ${pid} was still alive 4s after its WORKER TIMEOUT`)
  const fresh = await gu.waitForWorkers(1, 10_000)
  ensure(fresh && fresh[0] !== pid, `no new worker booted within 10s to replace ${pid}`)
  // A class that binds its own sockets listens a moment after it logs its boot: allow it 5 s.
  const served = await pollUntil(() => servedBy(gu.url).catch(() => undefined), 5000, 100)
  ensure(served === fresh[0], `after the replacement, /pid was served by ${served}, expected the new worker ${fresh[0]}`)
}

function expectNoTimeout(gu: GuProcess, what: string): void {
  const line = gu.output.match(/WORKER TIMEOUT \(pid:\d+\)/)
  ensure(!line, () => `${what}, yet the arbiter logged '${line![0]}'`)
}

const loopBlocked: Check = {
  group,
  scope: 'loop',
  name: 'loop scope: a route blocking the event loop past --timeout gets the worker replaced',
  timeoutMs: 40_000,
  async run(ctx) {
    const gu = await ctx.start({ args: TIMEOUT })
    await expectCutAndReplaced(gu, '/block?ms=8000', 'a worker whose event loop was blocked for 8s')
  },
}

const loopSlowRequest: Check = {
  group,
  scope: 'loop',
  name: 'loop scope: a request awaiting longer than --timeout completes',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ args: TIMEOUT })
    const [pid] = gu.workerPids()
    const outcome = await settle(request(`${gu.url}/slow?ms=3500`, { timeoutMs: 10_000 }))
    ensure(outcome.ok, () => `a request awaiting a 3.5s timer under --timeout 2 failed: ${describeError((outcome as { error: Error }).error)} (loop scope limits a blocked event loop, not a request)`)
    ensure(outcome.value.status === 200, `a request awaiting a 3.5s timer under --timeout 2 got ${outcome.value.status}`)
    ensure(Number(outcome.value.text) === pid, `the slow request was answered by ${outcome.value.text}, not the worker ${pid} that was serving`)
    expectNoTimeout(gu, 'the event loop was free throughout')
  },
}

const requestCut: Check = {
  group,
  scope: 'request',
  name: 'request scope: a request running past --timeout is cut and named in the log',
  timeoutMs: 40_000,
  async run(ctx) {
    const gu = await ctx.start({ args: TIMEOUT })
    await expectCutAndReplaced(gu, '/slow?ms=8000', 'a request awaiting an 8s timer')
    const named = await gu.waitForLog(/\/slow\?ms=8000/, 3000)
    ensure(named, 'the worker was cut, but no log line names the request (GET /slow?ms=8000) it was serving')
  },
}

const requestIdle: Check = {
  group,
  scope: 'request',
  name: 'request scope: an idle worker and requests under --timeout are left alone',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ args: TIMEOUT })
    const [pid] = gu.workerPids()
    await sleep(3500)
    expectNoTimeout(gu, 'the worker sat idle for 3.5s')
    // Each under the limit, together over it.
    for (const path of ['/slow?ms=1200', '/slow?ms=1200']) {
      const res = await request(`${gu.url}${path}`)
      ensure(res.status === 200 && Number(res.text) === pid, `${path} under --timeout 2 got ${res.status} from ${res.text}, expected 200 from ${pid}`)
    }
    expectNoTimeout(gu, 'every request took less than --timeout')
    const now = gu.workerPids()
    ensure(now.length === 1 && now[0] === pid, `worker ${pid} was replaced (workers now ${now.join(', ')}) though nothing overran --timeout`)
  },
}

const threadCut: Check = {
  group,
  scope: 'thread',
  name: 'thread scope: a request running past --timeout gets 503/504 and only its thread is cut',
  timeoutMs: 40_000,
  async run(ctx) {
    const gu = await ctx.start({ args: TIMEOUT })
    const [pid] = gu.workerPids()
    const outcome = await settle(request(`${gu.url}/block?ms=8000`, { timeoutMs: 12_000 }))
    if (outcome.ok) ensure(outcome.value.status === 503 || outcome.value.status === 504, `a request blocking for 8s under --timeout 2 got ${outcome.value.status}, expected 503 or 504`)
    expectNoTimeout(gu, 'only the thread should have been cut')
    const served = await servedBy(gu.url)
    ensure(served === pid, `after the cut, /pid was served by ${served}, expected the same worker process ${pid}`)
  },
}

const threadIdle: Check = {
  group,
  scope: 'thread',
  name: 'thread scope: an idle worker and requests under --timeout are left alone',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ args: TIMEOUT })
    const [pid] = gu.workerPids()
    await sleep(3500)
    for (const path of ['/slow?ms=1200', '/block?ms=1200']) {
      const res = await request(`${gu.url}${path}`)
      ensure(res.status === 200 && Number(res.text) === pid, `${path} under --timeout 2 got ${res.status} from ${res.text}, expected 200 from ${pid}`)
    }
    expectNoTimeout(gu, 'every request took less than --timeout')
  },
}

export const timeoutChecks: readonly Check[] = [loopBlocked, loopSlowRequest, requestCut, requestIdle, threadCut, threadIdle]
