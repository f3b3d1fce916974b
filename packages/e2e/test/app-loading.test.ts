import http from 'node:http'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { errorLines } from '../src/cli-helpers.js'
import { Gu, asyncArgs, cleanupApps, killAll, makeApp, request, runGu } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

/** Starts gu on `appModule` in a fresh app dir made of `files`; returns it and its URL. */
async function serve(files: Record<string, string>, appModule: string, ...extra: string[]): Promise<{ gu: Gu; url: string }> {
  const dir = makeApp(files)
  const gu = new Gu(asyncArgs(appModule, ...extra), { cwd: dir })
  await gu.waitForWorkers(1)
  return { gu, url: await gu.url() }
}

async function expectServes(files: Record<string, string>, appModule: string, body: string, ...extra: string[]): Promise<void> {
  const { gu, url } = await serve(files, appModule, ...extra)
  const res = await request(`${url}/hello?x=1`)
  expect(res.status, gu.log).toBe(200)
  expect(res.body).toBe(body)
  expect(await gu.stop()).toEqual({ code: 0, signal: null })
}

const NODE_APP = (text: string) => `(req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(${JSON.stringify(text)} + ' ' + req.url) }`

describe('APP_MODULE forms', () => {
  it('serves module:export', async () => {
    await expectServes({ 'app.mjs': `export const app = ${NODE_APP('named')}` }, 'app.mjs:app', 'named /hello?x=1')
  })

  it('serves module alone (its default export), found without its extension', async () => {
    await expectServes({ 'server.mjs': `export default ${NODE_APP('default')}\nexport const other = 1` }, 'server', 'default /hello?x=1')
  })

  it('serves module:factory(args), passing the JSON arguments', async () => {
    const files = {
      'app.mjs': `export async function create(name, n, opts) {
  return (req, res) => res.end(JSON.stringify({ name, n, opts, self: typeof this }))
}`,
    }
    const { gu, url } = await serve(files, 'app.mjs:create("prod", 4, {"debug": true, "tags": ["a", null]})')
    const res = await request(url)
    expect(JSON.parse(res.body)).toEqual({ name: 'prod', n: 4, opts: { debug: true, tags: ['a', null] }, self: 'object' })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('serves a dotted attribute, and a factory on an object called as a method', async () => {
    const files = {
      'app.mjs': `export const handlers = { v1: { main: ${NODE_APP('dotted')} } }
export const factory = { prefix: 'method', make(x) { const p = this.prefix; return (req, res) => res.end(p + ':' + x) } }`,
    }
    const { gu, url } = await serve(files, 'app.mjs:handlers.v1.main')
    expect((await request(url)).body).toBe('dotted /')
    await gu.stop()
    const second = await serve(files, 'app.mjs:factory.make("y")')
    expect((await request(second.url)).body).toBe('method:y')
    expect(await second.gu.stop()).toEqual({ code: 0, signal: null })
  })

  it.each([
    ['app.js (CommonJS package)', { 'package.json': '{"type":"commonjs"}', 'app.js': `exports.app = ${NODE_APP('js')}` }, 'app.js:app', 'js /hello?x=1'],
    ['app.js (ESM package)', { 'package.json': '{"type":"module"}', 'app.js': `export const app = ${NODE_APP('esm-js')}` }, 'app.js:app', 'esm-js /hello?x=1'],
    ['app.cjs', { 'app.cjs': `module.exports.app = ${NODE_APP('cjs')}` }, 'app.cjs:app', 'cjs /hello?x=1'],
    ['app.cjs (module.exports = fn)', { 'app.cjs': `module.exports = ${NODE_APP('cjs-default')}` }, 'app.cjs', 'cjs-default /hello?x=1'],
    [
      'app.ts with types and a relative TS import, no build step',
      {
        'app.ts': `import type { IncomingMessage, ServerResponse } from 'node:http'\nimport { greeting } from './lib.ts'\nexport function app(req: IncomingMessage, res: ServerResponse): void { res.end(greeting + ' ' + req.url) }`,
        'lib.ts': `export const greeting: string = 'ts'`,
      },
      'app.ts:app',
      'ts /hello?x=1',
    ],
    ['a path in a subdirectory', { 'src/web/app.mjs': `export const app = ${NODE_APP('sub')}` }, 'src/web/app:app', 'sub /hello?x=1'],
    ['a directory index', { 'web/index.mjs': `export const app = ${NODE_APP('index')}` }, 'web:app', 'index /hello?x=1'],
    [
      'an installed package, by its exports',
      {
        'node_modules/my-web-app/package.json': JSON.stringify({ name: 'my-web-app', type: 'module', exports: { '.': { import: './lib/main.js' }, './alt': './lib/alt.js' } }),
        'node_modules/my-web-app/lib/main.js': `export const app = ${NODE_APP('pkg')}`,
        'node_modules/my-web-app/lib/alt.js': `export default ${NODE_APP('pkg-alt')}`,
      },
      'my-web-app:app',
      'pkg /hello?x=1',
    ],
    [
      "a package's subpath export",
      {
        'node_modules/my-web-app/package.json': JSON.stringify({ name: 'my-web-app', type: 'module', exports: { '.': './lib/main.js', './alt': './lib/alt.js' } }),
        'node_modules/my-web-app/lib/main.js': `export const app = 1`,
        'node_modules/my-web-app/lib/alt.js': `export default ${NODE_APP('pkg-alt')}`,
      },
      'my-web-app/alt',
      'pkg-alt /hello?x=1',
    ],
    [
      'a scoped package with main only',
      {
        'node_modules/@acme/site/package.json': JSON.stringify({ name: '@acme/site', main: 'server.js' }),
        'node_modules/@acme/site/server.js': `exports.app = ${NODE_APP('scoped')}`,
      },
      '@acme/site:app',
      'scoped /hello?x=1',
    ],
  ])('serves %s', async (_name, files, appModule, body) => {
    await expectServes(files as Record<string, string>, appModule, body)
  })
})

describe('node listeners', () => {
  it('serves Express 5', async () => {
    const files = {
      'app.mjs': `import express from 'express'
export const app = express()
app.use(express.json())
app.get('/users/:id', (req, res) => res.json({ id: req.params.id, q: req.query.q }))
app.post('/echo', (req, res) => res.status(201).json(req.body))`,
    }
    const { gu, url } = await serve(files, 'app.mjs:app')
    const got = await request(`${url}/users/42?q=z`)
    expect(got.status).toBe(200)
    expect(JSON.parse(got.body)).toEqual({ id: '42', q: 'z' })
    const posted = await request(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' })
    expect(posted.status).toBe(201)
    expect(JSON.parse(posted.body)).toEqual({ a: [1, 2] })
    expect((await request(`${url}/missing`)).status).toBe(404)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('serves a Koa 3 instance, detected without callback()', async () => {
    const files = {
      'app.mjs': `import Koa from 'koa'
const app = new Koa()
app.use(async (ctx, next) => { await next(); ctx.set('x-koa', 'yes') })
app.use((ctx) => { ctx.status = ctx.path === '/teapot' ? 418 : 200; ctx.body = { path: ctx.path, method: ctx.method } })
export default app`,
    }
    const { gu, url } = await serve(files, 'app.mjs')
    const res = await request(`${url}/teapot`)
    expect(res.status).toBe(418)
    expect(res.headers['x-koa']).toBe('yes')
    expect(JSON.parse(res.body)).toEqual({ path: '/teapot', method: 'GET' })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('serves a Fastify 5 instance, detected and made ready() first', async () => {
    const files = {
      'app.mjs': `import Fastify from 'fastify'
export const app = Fastify()
app.register(async (scope) => {
  scope.decorate('who', 'plugin')
  scope.get('/who', async () => ({ who: scope.who }))
})
app.post('/sum', async (req, reply) => { reply.code(202); return { sum: req.body.a + req.body.b } })`,
    }
    const { gu, url } = await serve(files, 'app.mjs:app')
    const who = await request(`${url}/who`)
    expect(who.status).toBe(200)
    expect(JSON.parse(who.body)).toEqual({ who: 'plugin' })
    const sum = await request(`${url}/sum`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":2,"b":3}' })
    expect(sum.status).toBe(202)
    expect(JSON.parse(sum.body)).toEqual({ sum: 5 })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('serves an http.Server instance', async () => {
    const files = { 'app.mjs': `import http from 'node:http'\nexport const server = http.createServer(${NODE_APP('server')})` }
    await expectServes(files, 'app.mjs:server', 'server /hello?x=1')
  })
})

describe('fetch handlers', () => {
  it('serves a function (request) => Response', async () => {
    const files = { 'app.mjs': `export const app = (request) => new Response('fetch ' + new URL(request.url).pathname + ' ' + request.method, { status: 203 })` }
    const { gu, url } = await serve(files, 'app.mjs:app')
    const res = await request(`${url}/p`)
    expect(res.status).toBe(203)
    expect(res.body).toBe('fetch /p GET')
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('serves an object with fetch, keeping this', async () => {
    const files = { 'app.mjs': `export default { greeting: 'obj', async fetch(request) { return Response.json({ g: this.greeting, url: request.url }) } }` }
    const { gu, url } = await serve(files, 'app.mjs')
    const res = await request(`${url}/q?s=1`)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    expect(JSON.parse(res.body)).toEqual({ g: 'obj', url: `${url}/q?s=1` })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('serves Hono', async () => {
    const files = {
      'app.mjs': `import { Hono } from 'hono'
export const app = new Hono()
app.get('/hi/:name', (c) => c.text('hi ' + c.req.param('name')))
app.post('/json', async (c) => c.json({ got: await c.req.json() }, 201))`,
    }
    const { gu, url } = await serve(files, 'app.mjs:app')
    expect((await request(`${url}/hi/bob`)).body).toBe('hi bob')
    const posted = await request(`${url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k":"v"}' })
    expect(posted.status).toBe(201)
    expect(JSON.parse(posted.body)).toEqual({ got: { k: 'v' } })
    expect((await request(`${url}/nope`)).status).toBe(404)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('refuses an ambiguous function, and serves it once --app-interface says how', async () => {
    const files = {
      'app.mjs': `export const fetchy = (...args) => new Response('as fetch')
export const nodey = (...args) => args[1].end('as node')`,
    }
    const dir = makeApp(files)
    const refused = await runGu(['--check-config', ...asyncArgs('app.mjs:fetchy')], { cwd: dir, timeoutMs: 15_000 })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("can't tell whether app.mjs:fetchy is a node listener (req, res) or a fetch handler (request); pass --app-interface node or --app-interface fetch")
    await expectServes(files, 'app.mjs:fetchy', 'as fetch', '--app-interface', 'fetch')
    await expectServes(files, 'app.mjs:nodey', 'as node', '--app-interface=node')
  })

  it('streams a POST body to the app, round-trips headers and cookies, and keeps status codes', async () => {
    const files = {
      'app.mjs': `export async function app(request) {
  const url = new URL(request.url)
  if (url.pathname === '/echo') {
    const reader = request.body.getReader()
    let chunks = 0, bytes = 0
    for (;;) { const { done, value } = await reader.read(); if (done) break; chunks++; bytes += value.length }
    return new Response(JSON.stringify({ chunks, bytes, type: request.headers.get('content-type'), custom: request.headers.get('x-custom') }), { status: 201, headers: { 'x-reply': 'r1' } })
  }
  if (url.pathname === '/cookies') {
    const headers = new Headers({ 'content-type': 'text/plain' })
    headers.append('set-cookie', 'a=1; Path=/')
    headers.append('set-cookie', 'b=2; HttpOnly')
    headers.append('x-multi', 'one')
    headers.append('x-multi', 'two')
    return new Response('cookies', { headers })
  }
  if (url.pathname === '/status') return new Response(null, { status: Number(url.searchParams.get('code')) })
  return new Response('nothing', { status: 404 })
}`,
    }
    const { gu, url } = await serve(files, 'app.mjs:app')
    // A body sent in several writes, with a pause: the app reads it as a stream.
    const echoed = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request(`${url}/echo`, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', 'x-custom': 'c1' } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      })
      req.on('error', reject)
      req.write(Buffer.alloc(70_000, 1))
      setTimeout(() => req.end(Buffer.alloc(30_000, 2)), 200)
    })
    expect(echoed.status).toBe(201)
    expect(echoed.headers['x-reply']).toBe('r1')
    const info = JSON.parse(echoed.body) as { chunks: number; bytes: number; type: string; custom: string }
    expect(info).toMatchObject({ bytes: 100_000, type: 'application/octet-stream', custom: 'c1' })
    expect(info.chunks).toBeGreaterThan(1)

    const cookies = await request(`${url}/cookies`)
    expect(cookies.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly'])
    expect(cookies.headers['x-multi']).toBe('one, two')
    expect(cookies.body).toBe('cookies')

    for (const code of [204, 302, 400, 418, 503]) expect((await request(`${url}/status?code=${code}`)).status).toBe(code)
    expect((await request(`${url}/other`)).status).toBe(404)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('streams a response as the app produces it', async () => {
    const files = {
      'app.mjs': `export const app = (request) => {
  let i = 0
  const body = new ReadableStream({
    async pull(controller) {
      if (i === 3) return controller.close()
      await new Promise((r) => setTimeout(r, 300))
      controller.enqueue(new TextEncoder().encode('part' + i++ + ';'))
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/plain' } })
}`,
    }
    const { gu, url } = await serve(files, 'app.mjs:app')
    const arrivals: Array<[number, string]> = []
    const started = Date.now()
    await new Promise<void>((resolve, reject) => {
      http.get(url, { agent: false }, (res) => {
        expect(res.headers['transfer-encoding']).toBe('chunked')
        res.setEncoding('utf8')
        res.on('data', (d: string) => arrivals.push([Date.now() - started, d]))
        res.on('end', resolve)
      }).on('error', reject)
    })
    expect(arrivals.map(([, d]) => d).join('')).toBe('part0;part1;part2;')
    // The first part arrives well before the last was produced.
    expect(arrivals.length).toBeGreaterThanOrEqual(2)
    expect(arrivals.at(-1)![0] - arrivals[0]![0]).toBeGreaterThan(300)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('load failures exit 4 naming the module and export', () => {
  async function expectLoadFailure(files: Record<string, string>, appModule: string, message: string | RegExp, ...extra: string[]) {
    const dir = makeApp(files)
    const result = await runGu(asyncArgs(appModule, ...extra), { cwd: dir, timeoutMs: 20_000 })
    expect(result.code, result.stderr).toBe(4)
    const errors = errorLines(result.stderr)
    expect(errors.join('\n')).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('DIR', dir)) : message)
    expect(result.stderr).not.toMatch(/^\s+at /m)
    return result
  }

  it("a missing file: says the file doesn't exist, with the path tried", async () => {
    await expectLoadFailure({}, 'nowhere.mjs:app', "the file DIR/nowhere.mjs doesn't exist (APP_MODULE 'nowhere.mjs:app')")
    await expectLoadFailure({}, './lib/nowhere.ts:app', "the file DIR/lib/nowhere.ts doesn't exist (APP_MODULE './lib/nowhere.ts:app')")
    // Without an extension it may be a file or a package: both are named.
    await expectLoadFailure({}, 'nowhere:app', "no file DIR/nowhere (nor with .js, .mjs, .cjs, .ts, .mts, .cts, nor a directory with an index file), and no package 'nowhere' installed from DIR")
  })

  it("a TypeScript syntax error: the compiler's message, with file, line and column", async () => {
    await expectLoadFailure(
      { 'broken.ts': 'export function app(req: any, res: any) {\n  res.end("x"\n}\n' },
      'broken.ts:app',
      'failed to load DIR/broken.ts: SyntaxError: Expected ")" but found "}" at DIR/broken.ts:3:1',
    )
  })

  it('missing export, listing what there is', async () => {
    await expectLoadFailure({ 'app.mjs': 'export const one = 1, two = 2' }, 'app.mjs:app', "module 'app.mjs' has no export 'app' (it exports: one, two)")
    await expectLoadFailure({ 'app.mjs': 'export const one = 1' }, 'app.mjs', "module 'app.mjs' has no default export (it exports: one)")
    await expectLoadFailure({ 'app.mjs': 'export const obj = {}' }, 'app.mjs:obj.handler', "module 'app.mjs' has no export 'obj.handler'")
  })

  it('a value that is not an app', async () => {
    await expectLoadFailure({ 'app.mjs': 'export const app = { port: 3000 }' }, 'app.mjs:app', 'app.mjs:app is an object, not an app')
    await expectLoadFailure({ 'app.mjs': 'export const app = 42' }, 'app.mjs:app', 'app.mjs:app is a number, not an app')
    await expectLoadFailure({ 'app.mjs': 'export const app = 42' }, 'app.mjs:app()', "app.mjs:app is not a function, so it can't be called as a factory")
  })

  it('an app module that throws at import', async () => {
    await expectLoadFailure({ 'app.mjs': `throw new Error('cannot reach the database')\nexport const app = () => {}` }, 'app.mjs:app', 'failed to load DIR/app.mjs: cannot reach the database')
  })

  it('an app module with a syntax error, naming the line', async () => {
    await expectLoadFailure({ 'app.mjs': `export const x = 1\nexport const app = (req, res) => {\n  res.end(\n` }, 'app.mjs:app', /failed to load .*\/app\.mjs: SyntaxError: .* at .*\/app\.mjs:\d/)
  })

  it('a factory that throws', async () => {
    await expectLoadFailure({ 'app.mjs': `export function create(env) { throw new TypeError('unknown env ' + env) }` }, 'app.mjs:create("qa")', 'app.mjs:create(…) threw: TypeError: unknown env qa')
  })

  it('--preload with a broken app exits 4 before starting any worker', async () => {
    const result = await expectLoadFailure({ 'app.mjs': 'export const other = 1' }, 'app.mjs:app', "module 'app.mjs' has no export 'app'", '--preload')
    expect(result.stderr).not.toMatch(/Booting worker|Listening at/)
    expect(result.stdout).not.toMatch(/Booting worker|Listening at/)
  })

  it('--preload with a sound app serves it', async () => {
    const { gu, url } = await serve({ 'app.mjs': `export const app = ${NODE_APP('preloaded')}` }, 'app.mjs:app', '--preload')
    expect((await request(url)).body).toBe('preloaded /')
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('an app whose handler throws', () => {
  it.each([
    ['node listener', `export function app(req, res) { if (req.url === '/boom') throw new Error('boom'); res.end('ok ' + process.pid) }`],
    ['async node listener', `export async function app(req, res) { if (req.url === '/boom') throw new Error('boom'); res.end('ok ' + process.pid) }`],
    ['fetch handler', `export function app(request) { if (new URL(request.url).pathname === '/boom') throw new Error('boom'); return new Response('ok ' + process.pid) }`],
    ['async fetch handler', `export async function app(request) { if (new URL(request.url).pathname === '/boom') throw new Error('boom'); return new Response('ok ' + process.pid) }`],
  ])('%s: answers 500 and the same worker serves the next request', async (_name, source) => {
    const { gu, url } = await serve({ 'app.mjs': source }, 'app.mjs:app')
    const [worker] = gu.workerPids()
    const failed = await request(`${url}/boom`)
    expect(failed.status).toBe(500)
    const next = await request(`${url}/fine`)
    expect(next.status).toBe(200)
    expect(next.body).toBe(`ok ${worker}`)
    expect(gu.workerPids()).toEqual([worker])
    expect(gu.log).toMatch(/boom/)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('a "type": "commonjs" package (what `npm init -y` writes)', () => {
  const COMMONJS = { 'package.json': JSON.stringify({ name: 'cjs-app', version: '1.0.0', type: 'commonjs' }) }

  it('serves a .ts app whose `export default` is an object with fetch', async () => {
    await expectServes({ ...COMMONJS, 'app.ts': `export default { fetch: (request: Request) => new Response('ts default ' + new URL(request.url).pathname) }\n` }, 'app.ts', 'ts default /hello')
  })

  it('serves a named export of a .ts app', async () => {
    await expectServes({ ...COMMONJS, 'app.ts': `export const app = (req: any, res: any) => res.end('ts named ' + req.url)\nexport default 1\n` }, 'app.ts:app', 'ts named /hello?x=1')
  })

  it('serves a compiled .cjs app (exports.default with __esModule)', async () => {
    const compiled = `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = function (req, res) { res.end('cjs default') };\n`
    await expectServes({ ...COMMONJS, 'app.cjs': compiled }, 'app.cjs', 'cjs default')
  })

  it('loads a .ts config file and a compiled worker class the same way', async () => {
    const dir = makeApp({
      ...COMMONJS,
      'gu.config.ts': `export default { workers: 3, workerClass: './worker.cjs' }\n`,
      'worker.cjs': `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = { contract: 2, name: 'compiled', sockets: 'inherit', async run() {} };\n`,
      'app.ts': `export default { fetch: () => new Response('x') }\n`,
    })
    const printed = await runGu(['--print-config', 'app.ts'], { cwd: dir })
    expect(printed.code, printed.stderr).toBe(0)
    expect(JSON.parse(printed.stdout)).toMatchObject({ workers: 3, workerClass: './worker.cjs' })
    const checked = await runGu(['--check-config', 'app.ts', '-b', '127.0.0.1:0'], { cwd: dir })
    expect(checked.stderr).toBe('')
    expect(checked.code).toBe(0)
  })
})
