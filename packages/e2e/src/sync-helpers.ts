// Helpers for the sync worker's end-to-end tests: its command line, an app that notices when two
// requests are ever in progress at once, raw-socket exchanges and request timing.
import net from 'node:net'
import { join } from 'node:path'
import { request, type Response } from './harness.js'
import { readLines, waitUntil } from './process-helpers.js'

/** Common arguments: the sync worker on an ephemeral loopback port. */
export function syncArgs(app = 'app.mjs:app', ...extra: string[]): string[] {
  return [app, '-k', 'sync', '-b', '127.0.0.1:0', ...extra]
}

/**
 * A node:http listener app that tracks how many of its requests are in progress at once (from the
 * moment the app is called until the response's 'close') and remembers the most it ever saw.
 * Every request appends `pid METHOD path?query` to `started.log` beside the app as it begins, so a
 * test can tell when (and in which worker) a request is under way. Answers `pid maxActive seen`:
 * - `/slow?ms=N`  after N ms (a timer)
 * - `/await?ms=N` after N ms spent over several awaits, the body written in two parts
 * - `/block?ms=N` after blocking the event loop for N ms
 * - `/hang`       never: returns a promise that never settles and never responds
 * - `/big?mb=N`   N MiB in 64 KiB chunks (chunk i filled with byte i % 256), honouring backpressure
 * - `/count`      (POST) once headers are sent on the first body chunk, then the byte count at end
 * - anything else at once.
 */
export const SYNC_APP = `
import { appendFileSync } from 'node:fs'
const STARTED = new URL('./started.log', import.meta.url)
let active = 0
let maxActive = 0
let seen = 0
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export function app(req, res) {
  active++
  seen++
  maxActive = Math.max(maxActive, active)
  res.on('close', () => active--)
  const url = new URL(req.url, 'http://x')
  appendFileSync(STARTED, process.pid + ' ' + req.method + ' ' + url.pathname + url.search + '\\n')
  const ms = Number(url.searchParams.get('ms') ?? 0)
  const summary = () => process.pid + ' ' + maxActive + ' ' + seen
  const reply = () => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(summary())
  }
  switch (url.pathname) {
    case '/slow':
      setTimeout(reply, ms)
      return
    case '/await':
      return (async () => {
        await pause(ms / 2)
        await Promise.resolve()
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('')
        await pause(ms / 2)
        res.end(summary())
      })()
    case '/block': {
      const end = Date.now() + ms
      while (Date.now() < end) {}
      reply()
      return
    }
    case '/hang':
      return new Promise(() => {})
    case '/big':
      return (async () => {
        const chunks = Number(url.searchParams.get('mb') ?? 1) * 16
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(chunks * 65536) })
        for (let i = 0; i < chunks; i++) {
          if (!res.write(Buffer.alloc(65536, i % 256))) await new Promise((resolve) => res.once('drain', resolve))
        }
        res.end()
      })()
    case '/count': {
      let bytes = 0
      let chunks = 0
      req.on('data', (d) => {
        if (chunks++ === 0) {
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.write('receiving\\n')
        }
        bytes += d.length
      })
      req.on('end', () => {
        if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(String(bytes))
      })
      return
    }
    default:
      reply()
  }
}
`

/** What SYNC_APP answers: `pid maxActive seen`. */
export interface SyncReply {
  pid: number
  maxActive: number
  seen: number
}

export function parseReply(body: string): SyncReply {
  const [pid, maxActive, seen] = body.trim().split(' ').map(Number)
  return { pid: pid!, maxActive: maxActive!, seen: seen! }
}

/** The requests SYNC_APP in `dir` has begun, as `{ pid, line }`. */
export function startedRequests(dir: string): Array<{ pid: number; line: string }> {
  return readLines(join(dir, 'started.log')).map((line) => ({ pid: Number(line.split(' ')[0]), line: line.split(' ').slice(1).join(' ') }))
}

/** Waits until SYNC_APP in `dir` has begun a request matching `line` (e.g. `GET /slow?ms=3000`); returns its worker's pid. */
export async function waitForStart(dir: string, line: string, timeoutMs = 5000): Promise<number> {
  const found = await waitUntil(`the app to begin ${line}`, () => startedRequests(dir).find((r) => r.line === line), timeoutMs, 10)
  return found.pid
}

/** A request that records when it settled, relative to `since`. */
export interface Timed {
  promise: Promise<Response>
  /** ms from `since` to the response's end (or the error), once settled. */
  settledAt: () => number | undefined
}

export function timedRequest(url: string, since: number, options: Parameters<typeof request>[1] = {}): Timed {
  let at: number | undefined
  const promise = request(url, options).finally(() => (at = Date.now() - since))
  promise.catch(() => {})
  return { promise, settledAt: () => at }
}

/** Sends raw bytes on one TCP connection; resolves with everything read until the server closes or `untilMs`. */
export function rawExchange(port: number, payload: string, untilMs = 3000): Promise<{ data: string; closedByServer: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const socket = net.connect(port, '127.0.0.1')
    let data = ''
    let closedByServer = false
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ data, closedByServer, ms: Date.now() - started })
    }
    const timer = setTimeout(done, untilMs)
    socket.setEncoding('latin1')
    socket.on('data', (d) => (data += d))
    socket.on('end', () => {
      closedByServer = true
      done()
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the response is still the server closing the connection.
      if (error.code === 'ECONNRESET' && data) {
        closedByServer = true
        done()
      } else {
        clearTimeout(timer)
        reject(error)
      }
    })
    socket.write(payload)
  })
}

/** The status lines of every HTTP response in a raw exchange. */
export function statusLines(data: string): string[] {
  return data.match(/^HTTP\/1\.[01] \d{3}[^\r\n]*/gm) ?? []
}
