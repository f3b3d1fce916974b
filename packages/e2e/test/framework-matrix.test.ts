// The framework matrix: Express 5, Fastify 5, Koa and Hono 4 apps served by their framework's own
// listen() and by gu under every worker class, compared request by request (status, headers
// but Date and the connection's own, body) on routes, bodies, streaming and SSE, HEAD and 304,
// cookies, redirects, errors, the client address and a client that aborts.
import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Gu, killAll, sleep, waitForHttp } from '../src/harness.js'

const DIR = join(import.meta.dirname, 'frameworks')
const FRAMEWORKS = { express: 'express-app.mjs:app', fastify: 'fastify-app.mjs', koa: 'koa-app.mjs', hono: 'hono-app.mjs' } as const
const CLASSES = ['sync', 'async', 'threads', 'uws'] as const
// Headers that belong to the connection, the moment or the server, not to the app's answer
// (uWS names itself in every response, as other servers do with Server).
const IGNORED = new Set(['date', 'connection', 'keep-alive', 'uwebsockets'])

/**
 * Framing is the server's choice, not the app's: gu sends Content-Length where the body's length
 * is known (as Bun and Deno do) where @hono/node-server sends an empty body chunked. The body is
 * compared whole; a Content-Length only where the framework's own server sent one too.
 */
function comparable(answer: Answer, reference: Answer): Answer {
  const headers = { ...answer.headers }
  // A Response's default text type is 'text/plain;charset=UTF-8' by the Fetch spec (undici, Bun,
  // Deno, gu); @hono/node-server's own Response writes it with a space.
  if (headers['content-type'] && reference.headers['content-type']?.replace('; ', ';') === headers['content-type']) headers['content-type'] = reference.headers['content-type']
  delete headers['transfer-encoding']
  if (!('content-length' in reference.headers)) delete headers['content-length']
  return { ...answer, headers }
}

function withoutFraming(answer: Answer): Answer {
  const headers = { ...answer.headers }
  delete headers['transfer-encoding']
  return { ...answer, headers }
}

interface Sent {
  name: string
  path: string
  method?: string
  body?: string
  headers?: Record<string, string>
}

const REQUESTS: readonly Sent[] = [
  { name: 'JSON with a query', path: '/hello?x=1' },
  { name: 'HEAD', path: '/hello?x=1', method: 'HEAD' },
  { name: 'a JSON body', path: '/echo', method: 'POST', body: JSON.stringify({ n: 1, s: 'ünï' }), headers: { 'content-type': 'application/json' } },
  { name: 'cookies and a custom header', path: '/cookie' },
  { name: 'a redirect', path: '/redirect' },
  { name: 'a fresh ETag', path: '/etag' },
  { name: '304 for a matching If-None-Match', path: '/etag', headers: { 'if-none-match': '"v1"' } },
  { name: 'a streamed body', path: '/stream' },
  { name: 'server-sent events', path: '/sse' },
  { name: 'a handler that throws', path: '/boom' },
  { name: 'the client address', path: '/ip' },
  { name: 'a route that does not exist', path: '/no-such-route' },
]

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

function send(base: string, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${sent.path}`, { method: sent.method ?? 'GET', headers: sent.headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(res.headers)) if (!IGNORED.has(name)) headers[name] = Array.isArray(value) ? value.join('\n') : String(value)
        resolve({ status: res.statusCode!, headers, body })
      })
    })
    req.setTimeout(10_000, () => req.destroy(new Error(`${sent.name}: no answer within 10s`)))
    req.on('error', reject)
    req.end(sent.body)
  })
}

/** Reads the first chunk of `/slow`, leaves, then asks `/aborted` how many responses the app saw abandoned. */
async function abortsSeen(base: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const req = http.get(`${base}/slow`, { agent: false }, (res) => res.once('data', () => (req.destroy(), resolve())))
    req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(error)))
  })
  for (let i = 0; i < 20; i++) {
    await sleep(100)
    const seen = (await send(base, { name: 'aborted', path: '/aborted' })).body
    if (seen !== '0') return seen
  }
  return '0'
}

async function answers(base: string): Promise<Record<string, Answer | string>> {
  const out: Record<string, Answer | string> = {}
  for (const sent of REQUESTS) out[sent.name] = await send(base, sent)
  out['a client that aborts mid-response'] = await abortsSeen(base)
  return out
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

const natives: ChildProcess[] = []
afterAll(async () => {
  for (const child of natives) child.kill('SIGKILL')
  await killAll()
})

async function nativeBase(framework: string): Promise<string> {
  const child = spawn(process.execPath, [join(DIR, 'native.mjs'), framework], { cwd: DIR, stdio: ['ignore', 'pipe', 'inherit'] })
  natives.push(child)
  const port = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const match = /listening (\d+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`${framework}'s own server exited (${code})`)))
  })
  return `http://127.0.0.1:${port}`
}

describe.each(Object.entries(FRAMEWORKS))('%s: gu answers as the framework itself does', (framework, appModule) => {
  let reference: Record<string, Answer | string>
  it.each(CLASSES)('-k %s', async (workerClass) => {
    reference ??= await answers(await nativeBase(framework))
    // A port of its own: uws binds in each worker, so it can't take port 0 from the arbiter.
    const port = await freePort()
    const gu = new Gu([appModule, '-k', workerClass, '-b', `127.0.0.1:${port}`, '-w', '1', '--threads', '1'], { cwd: DIR })
    await gu.waitForWorkers(1)
    await waitForHttp(`http://127.0.0.1:${port}/hello`)
    const got = await answers(`http://127.0.0.1:${port}`)
    await gu.stop()
    for (const [name, expected] of Object.entries(reference)) {
      const actual = got[name]!
      const label = `${framework} under -k ${workerClass}: ${name}`
      if (typeof expected === 'string') expect(actual, label).toBe(expected)
      else expect(comparable(actual as Answer, expected), label).toEqual(withoutFraming(expected))
    }
  })
})
