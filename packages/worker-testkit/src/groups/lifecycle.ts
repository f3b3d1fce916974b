// lifecycle: the signals and recycling that change workers under a running server, as an
// operator uses them: TERM, INT, QUIT, --max-requests, HUP, USR1, and an arbiter that dies.
import { existsSync, readFileSync, renameSync } from 'node:fs'
import http from 'node:http'
import { ensure, fail } from '../ensure.js'
import type { Exit, GuProcess } from '../gu-process.js'
import { request } from '../http-client.js'
import { isAlive } from '../procfs.js'
import { startLoad } from '../steady-load.js'
import type { Check } from '../types.js'
import { usr1UnderLoad } from './log-reopen.js'
import { describeError, pollUntil, settle, sleep } from '../wait.js'

const group = 'lifecycle'
const GRACEFUL = 5

/** Why the arbiter took long to exit, as its log tells it. */
function slowStopReason(gu: GuProcess): string {
  if (/Killing \d+ worker\(s\) still running/.test(gu.output)) return `the workers were killed after --graceful-timeout ${GRACEFUL}s`
  if (/Graceful stop took longer than/.test(gu.output)) return `a worker gave up after --graceful-timeout ${GRACEFUL}s with its run() still pending`
  return 'the workers did not exit'
}

const term: Check = {
  group,
  name: 'TERM finishes an in-flight request, then the arbiter exits 0',
  timeoutMs: 40_000,
  async run(ctx) {
    const gu = await ctx.start({ workers: 2, args: ['--graceful-timeout', String(GRACEFUL)] })
    const workers = gu.workerPids()
    // On a keep-alive connection, where the class must also end the connection after the response.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    let outcome
    try {
      await request(`${gu.url}/pid`, { agent })
      const slow = settle(request(`${gu.url}/slow?ms=1500`, { agent, timeoutMs: 15_000 }))
      await sleep(400)
      gu.signal('SIGTERM')
      ensure(await gu.waitForLog(/Handling signal: term/, 3000), "the arbiter did not log 'Handling signal: term' within 3s")
      outcome = await slow
    } finally {
      agent.destroy()
    }
    ensure(outcome.ok, () => `the request in flight at TERM failed: ${describeError((outcome as { error: Error }).error)}`)
    ensure(outcome.value.status === 200, `the request in flight at TERM got ${outcome.value.status}, expected 200`)
    ensure(workers.includes(Number(outcome.value.text)), `the request in flight at TERM came back incomplete: ${JSON.stringify(outcome.value.text)}`)
    const connection = outcome.value.headers.connection
    ensure(connection === 'close', `the keep-alive response in flight at TERM said 'Connection: ${connection}', not close: the client would reuse a connection to a stopping worker`)
    // Nothing is left to wait for once that response is out: the workers' run() should resolve.
    const exit = await gu.waitForExit(2500)
    if (!exit) {
      const late = await gu.waitForExit(GRACEFUL * 1000 + 5000)
      const after = late ? `; it exited ${((late.at - outcome.at) / 1000).toFixed(1)}s after the last response` : ''
      fail(`the arbiter did not exit within 2.5s of the last response: ${slowStopReason(gu)} (stop accepting when worker.stopSignal aborts, then resolve run())${after}`)
    }
    ensure(exit.code === 0, `the arbiter exited with ${exit.code ?? exit.signal} after TERM, expected 0 (${slowStopReason(gu)})`)
    ensure(!/Killing \d+ worker\(s\)|Graceful stop took longer/.test(gu.output), `the arbiter exited, but ${slowStopReason(gu)}`)
  },
}

