// The matrix's Express 5 app: the same routes as its Fastify, Koa and Hono twins.
import express from 'express'
import { aborted, noteAbort } from './aborts.mjs'

export const app = express()
app.use(express.json())
app.get('/hello', (req, res) => res.json({ hello: 'express', x: req.query.x }))
app.post('/echo', (req, res) => res.status(201).json(req.body))
app.get('/cookie', (req, res) => res.cookie('a', '1').cookie('b', '2', { httpOnly: true }).set('x-custom', 'yes').send('cookies'))
app.get('/redirect', (req, res) => res.redirect(302, '/hello'))
app.get('/etag', (req, res) => (req.headers['if-none-match'] === '"v1"' ? res.status(304).end() : res.set('etag', '"v1"').type('text/plain').send('fresh')))
app.get('/stream', (req, res) => {
  res.type('text/plain')
  let i = 0
  const tick = () => (i < 5 ? (res.write(`chunk ${i++}\n`), setTimeout(tick, 5)) : res.end())
  tick()
})
app.get('/sse', (req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (let i = 0; i < 3; i++) res.write(`data: ${i}\n\n`)
  res.end()
})
app.get('/boom', () => {
  throw new Error('on purpose')
})
app.get('/ip', (req, res) => res.send(req.socket.remoteAddress))
app.get('/slow', (req, res) => {
  res.on('close', () => !res.writableFinished && noteAbort())
  res.type('text/plain').write('first\n')
  setTimeout(() => res.end('last\n'), 1000)
})
app.get('/aborted', (req, res) => res.send(String(aborted())))
