// Real gu arbiters for this package's tests: spawned in their own process group, killed after.
import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const PACKAGE_DIR = resolve(here, '..')
export const FIXTURES = join(here, 'fixtures')
export const THREADS_CLASS = join(PACKAGE_DIR, 'dist/index.js')
const GU_BIN = join(PACKAGE_DIR, 'node_modules/@gu/core/bin/gu.js')

export interface Response {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  /** ms from sending to the complete response. */
  ms: number
}

export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Response> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text, ms: Date.now() - started }))
      res.on('error', reject)
    })
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end(options.body)
  })
}

export class Gu {
  readonly child: ChildProcess
  readonly url: string
  output = ''

  constructor(args: string[], port: number, env: Record<string, string>) {
    this.url = `http://127.0.0.1:${port}`
    this.child = spawn(process.execPath, [GU_BIN, ...args, '-b', `127.0.0.1:${port}`], {
      cwd: FIXTURES,
      env: { ...scrubbed(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.output += d))
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.output += d))
  }

  /** Worker pids the log says booted. */
  get workerPids(): number[] {
    return [...this.output.matchAll(/Booting worker with pid: (\d+)/g)].map((m) => Number(m[1]))
  }

  /** Waits for the log to match: log lines are written asynchronously, so one may follow the response it is about. */
  async waitForOutput(pattern: RegExp, timeoutMs = 5000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; !pattern.test(this.output); await sleep(25)) {
      if (Date.now() > deadline) throw new Error(`the log never matched ${pattern}:\n${this.output}`)
    }
  }

  async waitServing(): Promise<void> {
    const deadline = Date.now() + 20_000
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`gu exited ${this.child.exitCode}:\n${this.output}`)
      try {
        const res = await request(`${this.url}/pid`, { timeoutMs: 2000 })
        if (res.status < 500) return
      } catch {}
      if (Date.now() > deadline) throw new Error(`gu did not serve within 20s:\n${this.output}`)
      await sleep(100)
    }
  }

  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve()
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    try {
      process.kill(-this.child.pid!, 'SIGKILL')
    } catch {}
    return exited
  }
}

const started: Gu[] = []

/** gu serving `app` (a file in test/fixtures) with worker class `workerClass`, once it answers. */
export async function startGu(app: string, options: { workerClass?: string; args?: string[]; env?: Record<string, string> } = {}): Promise<Gu> {
  const gu = new Gu([app, '-k', options.workerClass ?? THREADS_CLASS, '-w', '1', ...(options.args ?? [])], await freePort(), options.env ?? {})
  started.push(gu)
  await gu.waitServing()
  return gu
}

export async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((gu) => gu.kill()))
}

function scrubbed(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of ['PORT', 'WEB_CONCURRENCY', 'GU_CMD_ARGS']) delete env[key]
  return env
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