const termStopsAccepting: Check = {
  group,
  name: 'TERM stops accepting: a connection made during the drain is not served',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ workers: 2, args: ['--graceful-timeout', String(GRACEFUL)] })
    // Keeps the drain going for a while.
    const slow = settle(request(`${gu.url}/slow?ms=2000`, { timeoutMs: 15_000 }))
    await sleep(300)
    gu.signal('SIGTERM')
    ensure(await gu.waitForLog(/Handling signal: term/, 3000), "the arbiter did not log 'Handling signal: term' within 3s")
    await sleep(400)
    // Refused, or held in the kernel's backlog and reset when the last worker exits: either way not served.
    const late = await settle(request(`${gu.url}/pid`, { timeoutMs: 8000 }))
    await slow
    ensure(
      !late.ok || late.value.status !== 200,
      () => `a connection made 0.4s into the drain was served (200 from worker ${(late as { value: { text: string } }).value.text}): the class kept accepting after worker.stopSignal aborted`,
    )
  },
}

function quickStop(signal: 'SIGINT' | 'SIGQUIT'): Check {
  const name = signal.slice(3)
  return {
    group,
    name: `${name} stops quickly, cutting a request in flight`,
    timeoutMs: 30_000,
    async run(ctx) {
      const gu = await ctx.start({ workers: 2, args: ['--graceful-timeout', String(GRACEFUL)] })
      const workers = gu.workerPids()
      const slow = settle(request(`${gu.url}/slow?ms=10000`, { timeoutMs: 15_000 }))
      await sleep(400)
      const sent = Date.now()
      gu.signal(signal)
      const exit: Exit | undefined = await gu.waitForExit(2500)
      ensure(exit, () => `the arbiter was still running 2.5s after ${name} (a quick stop, --graceful-timeout ${GRACEFUL}): ${slowStopReason(gu)}`)
      ensure(exit.code === 0, `the arbiter exited with ${exit.code ?? exit.signal} after ${name}, expected 0`)
      const left = await pollUntil(() => workers.every((pid) => !isAlive(pid)), 1000)
      ensure(left, `workers ${workers.filter(isAlive).join(', ')} outlived the arbiter's ${name}`)
      const outcome = await slow
      ensure(!outcome.ok || outcome.value.status !== 200 || outcome.at - sent > 9000, `the slow request still completed after ${name}: the stop was not quick`)
    },
  }
}

const maxRequests: Check = {
  group,
  name: '--max-requests recycles workers without failing a request',
  timeoutMs: 60_000,
  async run(ctx) {
    const gu = await ctx.start({ workers: 2, args: ['--max-requests', '4', '--max-requests-jitter', '0', '--graceful-timeout', String(GRACEFUL)] })
    const first = gu.workerPids()
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      // Fresh connections, then one reused keep-alive connection.
      for (let i = 1; i <= 36; i++) {
        const outcome = await settle(request(`${gu.url}/pid`, { agent: i > 24 ? agent : false, timeoutMs: 10_000 }))
        if (!outcome.ok) fail(`request ${i} of 36 failed while workers recycled: ${describeError(outcome.error)}`)
        ensure(outcome.value.status === 200, `request ${i} of 36 got ${outcome.value.status} while workers recycled`)
      }
    } finally {
      agent.destroy()
    }
    const restarts = gu.output.match(/Autorestarting worker after current request/g)?.length ?? 0
    ensure(restarts >= 2, `36 requests with --max-requests 4 on 2 workers, but ${restarts} 'Autorestarting worker after current request' line(s)`)
    // A class that binds its own sockets serves on until its replacement has booted, so new pids may
    // appear only after the burst: what must hold is that the first workers go and new ones serve.
    const now = await gu.waitForWorkers(2, 10_000)
    ensure(now, `the arbiter did not settle back to 2 booted workers: ${gu.workerPids().length} alive`)
    ensure(!now.some((pid) => first.includes(pid)), `first-generation worker(s) ${now.filter((p) => first.includes(p)).join(', ')} still alive after 36 requests`)
    const after = await request(`${gu.url}/pid`, { timeoutMs: 10_000 })
    ensure(!first.includes(Number(after.text)), `after recycling, a first-generation worker (${after.text}) still answered`)
  },
}

