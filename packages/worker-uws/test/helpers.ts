// Real gu processes with this worker class, raw sockets, and a steady load, for the tests here.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
export const GU = resolve(here, '../node_modules/@gu/core/bin/gu.js')
export const UWS_CLASS = resolve(here, '../dist/index.js')
export const PACKAGE_DIR = resolve(here, '..')

const dirs: string[] = []
const running = new Set<GuProcess>()

/** A scratch directory with `files`; it resolves packages from this package (express, hono). */
export function appDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(PACKAGE_DIR, 'test', '.tmp-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  dirs.push(dir)
  return dir
}

export async function cleanup(): Promise<void> {
  await Promise.all([...running].map((gu) => gu.kill()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as net.AddressInfo
  await new Promise((r) => server.close(r))
  return port
}

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

export class GuProcess {
  readonly child: ChildProcess
  log = ''
  readonly exited: Promise<{ code: number | null; signal: string | null }>

  constructor(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
    const clean = { ...process.env, ...env }
    delete clean.PORT
    delete clean.WEB_CONCURRENCY
    delete clean.GU_CMD_ARGS
    this.child = spawn(process.execPath, [GU, ...args], { cwd, env: clean, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    this.child.stdout!.on('data', (d) => (this.log += d))
    this.child.stderr!.on('data', (d) => (this.log += d))
    this.exited = new Promise((r) => this.child.once('exit', (code, signal) => r({ code, signal })))
    running.add(this)
    void this.exited.then(() => running.delete(this))
  }

  get pid(): number {
    return this.child.pid!
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name)
  }

  /** Pids of workers that logged booting and are alive. */
  workers(): number[] {
    const pids = [...this.log.matchAll(/Booting worker with pid: (\d+)/g)].map((m) => Number(m[1]))
    return [...new Set(pids)].filter(alive)
  }

  async kill(): Promise<void> {
    try {
      process.kill(-this.pid, 'SIGKILL')
    } catch {}
    await Promise.race([this.exited, sleep(3000)])
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** gu with the uws class on a fresh port, once `workers` workers booted and a request is answered. */
export async function startGu(dir: string, app: string, extra: string[] = [], workers = 1): Promise<{ gu: GuProcess; port: number; url: string }> {
  const port = await freePort()
  const gu = new GuProcess([app, '-k', UWS_CLASS, '-b', `127.0.0.1:${port}`, '-w', String(workers), ...extra], dir)
  const url = `http://127.0.0.1:${port}`
  await until(`${workers} workers booted\n${gu.log}`, () => gu.workers().length >= workers)
  await until(`an answer\n${gu.log}`, () => get(url + '/').then(() => true, () => false))
  return { gu, port, url }
}

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
}

export function get(url: string, options: http.RequestOptions & { body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString() })
      })
      res.on('error', reject)
    })
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Keeps writing after the first bytes: `chunk` every `everyMs`, as a slow client does. */
export interface Trickle {
  chunk: string
  everyMs: number
}

/** Sends raw bytes (then a `trickle`, if given); resolves with what came back and whether the server closed, within `ms`. */
export function raw(port: number, bytes: string | Buffer, ms = 3000, trickle?: Trickle): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = net.connect(port, '127.0.0.1')
    let text = ''
    let settled = false
    const dripping = trickle ? setInterval(() => socket.write(trickle.chunk), trickle.everyMs) : undefined
    const done = (closed: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearInterval(dripping)
      socket.destroy()
      resolve({ text, closed, ms: Date.now() - started })
    }
    const timer = setTimeout(() => done(false), ms)
    socket.on('data', (d) => (text += d.toString('latin1')))
    socket.on('close', () => done(true))
    socket.on('error', () => {})
    socket.write(bytes)
  })
}

export interface LoadResult {
  ok: number
  errors: Record<string, number>
  pids: Map<number, number>
}

/** Request loops without pause: half on keep-alive connections, half on a new connection each. */
export function startLoad(url: string, concurrency = 8, path = '/'): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, errors: {}, pids: new Map() }
  let running = true
  const loop = async (i: number) => {
    const agent = i % 2 === 0 ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false
    for (let n = 1; running; n++) {
      try {
        const reply = await get(url + (n % 4 === 0 ? '/slow' : path), { agent })
        if (reply.status !== 200) throw new Error(`status ${reply.status}`)
        result.ok++
        const pid = Number(reply.text.split(' ').at(-1))
        result.pids.set(pid, (result.pids.get(pid) ?? 0) + 1)
      } catch (error) {
        const what = (error as NodeJS.ErrnoException).code ?? (error as Error).message
        result.errors[what] = (result.errors[what] ?? 0) + 1
      }
      await sleep(3)
    }
    if (agent) agent.destroy()
  }
  const done = Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)))
  return {
    stop: async () => {
      running = false
      await done
      return result
    },
  }
}
