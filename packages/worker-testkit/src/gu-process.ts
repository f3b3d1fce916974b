// One running `gu` arbiter with the class under test, and what can be read from the outside.
import type { ChildProcess } from 'node:child_process'
import type { FixtureApp } from './fixtures.js'
import { childPids, isAlive } from './procfs.js'
import { pollUntil } from './wait.js'

export interface StartOptions {
  /** The kit's `node` (default) or `fetch` fixture app, a WebSocket one (`ws-node`, `ws-fetch`), or any APP_MODULE as is. */
  app?: FixtureApp | { module: string }
  /** `-w`; 1 by default. */
  workers?: number
  /** More gu arguments (`--timeout 2` …). */
  args?: readonly string[]
  /** A config file's text: written to the scratch directory and passed with `-c`. */
  config?: string
  env?: Record<string, string>
}

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** When the arbiter exited (ms since the epoch). */
  readonly at: number
}

export class GuProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly url: string
  /** stdout and stderr as they arrived: gu's error log, and the access log when sent to `-`. */
  output = ''
  exit: Exit | undefined
  readonly exited: Promise<Exit>

  constructor(child: ChildProcess, port: number) {
    this.child = child
    this.port = port
    this.url = `http://127.0.0.1:${port}`
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.output += d))
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.output += d))
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve((this.exit = { code, signal, at: Date.now() })))
    })
  }

  get pid(): number {
    return this.child.pid!
  }

  /** Every worker pid the log says booted (`Booting worker with pid: N`), in order. */
  bootedPids(): number[] {
    return [...new Set([...this.output.matchAll(/Booting worker with pid: (\d+)/g)].map((m) => Number(m[1])))]
  }

  /** The arbiter's live child processes. */
  workerPids(): number[] {
    return childPids(this.pid).filter(isAlive)
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal)
  }

  waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray | undefined> {
    return pollUntil(() => this.output.match(pattern), timeoutMs, 25)
  }

  /** Waits until exactly `count` workers live and each logged that it booted; their pids, or undefined. */
  async waitForWorkers(count: number, timeoutMs: number): Promise<number[] | undefined> {
    // An exited arbiter ends the wait at once (`[]` is truthy), with nothing to show for it.
    const pids = await pollUntil(() => {
      if (this.exit) return []
      const booted = new Set(this.bootedPids())
      const live = this.workerPids()
      return live.length === count && live.every((pid) => booted.has(pid)) ? live : undefined
    }, timeoutMs)
    return pids && pids.length > 0 ? pids : undefined
  }

  /** The exit, or undefined if the arbiter still runs after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<Exit | undefined> {
    return pollUntil(() => this.exit, timeoutMs, 20)
  }

  /** The arbiter and every worker, at once: gu runs in its own process group. */
  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL')
    } catch {
      // The group is gone already.
    }
  }
}

/** ` (last error: …)`: the last error-level line gu wrote, to end a one-line reason; or nothing. */
export function lastError(gu: GuProcess): string {
  const lines = gu.output.split('\n').filter((l) => l.trim())
  const error = lines.filter((l) => /\[(ERROR|CRITICAL)\]|gu: error/.test(l)).at(-1)
  if (error) return ` (last error: ${error.trim()})`
  return lines.length > 0 ? ` (last output: ${lines.at(-1)!.trim()})` : ' (no output)'
}
