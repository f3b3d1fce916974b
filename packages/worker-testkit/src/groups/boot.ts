// boot: the worker tells the arbiter it serves, stays alive while idle, and fails to boot with
// the exit codes that halt the arbiter (3: worker boot error, 4: app load error).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ensure, fail } from '../ensure.js'
import { FIXTURES_DIR } from '../fixtures.js'
import { type GuProcess, lastError } from '../gu-process.js'
import { servedBy } from '../http-client.js'
import type { Check } from '../types.js'
import { describeError, pollUntil, sleep } from '../wait.js'

const group = 'boot'

const reportsReady: Check = {
  group,
  name: 'the worker reports ready and serves',
  timeoutMs: 30_000,
  async run(ctx) {
    // The arbiter runs whenReady once every worker has sent `booted`, i.e. called worker.ready().
    const readyFile = ctx.file('ready')
    const config = `import { writeFileSync } from 'node:fs'\nexport default { whenReady() { writeFileSync(${JSON.stringify(readyFile)}, 'ready') } }\n`
    const gu = await ctx.spawn({ workers: 2, config })
    const pids = await gu.waitForWorkers(2, 15_000)
    if (!pids) {
      if (gu.exit) fail(`the arbiter exited with code ${gu.exit.code} before 2 workers booted${lastError(gu)}`)
      fail(`the arbiter never logged 'Booting worker with pid: N' for 2 workers within 15s${lastError(gu)}`)
    }
    const deadline = Date.now() + 10_000
    let pid: number | undefined
    let lastFailure = ''
    while (pid === undefined && Date.now() < deadline) {
      try {
        pid = await servedBy(gu.url, { timeoutMs: 2000 })
      } catch (error) {
        lastFailure = describeError(error as Error)
        await sleep(100)
      }
    }
    ensure(pid !== undefined, `the workers booted but no request was answered within 10s (last: ${lastFailure})`)
    ensure(pids.includes(pid), `/pid answered ${pid}, not one of the booted workers (${pids.join(', ')})`)
    const ready = await pollUntil(() => existsSync(readyFile), 5000)
    ensure(
      ready,
      "the worker never reported ready: it serves, but the arbiter's whenReady hook did not run within 5s (call worker.ready() once, after every socket listens)",
    )
  },
}

const heartbeat: Check = {
  group,
  name: 'the heartbeat keeps an idle worker alive past --timeout',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ args: ['--timeout', '2'] })
    const [pid] = gu.workerPids()
    await sleep(4000)
    const timedOut = gu.output.match(/WORKER TIMEOUT \(pid:(\d+)\)/)
    ensure(
      !timedOut,
      () => `the idle worker was killed for missing its heartbeat ('${timedOut![0]}' under --timeout 2): it must call worker.ready(), and never block its event loop while idle`,
    )
    const now = gu.workerPids()
    ensure(now.length === 1 && now[0] === pid, `the idle worker ${pid} did not last 4s under --timeout 2: workers now ${now.join(', ') || 'none'}`)
    const served = await servedBy(gu.url)
    ensure(served === pid, `after 4s idle, /pid was served by ${served}, not the original worker ${pid}`)
  },
}

const bootFailure: Check = {
  group,
  name: 'a worker that fails to boot halts the arbiter with exit 3',
  timeoutMs: 30_000,
  async run(ctx) {
    const config = "export default { postWorkerInit() { throw new Error('testkit: postWorkerInit fails on purpose') } }\n"
    const gu = await ctx.spawn({ workers: 2, config })
    await expectExit(gu, 3, 'a postWorkerInit hook that throws (a worker boot error)')
    ensure(/Worker failed to boot/.test(gu.output), "exit 3, but the log does not say 'Worker failed to boot'")
  },
}

const appLoadFailure: Check = {
  group,
  name: 'an app that fails to load halts the arbiter with exit 4, naming the module',
  timeoutMs: 30_000,
  async run(ctx) {
    const missing = ctx.file('no-such-app.mjs')
    const gone = await ctx.spawn({ workers: 2, app: { module: `${missing}:app` } })
    await expectExit(gone, 4, 'a missing app module (an app load error)')
    ensure(/no-such-app/.test(gone.output), `exit 4, but no log line names the missing module no-such-app.mjs${lastError(gone)}`)

    const noExport = await ctx.spawn({ workers: 2, app: { module: `${join(FIXTURES_DIR, 'node-app.mjs')}:noSuchExport` } })
    await expectExit(noExport, 4, 'an app module without the named export (an app load error)')
    ensure(/noSuchExport/.test(noExport.output), `exit 4, but no log line names the missing export noSuchExport${lastError(noExport)}`)
  },
}

async function expectExit(gu: GuProcess, code: number, cause: string): Promise<void> {
  const exit = await gu.waitForExit(15_000)
  ensure(exit, `the arbiter was still running 15s after ${cause}; expected it to exit ${code}`)
  ensure(exit.code === code, `the arbiter exited with ${exit.code ?? exit.signal} after ${cause}; expected ${code}${lastError(gu)}`)
}

export const bootChecks: readonly Check[] = [reportsReady, heartbeat, bootFailure, appLoadFailure]
