// The matrix's Koa app (a hand-written router: Koa has none of its own).
import { PassThrough } from 'node:stream'
import Koa from 'koa'
import { aborted, noteAbort } from './aborts.mjs'

const app = new Koa()
const readJson = (req) => new Promise((resolve) => { let s = ''; req.on('data', (d) => (s += d)).on('end', () => resolve(JSON.parse(s || 'null'))) })
app.use(async (ctx) => {
  const route = `${ctx.method} ${ctx.path}`
  if (route === 'GET /hello' || route === 'HEAD /hello') ctx.body = { hello: 'koa', x: ctx.query.x }
  else if (route === 'POST /echo') { ctx.status = 201; ctx.body = await readJson(ctx.req) }
  else if (route === 'GET /cookie') { ctx.cookies.set('a', '1', { httpOnly: false }); ctx.cookies.set('b', '2'); ctx.set('x-custom', 'yes'); ctx.body = 'cookies' }
  else if (route === 'GET /redirect') { ctx.status = 302; ctx.redirect('/hello') }
  else if (route === 'GET /etag') {
    if (ctx.get('if-none-match') === '"v1"') ctx.status = 304
    else { ctx.set('etag', '"v1"'); ctx.type = 'text/plain'; ctx.body = 'fresh' }
  } else if (route === 'GET /stream') {
    const body = new PassThrough()
    ctx.type = 'text/plain'
    ctx.body = body
    let i = 0
    const tick = () => (i < 5 ? (body.write(`chunk ${i++}\n`), setTimeout(tick, 5)) : body.end())
    tick()
  } else if (route === 'GET /sse') {
    ctx.type = 'text/event-stream'
    ctx.set('cache-control', 'no-cache')
    ctx.body = 'data: 0\n\ndata: 1\n\ndata: 2\n\n'
  } else if (route === 'GET /boom') throw new Error('on purpose')
  else if (route === 'GET /ip') ctx.body = ctx.req.socket.remoteAddress
  else if (route === 'GET /slow') {
    ctx.respond = false
    const res = ctx.res
    res.on('close', () => !res.writableFinished && noteAbort())
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first\n')
    setTimeout(() => res.end('last\n'), 1000)
  } else if (route === 'GET /aborted') ctx.body = String(aborted())
})
app.silent = true
export default app
