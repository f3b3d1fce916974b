// The worker contract's own rules, with small custom classes: versions, self-binding, app loading, liveness.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { expectOneLineError, holdPort } from '../src/cli-helpers.js'
import { Gu, PID_APP, cleanupApps, killAll, makeApp, request, runGu } from '../src/harness.js'
import { waitUntil, within } from '../src/process-helpers.js'
import { syncArgs } from '../src/sync-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

/** Binds each address itself, as an engine that can't adopt a socket would; says what it was given. */
const SELF_BINDING_CLASS = `
import http from 'node:http'
import { CONTRACT_VERSION, drainServers, nodeRequestListener, stopRequested } from '@gu/core'

export default {
  contract: CONTRACT_VERSION,
  name: 'self-binding',
  sockets: 'self',
  checkSettings(settings, addresses) {
    if (settings.workers > 1) throw new Error('it binds each port once: use -w 1')
    if (addresses.some((a) => a.kind !== 'tcp')) throw new Error('it binds TCP addresses only')
  },
  async run(worker) {
    const listener = nodeRequestListener(worker)
    const servers = worker.sockets.map(() => http.createServer((req, res) => {
      res.setHeader('x-sockets', JSON.stringify(worker.sockets))
      listener(req, res)
    }))
    await Promise.all(servers.map((server, i) => new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(worker.sockets[i].bind.port, worker.sockets[i].bind.host, resolve)
    })))
    worker.ready()
    await stopRequested(worker)
    await drainServers(servers, worker)
  },
}
`

describe('the contract version', () => {
  it('refuses a class written for another contract, naming both versions', async () => {
    const dir = makeApp({
      'app.mjs': PID_APP,
      'old.mjs': `export default { name: 'old', sockets: 'inherit', async run() {} }\n`,
      'future.mjs': `export default { contract: 99, name: 'future', sockets: 'inherit', async run() {} }\n`,
    })
    const old = expectOneLineError(await runGu(['app.mjs:app', '-k', './old.mjs', '-b', '127.0.0.1:0'], { cwd: dir }))
    expect(old).toMatch(/^gu: error: '.\/old.mjs' is not a gu worker class: it was written for worker contract 1 \(it declares no 'contract'\), and gu \S+ speaks worker contract 2/)
    const future = expectOneLineError(await runGu(['app.mjs:app', '-k', './future.mjs', '-b', '127.0.0.1:0'], { cwd: dir }))
    expect(future).toMatch(/it was written for worker contract 99, and gu \S+ speaks worker contract 2/)
  })
})

describe("sockets: 'self'", () => {
  it('gives the class every address to bind (fd -1) and binds nothing in the arbiter', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'self.mjs': SELF_BINDING_CLASS })
    const held = await holdPort()
    await held.close()
    const gu = new Gu(['app.mjs:app', '-k', './self.mjs', '-b', `127.0.0.1:${held.port}`, '--access-logfile', '-'], { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    expect(gu.log).toContain(`Listening at: http://127.0.0.1:${held.port} (bound by each worker: sockets 'self')`)
    const response = await waitUntil('the worker serving', () => request(`http://127.0.0.1:${held.port}/`).catch(() => undefined))
    expect(response.body).toBe(String(worker))
    expect(JSON.parse(response.headers['x-sockets'] as string)).toEqual([{ bind: { kind: 'tcp', host: '127.0.0.1', port: held.port, ipv6: false }, fd: -1 }])
    // The runtime's per-request work happens for it too.
    await waitUntil('an access-log line', () => gu.log.includes('"GET / HTTP/1.1" 200'))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('refuses fd:// for a class that binds its own sockets, in one line', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'self.mjs': SELF_BINDING_CLASS })
    const line = expectOneLineError(await runGu(['app.mjs:app', '-k', './self.mjs', '-b', 'fd://3'], { cwd: dir }))
    expect(line).toBe(
      "gu: error: worker class 'self-binding' can't run with these settings: it binds its own sockets (sockets: 'self') and can't serve fd://3 (an inherited descriptor); bind an address (HOST:PORT or unix:PATH) instead",
    )
  })

  it("lets the class refuse what it can't serve, with the parsed addresses", async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'self.mjs': SELF_BINDING_CLASS })
    const workers = expectOneLineError(await runGu(['app.mjs:app', '-k', './self.mjs', '-b', '127.0.0.1:0', '-w', '2'], { cwd: dir }))
    expect(workers).toBe("gu: error: worker class 'self-binding' can't run with these settings: it binds each port once: use -w 1")
    const unix = expectOneLineError(await runGu(['app.mjs:app', '-k', './self.mjs', '-b', `unix:${dir}/s.sock`], { cwd: dir }))
    expect(unix).toBe("gu: error: worker class 'self-binding' can't run with these settings: it binds TCP addresses only")
  })
})

