// The fetch path on node:http classes: Content-Length for known bodies, cleanup when the client
// goes away mid-stream, keep-alive after an unread request body, the client address, and the
// lazily built Request behaving as a Request.
import { existsSync } from 'node:fs'
import http from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, cleanupApps, killAll, makeApp, request, sleep } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

async function serve(files: Record<string, string>, workerClass = 'async', more: string[] = []): Promise<{ gu: Gu; url: string; dir: string }> {
  const dir = makeApp(files)
  const gu = new Gu(['app.mjs', '-k', workerClass, '-b', '127.0.0.1:0', ...more], { cwd: dir })
  await gu.waitForWorkers(1)
  return { gu, url: await gu.url(), dir }
}

async function waitForFile(file: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (existsSync(file)) return true
    await sleep(50)
  }
  return false
}

const BODIES_APP = `import { Hono } from 'hono'
const app = new Hono()
app.get('/hono-text', (c) => c.text('hello'))
app.get('/hono-json', (c) => c.json({ a: 'é' }))
app.get('/string', () => new Response('héllo', { headers: { 'x-kind': 'string' } }))
app.get('/bytes', () => new Response(new Uint8Array([1, 2, 3, 4])))
app.get('/blob', () => new Response(new Blob(['abcdef'])))
app.get('/static-json', () => Response.json({ ok: true }, { status: 202 }))
app.get('/empty', () => new Response(null, { status: 200 }))
app.get('/stream', () => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('s1')); c.close() } })))
export default app
`

