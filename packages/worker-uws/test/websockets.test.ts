// Native uWS WebSockets behind Bun's API (the testkit's websocket group covers echo, frames,
// close codes and the stop): upgrade data and headers, publish from a plain request, a refused
// handshake, and the boot warning for a node app's 'upgrade' listener, which uWS can't serve.
import http from 'node:http'
import { afterAll, afterEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { GuProcess, UWS_CLASS, appDir, cleanup, freePort, until } from './helpers.js'

const started: GuProcess[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((gu) => gu.kill()))
})
afterAll(cleanup)

async function serve(files: Record<string, string>, appModule: string): Promise<{ gu: GuProcess; url: string }> {
  const port = await freePort()
  const gu = new GuProcess([appModule, '-k', UWS_CLASS, '-b', `127.0.0.1:${port}`], appDir(files))
  started.push(gu)
  await until('a booted worker', () => gu.workers().length === 1)
  const url = `http://127.0.0.1:${port}`
  await until('a first answer', () => get(url).then(() => true, () => false))
  return { gu, url }
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }))
      })
      .on('error', reject)
  })
}

it('upgrade with data and headers, publish from a plain request, and a refused handshake answered with the Response', async () => {
  const { url } = await serve(
    {
      'app.mjs': `export default {
  fetch(request, server) {
    const url = new URL(request.url)
    if (url.pathname === '/publish') return new Response(String(server.publish('room', 'news')))
    if (request.headers.get('authorization') !== 'yes') return new Response('who are you', { status: 401 })
    return server.upgrade(request, { data: { name: url.searchParams.get('name') }, headers: { 'x-welcome': 'in' } }) ? undefined : new Response('no', { status: 400 })
  },
  websocket: {
    open(ws) { ws.subscribe('room'); ws.send('hello ' + ws.data.name + ' from ' + ws.remoteAddress) },
    message(ws, message) { ws.send(typeof message) },
  },
}
`,
    },
    'app.mjs',
  )
  const ws = new WebSocket(`${url.replace('http', 'ws')}/?name=ann`, { headers: { authorization: 'yes' } })
  const welcome = new Promise<string>((resolve) => ws.on('upgrade', (res) => resolve(String(res.headers['x-welcome']))))
  const messages: string[] = []
  const four = new Promise<void>((resolve) => ws.on('message', (m) => messages.push(String(m)) === 4 && resolve()))
  await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject))
  expect(await welcome).toBe('in')
  ws.send('text')
  ws.send(Buffer.from([1]))
  await new Promise((r) => setTimeout(r, 200))
  expect((await get(`${url}/publish`)).status).toBe(200)
  await four
  expect(messages).toEqual(['hello ann from 127.0.0.1', 'string', 'object', 'news'])
  ws.close()
  const refused = await get(url, { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' })
  expect(refused).toEqual({ status: 401, body: 'who are you' })
})

it("warns at boot that a node app's 'upgrade' listener can't be served, and serves it over HTTP", async () => {
  const { gu, url } = await serve(
    { 'app.mjs': `import http from 'node:http'\nexport const server = http.createServer((req, res) => res.end('plain'))\nserver.on('upgrade', (req, socket) => socket.destroy())\n` },
    'app.mjs:server',
  )
  expect(gu.log).toMatch(/The app takes WebSockets through node:http's 'upgrade', which uWS can't hand over/)
  expect((await get(url)).body).toBe('plain')
})
