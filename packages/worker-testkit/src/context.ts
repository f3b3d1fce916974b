// What one check runs in: a scratch directory and the gu processes it starts, all cleaned up after.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureAppModule } from './fixtures.js'
import { freePort } from './free-port.js'
import { guBin } from './gu-bin.js'
import { GuProcess, type StartOptions, lastError } from './gu-process.js'
import { getText } from './http-client.js'
import type { CheckContext, ClassInfo } from './types.js'
import { describeError, sleep, within } from './wait.js'

// The runner's own settings must not leak into the servers under test.
const SCRUBBED_ENV = ['PORT', 'WEB_CONCURRENCY', 'GU_CMD_ARGS']

/**
 * Every gu still running, across checks. Each runs in its own process group, out of reach of a
 * Ctrl-C meant for the kit, so the kit kills them itself if it exits early.
 */
const running = new Set<GuProcess>()
let exitHooked = false

/** Kills every gu the kit started and has not cleaned up yet (synchronous: safe in 'exit'). */
export function killRunning(): void {
  for (const gu of running) gu.kill()
  running.clear()
}

export class RunContext implements CheckContext {
  readonly workerClass: ClassInfo
  readonly #env: Record<string, string>
  #dir: string | undefined
  readonly #started: GuProcess[] = []

  constructor(workerClass: ClassInfo, env: Record<string, string> = {}) {
    this.workerClass = workerClass
    this.#env = env
  }

  /** Made on first use; gu runs in it, so no config file of the project around is picked up. */
  get #scratch(): string {
    return (this.#dir ??= mkdtempSync(join(tmpdir(), 'gu-testkit-')))
  }

  file(name: string, text?: string): string {
    const path = join(this.#scratch, name)
    if (text !== undefined) writeFileSync(path, text)
    return path
  }

  async spawn(options: StartOptions = {}): Promise<GuProcess> {
    const port = await freePort()
    const app = options.app === undefined || typeof options.app === 'string' ? fixtureAppModule(options.app ?? 'node') : options.app.module
    const args = [guBin(), app, '-k', this.workerClass.file, '-b', `127.0.0.1:${port}`, '-w', String(options.workers ?? 1)]
    if (options.config !== undefined) args.push('-c', this.file(`testkit-config-${this.#started.length}.mjs`, options.config))
    args.push(...(options.args ?? []))
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.#env, ...options.env }
    for (const key of SCRUBBED_ENV) if (!(options.env && key in options.env)) delete env[key]
    // Its own process group, so the arbiter and every worker it ever forked die together at the end.
    const child = spawn(process.execPath, args, { cwd: this.#scratch, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    const gu = new GuProcess(child, port)
    this.#started.push(gu)
    running.add(gu)
    if (!exitHooked) {
      process.on('exit', killRunning)
      exitHooked = true
    }
    return gu
  }

  async start(options: StartOptions = {}): Promise<GuProcess> {
    const gu = await this.spawn(options)
    await waitUntilServing(gu, options.workers ?? 1)
    return gu
  }

  /** Each gu's output, for the report of a failed check. */
  outputs(): string {
    return this.#started.map((gu, i) => `--- gu #${i + 1} (pid ${gu.pid}) ---\n${gu.output.trimEnd()}`).join('\n')
  }

  /** Kills everything the check started and removes its scratch directory. */
  async cleanup(): Promise<void> {
    for (const gu of this.#started) gu.kill()
    await Promise.all(this.#started.map((gu) => within(3000, gu.exited)))
    for (const gu of this.#started) running.delete(gu)
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true })
  }
}

/** Booted (as the log says) and answering: what every check that serves waits for first. */
async function waitUntilServing(gu: GuProcess, workers: number): Promise<void> {
  const pids = await gu.waitForWorkers(workers, 15_000)
  if (!pids) {
    if (gu.exit) throw new Error(`gu exited with code ${gu.exit.code} before ${workers} worker(s) booted${lastError(gu)}`)
    const booted = gu.bootedPids().length
    throw new Error(`${workers} worker(s) did not boot within 15s: the arbiter logged ${booted} 'Booting worker with pid' line(s)${lastError(gu)}`)
  }
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      await getText(`${gu.url}/pid`, { timeoutMs: 2000 })
      return
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no request was answered within 10s of the workers booting (last: ${describeError(error as Error)})`)
      await sleep(50)
    }
  }
}