describe.each(['async', 'sync'])('fetch responses with a known length (-k %s)', (workerClass) => {
  it('go out with Content-Length, not chunked; a stream is chunked', async () => {
    const { gu, url } = await serve({ 'app.mjs': BODIES_APP }, workerClass)
    const expected: [string, number, string][] = [
      ['/hono-text', 5, 'hello'],
      ['/hono-json', 10, '{"a":"é"}'],
      ['/string', 6, 'héllo'],
      ['/bytes', 4, '\u0001\u0002\u0003\u0004'],
      ['/blob', 6, 'abcdef'],
      ['/static-json', 11, '{"ok":true}'],
      ['/empty', 0, ''],
    ]
    for (const [path, length, body] of expected) {
      const res = await request(url + path)
      expect(res.headers['content-length'], `${path}\n${gu.log}`).toBe(String(length))
      expect(res.headers['transfer-encoding'], path).toBeUndefined()
      expect(res.body, path).toBe(body)
    }
    expect((await request(`${url}/string`)).headers['x-kind']).toBe('string')
    expect((await request(`${url}/static-json`)).status).toBe(202)
    expect((await request(`${url}/hono-json`)).headers['content-type']).toMatch(/^application\/json/)
    expect((await request(`${url}/string`)).headers['content-type']).toBe('text/plain;charset=UTF-8')
    if (workerClass === 'async') expect((await request(`${url}/stream`)).headers['transfer-encoding']).toBe('chunked')
    const head = await request(`${url}/string`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    // HTTP/1.0 has no chunked framing: the length is there too.
    expect(await rawResponse(url, 'GET /hono-json HTTP/1.0\r\nHost: x\r\n\r\n')).toMatch(/\r\ncontent-length: 10\r\n[^]*\r\n\r\n\{"a":"é"\}$/i)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it("show their Content-Length to the access log's {content-length}o", async () => {
    const { gu, url } = await serve({ 'app.mjs': BODIES_APP }, workerClass, ['--access-logfile', '-', '--access-logformat', 'LEN %(U)s %({content-length}o)s'])
    for (const path of ['/hono-json', '/string', '/blob', '/empty']) await request(url + path)
    await gu.waitFor(/LEN \/empty /)
    expect(gu.stdout).toMatch(/LEN \/hono-json 10\n[^]*LEN \/string 6\n[^]*LEN \/blob 6\n[^]*LEN \/empty 0\n/)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

/** The whole response to one raw request on its own connection (which the server closes after it). */
function rawResponse(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(text))
    let got = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (got += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(got))
  })
}

describe('a client that goes away mid-stream', () => {
  it("cancels the response stream (Hono's onAbort runs) and aborts the request's signal", async () => {
    const files = {
      'app.mjs': `import { writeFileSync } from 'node:fs'
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
const app = new Hono()
app.get('/feed', (c) => {
  c.req.raw.signal.addEventListener('abort', () => writeFileSync('signal-aborted', ''))
  return stream(c, async (s) => {
    s.onAbort(() => writeFileSync('stream-aborted', ''))
    while (!s.aborted) {
      await s.write('x'.repeat(16384))
      await s.sleep(10)
    }
  })
})
export default app
`,
    }
    const { gu, url, dir } = await serve(files)
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${url}/feed`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy()
          resolve()
        })
      })
      req.on('error', (error) => (error.message.includes('socket hang up') ? resolve() : reject(error)))
    })
    expect(await waitForFile(join(dir, 'stream-aborted'), 5000), gu.log).toBe(true)
    expect(await waitForFile(join(dir, 'signal-aborted'), 1000), gu.log).toBe(true)
    // The worker is still fine.
    expect((await request(`${url}/feed`, { method: 'HEAD' })).status).toBe(200)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('a request body the app does not read', () => {
  const files = {
    'app.mjs': `export default {
  async fetch(request) {
    const url = new URL(request.url)
    if (url.pathname === '/partly') {
      // Reads one chunk of the body, then answers.
      const reader = request.body.getReader()
      await reader.read()
      return new Response('too large', { status: 413 })
    }
    if (request.method === 'POST') return new Response('unauthorized', { status: 401 })
    return new Response('next')
  },
}
`,
  }

  it.each(['/upload', '/partly'])('does not stall the keep-alive connection (%s)', async (path) => {
    const { gu, url } = await serve(files)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const ports: number[] = []
    const send = (method: string, target: string, body?: Buffer) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(`${url}${target}`, { method, agent, headers: body ? { 'content-length': String(body.length) } : {} }, (res) => {
          ports.push(req.socket!.localPort!)
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve({ status: res.statusCode!, text }))
        })
        req.setTimeout(2000, () => req.destroy(new Error(`${method} ${target} timed out`)))
        req.on('error', reject)
        req.end(body)
      })
    try {
      const refused = await send('POST', path, Buffer.alloc(1024 * 1024, 'a'))
      expect(refused.status, gu.log).toBe(path === '/partly' ? 413 : 401)
      const next = await send('GET', '/next')
      expect(next).toEqual({ status: 200, text: 'next' })
      expect(ports[1]).toBe(ports[0])
    } finally {
      agent.destroy()
    }
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe.each(['async', 'sync'])('the client address of a fetch app (-k %s)', (workerClass) => {
  it("reaches Hono's getConnInfo (node-server's and Bun's) and server.requestIP(request)", async () => {
    const files = {
      'app.mjs': `import { createRequire } from 'node:module'
import { Hono } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
// hono/bun's index needs Bun itself; its conninfo module doesn't.
const require = createRequire(import.meta.url)
const bun = require(require.resolve('hono').replace(/index\\.js$/, 'adapter/bun/conninfo.js'))
const app = new Hono()
app.get('/node', (c) => c.json(getConnInfo(c).remote))
app.get('/bun', (c) => c.json(bun.getConnInfo(c).remote))
app.get('/raw', (c) => c.json({ ip: c.env.requestIP(c.req.raw), incoming: c.env.incoming.socket.remoteAddress, outgoing: typeof c.env.outgoing.writeHead }))
export default app
`,
    }
    const { gu, url } = await serve(files, workerClass)
    for (const path of ['/node', '/bun']) {
      const remote = JSON.parse((await request(url + path)).body)
      expect(remote, `${path}\n${gu.log}`).toMatchObject({ address: '127.0.0.1', addressType: 'IPv4' })
      expect(remote.port).toBeGreaterThan(0)
    }
    const raw = JSON.parse((await request(`${url}/raw`)).body)
    expect(raw).toMatchObject({ ip: { address: '127.0.0.1', family: 'IPv4' }, incoming: '127.0.0.1', outgoing: 'function' })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('the Request a fetch app gets', () => {
  it('is a Request: instanceof, clone, new Request(request), body, headers, url', async () => {
    const files = {
      'app.mjs': `export default {
  async fetch(request) {
    const clone = request.clone()
    const copy = new Request(request, { headers: { 'x-copied': '1' } })
    return Response.json({
      isRequest: request instanceof Request,
      url: request.url,
      method: copy.method,
      header: clone.headers.get('x-test'),
      copied: copy.headers.get('x-copied'),
      body: await copy.text(),
      cloned: await clone.text(),
      aborted: request.signal.aborted,
      isResponse: new Response('x') instanceof Response,
    })
  },
}
`,
    }
    const { gu, url } = await serve(files)
    const res = await request(`${url}/a/b?c=1`, { method: 'PUT', headers: { 'x-test': 'yes', 'content-type': 'text/plain' }, body: 'payload' })
    expect(JSON.parse(res.body), gu.log).toEqual({
      isRequest: true,
      url: `${url}/a/b?c=1`,
      method: 'PUT',
      header: 'yes',
      copied: '1',
      body: 'payload',
      cloned: 'payload',
      aborted: false,
      isResponse: true,
    })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