describe('loadsApp', () => {
  const LOADING_CLASS = `
import http from 'node:http'
import { CONTRACT_VERSION, loadApp } from '@gu/core'
export default {
  contract: CONTRACT_VERSION, name: 'loads-its-own', sockets: 'inherit', loadsApp: true,
  async run(worker) {
    if (worker.app !== undefined) throw new Error('the runtime loaded the app anyway')
    const { app } = await loadApp(worker.appSource)
    const server = http.createServer((req, res) => res.end(app.description))
    await new Promise((resolve) => server.listen({ fd: worker.sockets[0].fd }, resolve))
    worker.ready()
    await new Promise((resolve) => worker.stopSignal.addEventListener('abort', resolve))
    server.close()
  },
}
`

  it('leaves the app to the class, which loads it with the same resolution and detection', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'loads.mjs': LOADING_CLASS })
    const gu = new Gu(['app.mjs:app', '-k', './loads.mjs', '-b', '127.0.0.1:0'], { cwd: dir })
    const url = await gu.url()
    await gu.waitForWorkers(1)
    expect((await request(url)).body).toBe('app.mjs:app')
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it("halts with 4, naming the module and export, when the class's load of the app fails", async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'loads.mjs': LOADING_CLASS })
    const gu = new Gu(['app.mjs:nope', '-k', './loads.mjs', '-b', '127.0.0.1:0'], { cwd: dir })
    expect(await within(10_000, gu.exited, 'arbiter exit')).toEqual({ code: 4, signal: null })
    expect(gu.log).toMatch(/Failed to load the app: module 'app.mjs' has no export 'nope'/)
  })
})

describe('liveness', () => {
  it('counts only heartbeats: files reported during a long sync request do not stop --timeout cutting it', async () => {
    // Each import mid-request makes the worker report a loaded file (--reload); those messages must not count as heartbeats.
    const dir = makeApp({
      'app.mjs': `
import { mkdirSync, writeFileSync } from 'node:fs'
export async function app(req, res) {
  mkdirSync(new URL('./mods/', import.meta.url), { recursive: true })
  for (let i = 0; i < 20; i++) {
    const file = new URL('./mods/m' + process.pid + '-' + i + '.mjs', import.meta.url)
    writeFileSync(file, 'export default ' + i)
    await import(file.href)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  res.end('finished')
}
`,
    })
    const gu = new Gu(syncArgs('app.mjs:app', '--reload', '--timeout', '2', '--log-level', 'debug'), { cwd: dir })
    const url = await gu.url()
    const [first] = await gu.waitForWorkers(1)
    const outcome = await request(url, { timeoutMs: 10_000 }).then((r) => r.body, (error: Error) => error.message)
    expect(outcome).not.toBe('finished')
    await gu.waitFor(/Request 'GET \/' has run [\d.]+s, past the 2s timeout/)
    expect(gu.log).toMatch(new RegExp(`worker ${first} loaded \\d+ more file`))
  })
})
