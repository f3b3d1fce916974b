// Real gu arbiters running this worker class, for the HTTP/2 checks.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { type IncomingHttpHeaders, get } from 'node:http'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

const GU_BIN = join(dirname(createRequire(import.meta.url).resolve('@gu/core/package.json')), 'bin', 'gu.js')
/** The built class, as a user's `-k` would name it. */
const WORKER_CLASS = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
export const scratchFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'gu-h2c-')), name)
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export class Gu {
  output = ''
  readonly exited: Promise<Exit>
  constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.output += d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.output += d))
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal)
  }
  /** The arbiter and its workers, whatever state they are in: gu runs in its own process group. */
  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = this.output.match(pattern)
      if (match) return match
      if (Date.now() > deadline) throw new Error(`gu never logged ${pattern}; its output:\n${this.output}`)
      await sleep(25)
    }
  }
}

const started: Gu[] = []
afterEach(() => {
  for (const gu of started.splice(0)) gu.kill()
})

/** Starts gu with this class and `app`, and waits until a worker answers. */
export async function startGu(app: string, args: string[] = []): Promise<Gu> {
  const port = await freePort()
  const child = spawn(process.execPath, [GU_BIN, fixture(app), '-k', WORKER_CLASS, '-b', `127.0.0.1:${port}`, '-w', '1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const gu = new Gu(child, port)
  started.push(gu)
  await gu.waitFor(/Booting worker with pid/)
  for (let deadline = Date.now() + 10_000; ; await sleep(50)) {
    try {
      await http1Get(`${gu.url}/pid`)
      return gu
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`gu did not answer within 10s: ${error}\n${gu.output}`)
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** One HTTP/1.1 request on a connection of its own (`agent: false`: it closes after). */
export function http1Get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    }).on('error', reject)
  })
}
