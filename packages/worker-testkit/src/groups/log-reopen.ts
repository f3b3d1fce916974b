// lifecycle, USR1 under load: logrotate moves the access log and sends USR1 while clients keep
// requesting. Every answered request must have exactly one line, in the old file or the new one,
// and every worker must move to the new file.
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs'
import http from 'node:http'
import { ensure, show } from '../ensure.js'
import { request } from '../http-client.js'
import type { Check } from '../types.js'
import { describeError, pollUntil, sleep } from '../wait.js'

const CLIENTS = 4
/** The request's id and the pid of the worker that logged it. */
const FORMAT = '%(q)s %(p)s'

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
}

/** `id=N` lines only: the kit's start-up probe has no query. */
function logged(file: string): Array<{ id: number; pid: string }> {
  return lines(file).flatMap((line) => {
    const match = /^id=(\d+) (\S+)$/.exec(line)
    return match ? [{ id: Number(match[1]), pid: match[2]! }] : []
  })
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0
}

export const usr1UnderLoad: Check = {
  group: 'lifecycle',
  name: 'USR1 under load: the moved access log loses no line, and every worker moves to the new file',
  timeoutMs: 60_000,
  async run(ctx) {
    const logfile = ctx.file('access.log')
    const rotated = ctx.file('access.log.1')
    const gu = await ctx.start({ workers: 2, args: ['--access-logfile', logfile, '--access-logformat', FORMAT] })
    let next = 0
    let running = true
    const served: number[] = []
    const failures: string[] = []
    // Half the clients keep one connection, half open a new one per request, so both workers get some.
    const loop = async (index: number) => {
      const agent = index % 2 === 0 ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false
      while (running) {
        const id = next++
        try {
          const res = await request(`${gu.url}/pid?id=${id}`, { agent, timeoutMs: 10_000 })
          if (res.status === 200) served.push(id)
          else failures.push(`id=${id}: status ${res.status}`)
        } catch (error) {
          failures.push(`id=${id}: ${describeError(error as Error)}`)
        }
        await sleep(2)
      }
      if (agent) agent.destroy()
    }
    const clients = Promise.all(Array.from({ length: CLIENTS }, (_, i) => loop(i)))
    let workersBefore: Set<string>
    let movedAll: boolean
    let oldGrewAfter: number
    try {
      // Load first, with every worker having logged some of it.
      const warm = await pollUntil(() => served.length >= 50 && new Set(logged(logfile).map((l) => l.pid)).size >= 2, 15_000)
      ensure(warm, `before the rotation, ${served.length} requests answered and ${new Set(logged(logfile).map((l) => l.pid)).size} worker(s) logged in 15s; expected 50 and 2`)
      renameSync(logfile, rotated)
      gu.signal('SIGUSR1')
      workersBefore = new Set(logged(rotated).map((l) => l.pid))
      // The load goes on until each worker that served before has written to the new file.
      movedAll = !!(await pollUntil(() => {
        const now = new Set(logged(logfile).map((l) => l.pid))
        return [...workersBefore].every((pid) => now.has(pid))
      }, 15_000))
      // From then on the old file must not grow: nobody writes to it any more.
      const oldSize = sizeOf(rotated)
      await sleep(300)
      oldGrewAfter = sizeOf(rotated) - oldSize
    } finally {
      running = false
      await clients
    }
    ensure(failures.length === 0, () => `${failures.length} request(s) failed around USR1: ${show(failures.slice(0, 5).join(', '), 200)}`)
    const newPids = new Set(logged(logfile).map((l) => l.pid))
    ensure(movedAll, () => `15s after USR1, worker(s) ${[...workersBefore].filter((pid) => !newPids.has(pid)).join(', ')} had written nothing to the new ${logfile} (they logged before the rotation, and the load went on)`)
    ensure(oldGrewAfter === 0, `the moved access log grew by ${oldGrewAfter} bytes after every worker had written to the new file: a worker writes to both`)
    // Every answered request has its line by now (the log is written asynchronously): wait for the count.
    const count = () => logged(rotated).length + logged(logfile).length
    await pollUntil(() => count() >= served.length, 5000)
    await sleep(200)
    const seen = new Map<number, number>()
    for (const { id } of [...logged(rotated), ...logged(logfile)]) seen.set(id, (seen.get(id) ?? 0) + 1)
    const missing = served.filter((id) => !seen.has(id))
    const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id)
    ensure(missing.length === 0, `${missing.length} of ${served.length} answered requests have no access-log line in either file (ids ${show(missing.slice(0, 10).join(', '))}): lines were lost in the reopen`)
    ensure(twice.length === 0, `${twice.length} request(s) were logged twice across the two files (ids ${show(twice.slice(0, 10).join(', '))})`)
  },
}