const hupUnderLoad: Check = {
  group,
  name: 'HUP under a steady load fails no request and brings new workers',
  timeoutMs: 60_000,
  async run(ctx) {
    const gu = await ctx.start({ workers: 2, args: ['--graceful-timeout', String(GRACEFUL)] })
    const before = gu.workerPids()
    const load = startLoad(gu.url)
    let result
    try {
      await sleep(800)
      gu.signal('SIGHUP')
      const retired = await pollUntil(() => before.every((pid) => !isAlive(pid)), 15_000)
      ensure(retired, () => `old workers ${before.filter(isAlive).join(', ')} still alive 15s after HUP${/Reload failed/.test(gu.output) ? ' (the log says the reload failed)' : ''}`)
      await sleep(800)
    } finally {
      result = await load.stop()
    }
    const failed = Object.values(result.failures).reduce((a, b) => a + b, 0)
    const kinds = Object.entries(result.failures).map(([what, n]) => `${what} ×${n}`).join(', ')
    ensure(failed === 0, `${failed} of ${failed + result.ok} requests failed around HUP: ${kinds}`)
    const fresh = [...result.pids].filter((pid) => !before.includes(pid))
    ensure(fresh.length > 0, `${result.ok} requests around HUP, none served by a new worker`)
    const now = await gu.waitForWorkers(2, 10_000)
    ensure(now && now.every((pid) => !before.includes(pid)), 'the arbiter did not settle on 2 new workers after HUP')
  },
}

const usr1: Check = {
  group,
  name: 'USR1 reopens the access log',
  timeoutMs: 30_000,
  async run(ctx) {
    const logfile = ctx.file('access.log')
    const rotated = ctx.file('access.log.1')
    const gu = await ctx.start({ workers: 2, args: ['--access-logfile', logfile] })
    const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
    await request(`${gu.url}/pid?before`)
    ensure(await pollUntil(() => lines(logfile).some((l) => l.includes('/pid?before')), 3000), `no access-log line for GET /pid?before reached ${logfile}`)
    renameSync(logfile, rotated)
    gu.signal('SIGUSR1')
    // The arbiter forwards USR1 to each worker; ask until the reopened file has the line.
    const reopened = await pollUntil(async () => {
      await request(`${gu.url}/pid?after`)
      return lines(logfile).some((l) => l.includes('/pid?after'))
    }, 5000, 100)
    ensure(reopened, `5s after USR1, requests still went to the renamed file and no new ${logfile} was written`)
    ensure(!lines(logfile).some((l) => l.includes('/pid?before')), 'the reopened access log holds lines from before the rename')
    const rotatedCount = lines(rotated).length
    for (let i = 0; i < 10; i++) await request(`${gu.url}/pid?later`)
    const all = await pollUntil(() => lines(logfile).filter((l) => l.includes('/pid?later')).length === 10, 3000)
    ensure(all, `${10 - lines(logfile).filter((l) => l.includes('/pid?later')).length} of 10 lines after USR1 are missing from the new access log`)
    ensure(lines(rotated).length === rotatedCount, 'a worker kept writing to the renamed access log after USR1')
  },
}

const arbiterKilled: Check = {
  group,
  name: 'workers exit promptly when the arbiter is SIGKILLed',
  timeoutMs: 30_000,
  async run(ctx) {
    // A long graceful timeout: the workers must stop of their own accord, not by a runtime timer.
    const gu = await ctx.start({ workers: 2, args: ['--graceful-timeout', '20'] })
    const workers = gu.workerPids()
    gu.signal('SIGKILL')
    const gone = await pollUntil(() => workers.every((pid) => !isAlive(pid)), 4000)
    ensure(gone, () => `worker(s) ${workers.filter(isAlive).join(', ')} still running 4s after the arbiter was SIGKILLed: a worker must stop when its arbiter goes (worker.stopSignal aborts then)`)
  },
}

export const lifecycleChecks: readonly Check[] = [term, termStopsAccepting, quickStop('SIGINT'), quickStop('SIGQUIT'), maxRequests, hupUnderLoad, usr1, usr1UnderLoad, arbiterKilled]
