// Native uWS WebSockets behind Bun's API (the testkit's websocket group covers echo, frames,
// close codes, the stop, and Bun's server API: upgrade data and headers, publish from a plain
// request, a refused handshake): here, the boot warning for a node app's 'upgrade' listener,
// which uWS can't serve.
import http from 'node:http'
import { afterAll, afterEach, expect, it } from 'vitest'
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

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }))
      })
      .on('error', reject)
  })
}

it("warns at boot that a node app's 'upgrade' listener can't be served, and serves it over HTTP", async () => {
  const { gu, url } = await serve(
    { 'app.mjs': `import http from 'node:http'\nexport const server = http.createServer((req, res) => res.end('plain'))\nserver.on('upgrade', (req, socket) => socket.destroy())\n` },
    'app.mjs:server',
  )
  expect(gu.log).toMatch(/The app takes WebSockets through node:http's 'upgrade', which uWS can't hand over/)
  expect((await get(url)).body).toBe('plain')
})
