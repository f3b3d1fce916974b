// The matrix's Fastify 5 app.
import Fastify from 'fastify'
import { aborted, noteAbort } from './aborts.mjs'

const app = Fastify()
app.get('/hello', async (req) => ({ hello: 'fastify', x: req.query.x }))
app.post('/echo', async (req, reply) => reply.code(201).send(req.body))
app.get('/cookie', async (req, reply) => reply.header('set-cookie', ['a=1; Path=/', 'b=2; Path=/; HttpOnly']).header('x-custom', 'yes').send('cookies'))
app.get('/redirect', async (req, reply) => reply.redirect('/hello', 302))
app.get('/etag', async (req, reply) => (req.headers['if-none-match'] === '"v1"' ? reply.code(304).send() : reply.header('etag', '"v1"').type('text/plain').send('fresh')))
app.get('/stream', (req, reply) => {
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, { 'content-type': 'text/plain' })
  let i = 0
  const tick = () => (i < 5 ? (res.write(`chunk ${i++}\n`), setTimeout(tick, 5)) : res.end())
  tick()
})
app.get('/sse', (req, reply) => {
  reply.hijack()
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (let i = 0; i < 3; i++) reply.raw.write(`data: ${i}\n\n`)
  reply.raw.end()
})
app.get('/boom', async () => {
  throw new Error('on purpose')
})
app.get('/ip', async (req) => req.socket.remoteAddress)
app.get('/slow', (req, reply) => {
  reply.hijack()
  const res = reply.raw
  res.on('close', () => !res.writableFinished && noteAbort())
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.write('first\n')
  setTimeout(() => res.end('last\n'), 1000)
})
app.get('/aborted', async () => String(aborted()))
export default app
