// A small, bounded load generator for the zero-downtime tests (reload, WINCH, in-place upgrade),
// and helpers to find and clean up a second arbiter started by USR2.
import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { childPids, sleep } from './harness.js'

export interface LoadOptions {
  /** Concurrent request loops; half reuse keep-alive connections, half open a new one each time. */
  concurrency?: number
  /** The loops stop by themselves after this long. */
  durationMs?: number
  /** Pause between two requests of one loop, so the server's processes still get the CPU. */
  pauseMs?: number
  /** Every `slowEvery`-th request asks `/slow?ms=slowMs`, so some requests are in flight at any time. */
  slowEvery?: number
  slowMs?: number
  /** A request that takes longer fails (a WINCH-to-TTIN gap is well under this). */
  timeoutMs?: number
  /** Unix socket to talk to instead of the URL's host and port. */
  socketPath?: string
}

export interface LoadResult {
  ok: number
  failed: number
  /** Each failure, counted by what went wrong: `ECONNRESET`, `status 502`, `timeout` … */
  errors: Record<string, number>
  /** How many responses carried each body. */
  bodies: Record<string, number>
  /** The bodies in the order the responses arrived. */
  sequence: string[]
}

export interface Load {
  readonly done: Promise<LoadResult>
  /** Stops the loops early (they stop by themselves after `durationMs`). */
  stop(): Promise<LoadResult>
  /** Responses so far. */
  readonly okSoFar: number
}

/**
 * Starts `concurrency` request loops against `url`. Keep-alive loops each own an agent with one
 * connection, reused at once after each response, so a connection is never idle long enough to
 * meet the server's keep-alive timeout (reusing a connection just as the server closes it for
 * being idle is a client-side race any keep-alive server has; Node's agent doesn't avoid it).
 * The agent also drops a connection idle for over a second, should a loop ever stall.
 */
export function startLoad(url: string, options: LoadOptions = {}): Load {
  const { concurrency = 8, durationMs = 3000, pauseMs = 5, slowEvery = 4, slowMs = 100, timeoutMs = 15_000, socketPath } = options
  const result: LoadResult = { ok: 0, failed: 0, errors: {}, bodies: {}, sequence: [] }
  let running = true
  const timer = setTimeout(() => (running = false), durationMs)
  const fail = (what: string) => {
    result.failed++
    result.errors[what] = (result.errors[what] ?? 0) + 1
  }
  const loop = async (index: number) => {
    const keepAlive = index % 2 === 0
    const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1, timeout: 1000 }) : false
    for (let n = 1; running; n++) {
      const path = n % slowEvery === 0 ? `/slow?ms=${slowMs}` : '/'
      try {
        const body = await get(new URL(path, url).href, agent, timeoutMs, socketPath)
        result.ok++
        result.bodies[body] = (result.bodies[body] ?? 0) + 1
        result.sequence.push(body)
      } catch (error) {
        fail((error as NodeJS.ErrnoException).code ?? (error as Error).message)
      }
      if (pauseMs > 0) await sleep(pauseMs)
    }
    if (agent) agent.destroy()
  }
  const done = Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i))).then(() => {
    clearTimeout(timer)
    return result
  })
  return {
    done,
    stop: () => {
      running = false
      return done
    },
    get okSoFar() {
      return result.ok
    },
  }
}

/** GET `url`; resolves with the body of a 200 and rejects with why anything else happened. */
function get(url: string, agent: http.Agent | false, timeoutMs: number, socketPath: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, socketPath }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => (res.statusCode === 200 ? resolve(body.split(' ')[0]!) : reject(new Error(`status ${res.statusCode}`))))
      res.on('error', reject)
      res.on('aborted', () => reject(new Error('response aborted')))
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

/** An app whose responses say which version of the file served them: `v1 <pid>`, with `/slow?ms=N`. */
export function versionApp(version: string): string {
  return `
export function app(req, res) {
  const url = new URL(req.url, 'http://x')
  const reply = () => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(${JSON.stringify(version)} + ' ' + process.pid)
  }
  if (url.pathname === '/slow') setTimeout(reply, Number(url.searchParams.get('ms') ?? 0))
  else reply()
}
`
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}

/** The live worker processes of the arbiter `pid` (Linux /proc). */
export function workersOf(pid: number): number[] {
  return childPids(pid).filter((child) => readCmdline(child).startsWith('gu: worker'))
}

/** Waits until the arbiter `pid` has `count` workers that logged that they booted. */
export async function waitForWorkersOf(pid: number, count: number, log: () => string, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const booted = new Set([...log().matchAll(/\[(\d+)\] \[INFO\] Booting worker with pid: \d+/g)].map((m) => Number(m[1])))
    const pids = workersOf(pid)
    if (pids.length === count && pids.every((p) => booted.has(p))) {
      await sleep(150)
      return pids
    }
    if (Date.now() > deadline) throw new Error(`expected ${count} workers of ${pid}, have ${pids.length}; output:\n${log()}`)
    await sleep(50)
  }
}

/** The pid in a pidfile, or undefined while there is none. */
export function readPid(file: string): number | undefined {
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined
}

/** Kills every arbiter in `pids` (arbiters the harness didn't start, such as USR2's) and empties it. */
export function killArbiters(pids: Set<number>): void {
  for (const pid of pids) killArbiter(pid)
  pids.clear()
}

/** Kills an arbiter and its workers at once (cleanup of an arbiter the harness didn't start). */
export function killArbiter(pid: number): void {
  for (const child of workersOf(pid)) tryKill(child)
  tryKill(pid)
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {}
}
