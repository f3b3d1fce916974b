// Helpers the arbiter/worker end-to-end tests need beyond harness.ts: spawning gu with extra
// inherited descriptors, polling, and hook-recording config files.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import net from 'node:net'
import { GU_BIN, E2E_ROOT, childPids, sleep } from './harness.js'

/** Polls `check` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<Awaited<T>>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** Resolves with how long `promise` took to settle, or rejects after `ms`. */
export async function within<T>(ms: number, promise: Promise<T>, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms}ms`)), ms)))
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The error code of a rejected promise (`ECONNREFUSED`, `ECONNRESET` …), or 'ok' if it resolved. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message
  }
}

/** Every address gu logged as `Listening at: …`. */
export function listeningAt(log: string): string[] {
  return [...log.matchAll(/Listening at: (\S+) \(\d+\)/g)].map((m) => m[1]!)
}

/** A listening TCP socket on loopback, made by the test itself (for `fd://N`). */
export async function listeningSocket(): Promise<{ server: net.Server; fd: number; port: number }> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd
  return { server, fd, port: (server.address() as net.AddressInfo).port }
}

/**
 * A gu arbiter spawned with extra inherited descriptors: `fds[n]` becomes the child's descriptor n
 * (n >= 3). The harness's `Gu` can't do this, so this is its small twin for fd:// binds.
 */
export class GuWithFds {
  readonly child: ChildProcess
  log = ''
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  constructor(args: string[], options: { cwd: string; fds: Record<number, number> }) {
    const env: NodeJS.ProcessEnv = { ...process.env }
    for (const key of ['PORT', 'WEB_CONCURRENCY', 'GU_CMD_ARGS']) delete env[key]
    const top = Math.max(2, ...Object.keys(options.fds).map(Number))
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe']
    for (let n = 3; n <= top; n++) stdio.push(options.fds[n] ?? 'ignore')
    this.child = spawn(process.execPath, [GU_BIN, ...args], { cwd: options.cwd ?? E2E_ROOT, env, stdio })
    this.child.stdout!.on('data', (d) => (this.log += d))
    this.child.stderr!.on('data', (d) => (this.log += d))
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })))
  }

  get pid(): number {
    return this.child.pid!
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    return waitUntil(`${pattern} in gu's output:\n${this.log}`, () => this.log.match(pattern), timeoutMs)
  }

  kill(): void {
    for (const pid of childPids(this.pid)) tryKill(pid)
    tryKill(this.pid)
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {}
}

/**
 * A `gu.config.mjs` whose hooks each append `name` (and a detail) as one line to `file`,
 * so a test can assert which hooks ran, in which process, in what order.
 */
export function hookRecorderConfig(file: string, names: readonly string[], extra = ''): string {
  const hooks = names.map((name) => `  ${name}: (...args) => record(${JSON.stringify(name)}, args),`).join('\n')
  return `import { appendFileSync } from 'node:fs'
const detail = (args) => args.map((a) => (a === null || typeof a !== 'object' ? String(a) : a.pid !== undefined ? 'pid=' + a.pid : '')).join(' ')
const record = (name, args) => appendFileSync(${JSON.stringify(file)}, name + ' ' + process.pid + ' ' + detail(args) + '\\n')
export default {
${hooks}
${extra}
}
`
}

/** The lines of a file, or [] while it doesn't exist. */
export function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
}
