// Runs the app under a real `gu` (the one this package depends on, as a user's npx gu would)
// from the app's directory, so its gu.config.ts applies, on an ephemeral loopback port.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const GU_BIN = join(dirname(createRequire(join(APP_DIR, 'package.json')).resolve('@gu/core/package.json')), 'bin/gu.js')

export function tempDir(prefix = 'attendance-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export class GuProcess {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  readonly exited: Promise<number | null>

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    const base: NodeJS.ProcessEnv = { ...process.env }
    // The test runner's own settings must not leak into the server under test.
    for (const key of ['PORT', 'WEB_CONCURRENCY', 'GU_CMD_ARGS', 'NODE_PATH', 'DATABASE_URL', 'REDIS_URL', 'CONFIG_FILE']) delete base[key]
    this.child = spawn(process.execPath, [GU_BIN, ...args], { cwd: APP_DIR, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stdout!.on('data', (d) => (this.stdout += d))
    this.child.stderr!.on('data', (d) => (this.stderr += d))
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)))
    running.add(this)
  }

  get log(): string {
    return this.stdout + this.stderr
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = this.log.match(pattern)
      if (match) return match
      if (this.child.exitCode !== null) throw new Error(`gu exited (${this.child.exitCode}) before ${pattern}:\n${this.log}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.log}`)
      await sleep(25)
    }
  }

  /** The URL gu listens at, once `workers` workers have booted and answer. */
  async ready(workers = 1): Promise<string> {
    const url = (await this.waitFor(/Listening at: (http:\/\/\S+) /))[1]!
    const deadline = Date.now() + 30_000
    while ([...this.log.matchAll(/Booting worker with pid: (\d+)/g)].length < workers) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`expected ${workers} workers:\n${this.log}`)
      await sleep(25)
    }
    // Generous: under -k threads every thread loads the app (TypeScript) before the first answer.
    await waitUntil('the app to answer', async () => (await fetch(`${url}/api/v1/attendance/health`).catch(() => undefined))?.ok, 90_000)
    return url
  }

  workerPids(): number[] {
    try {
      return readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
    } catch {
      return []
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.kill(), 20_000)
    const code = await this.exited
    clearTimeout(timer)
    running.delete(this)
    return code
  }

  kill(): void {
    for (const pid of this.workerPids()) tryKill(pid)
    tryKill(this.child.pid!)
  }
}

const running = new Set<GuProcess>()
const dirs: string[] = []

/** afterEach: kill whatever a test left running. */
export async function killAll(): Promise<void> {
  for (const gu of running) {
    gu.kill()
    await gu.exited
  }
  running.clear()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A temp dir removed by killAll(). */
export function scratchDir(): string {
  const dir = tempDir()
  dirs.push(dir)
  return dir
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {}
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}

/** Polls `check` until it returns something truthy, and returns that. */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<Exclude<Awaited<T>, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as Exclude<Awaited<T>, false | null | undefined | 0 | ''>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/**
 * A loopback port free right now. `-k uws` workers bind their addresses themselves, so port 0
 * would give each worker a port of its own: such tests name a real port.
 */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}
