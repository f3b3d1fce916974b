// Runs real `gu` processes for the end-to-end tests and talks to them over real sockets.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const E2E_ROOT = resolve(here, '..')
export const GU_BIN = resolve(E2E_ROOT, '../core/bin/gu.js')
// One folder per test file's module instance, so concurrent runs never remove each other's apps.
const TMP_ROOT = join(E2E_ROOT, '.tmp', `${process.pid}-${randomUUID().slice(0, 8)}`)

/**
 * A scratch app directory inside this package, so `@gu/worker-async`, express, koa … resolve
 * from it through this package's node_modules. Removed by `cleanupApps()`.
 */
export function makeApp(files: Record<string, string>): string {
  mkdirSync(TMP_ROOT, { recursive: true })
  const dir = mkdtempSync(join(TMP_ROOT, 'app-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

export function cleanupApps(): void {
  rmSync(TMP_ROOT, { recursive: true, force: true })
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs gu to completion (for --check-config, bad flags …), killing it after `timeoutMs`. */
export function runGu(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  const child = spawnGu(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** `command`: what runs gu, when not `node gu.js` (e.g. `['prlimit', '--nofile=256:', node, GU_BIN]`). */
interface SpawnOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  command?: readonly string[]
}

function spawnGu(args: string[], options: SpawnOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  // Keep the test runner's own settings from leaking into the server under test.
  // NODE_PATH: pnpm's bin shims point it at every package of the store, which a user's gu never sees.
  for (const key of ['PORT', 'WEB_CONCURRENCY', 'GU_CMD_ARGS', 'NODE_PATH']) if (!(options.env && key in options.env)) delete env[key]
  const [command, ...prefix] = options.command ?? [process.execPath, GU_BIN]
  return spawn(command!, [...prefix, ...args], { cwd: options.cwd ?? E2E_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
}

/** A running gu arbiter. */
export class Gu {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  constructor(args: string[], options: SpawnOptions = {}) {
    this.child = spawnGu(args, options)
    this.child.stdout!.on('data', (d) => (this.stdout += d))
    this.child.stderr!.on('data', (d) => (this.stderr += d))
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })))
    running.add(this)
  }

  get pid(): number {
    return this.child.pid!
  }

  get log(): string {
    return this.stdout + this.stderr
  }

  /** Waits until the combined output matches; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = this.log.match(pattern)
      if (match) return match
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${this.log}`)
      if (this.child.exitCode !== null) throw new Error(`gu exited (${this.child.exitCode}) before ${pattern}; output:\n${this.log}`)
      await sleep(25)
    }
  }

  /** The first TCP address gu logged as listening: `http://127.0.0.1:PORT`. */
  async url(): Promise<string> {
    const match = await this.waitFor(/Listening at: (http:\/\/\S+) /)
    return match[1]!
  }

  /** Waits until `count` workers are alive and have logged that they booted. */
  async waitForWorkers(count: number, timeoutMs = 15_000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      // The text error log, or its JSON lines (--log-format json).
      const booted = new Set([...this.log.matchAll(/\[(\d+)\] \[INFO\] Booting worker with pid: \d+|"pid":(\d+),"message":"Booting worker with pid: \d+/g)].map((m) => Number(m[1] ?? m[2])))
      const pids = this.workerPids().filter((pid) => booted.has(pid))
      if (pids.length === count && this.workerPids().length === count) {
        // Booting is logged just before the worker listens: give it a moment to be serving.
        await sleep(150)
        return pids
      }
      if (Date.now() > deadline) throw new Error(`expected ${count} workers, have ${this.workerPids().length}; output:\n${this.log}`)
      if (this.child.exitCode !== null) throw new Error(`gu exited (${this.child.exitCode}); output:\n${this.log}`)
      await sleep(50)
    }
  }

  /** The arbiter's live child processes (Linux /proc), by their process title. */
  workerPids(): number[] {
    return childPids(this.pid).filter((pid) => readCmdline(pid).startsWith('gu: worker'))
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal)
  }

  /** Sends TERM (or the given signal) and waits for the arbiter to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    const timer = setTimeout(() => this.kill(), timeoutMs)
    const result = await this.exited
    clearTimeout(timer)
    running.delete(this)
    return result
  }

  /** Kills the arbiter and every worker at once (test cleanup). */
  kill(): void {
    for (const pid of this.workerPids()) tryKill(pid, 'SIGKILL')
    tryKill(this.pid, 'SIGKILL')
  }
}

const running = new Set<Gu>()

/** Kills every gu a test left running: call from afterEach. */
export async function killAll(): Promise<void> {
  for (const gu of running) {
    gu.kill()
    await gu.exited
  }
  running.clear()
}

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {}
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export interface Response {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * One HTTP request on a fresh connection (no agent), so every request is a new TCP connection
 * unless `agent` is given. `socketPath` talks to a unix socket.
 */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; socketPath?: string; agent?: http.Agent; timeoutMs?: number } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, socketPath: options.socketPath, agent: options.agent ?? false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error(`request to ${url} timed out`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Waits until `url` answers at all (any status). */
export async function waitForHttp(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await request(url, { timeoutMs: 1000 })
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(50)
    }
  }
}

/** A node:http listener app answering with its pid, and `/slow?ms=N` after N milliseconds. */
export const PID_APP = `
export function app(req, res) {
  const url = new URL(req.url, 'http://x')
  const ms = Number(url.searchParams.get('ms') ?? 0)
  const reply = () => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(String(process.pid))
  }
  if (url.pathname === '/slow') setTimeout(reply, ms)
  else if (url.pathname === '/block') { const end = Date.now() + ms; while (Date.now() < end) {} reply() }
  else reply()
}
`

/** Common arguments: the async worker on an ephemeral loopback port. */
export function asyncArgs(app = 'app.mjs:app', ...extra: string[]): string[] {
  return [app, '-k', 'async', '-b', '127.0.0.1:0', ...extra]
}
