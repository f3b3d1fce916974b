// The matrix's Hono 4 app (fetch interface).
import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import { streamSSE, streamText } from 'hono/streaming'
import { aborted, noteAbort } from './aborts.mjs'

const app = new Hono()
app.get('/hello', (c) => c.json({ hello: 'hono', x: c.req.query('x') }))
app.post('/echo', async (c) => c.json(await c.req.json(), 201))
app.get('/cookie', (c) => {
  setCookie(c, 'a', '1')
  setCookie(c, 'b', '2', { httpOnly: true })
  c.header('x-custom', 'yes')
  return c.text('cookies')
})
app.get('/redirect', (c) => c.redirect('/hello', 302))
app.get('/etag', (c) => (c.req.header('if-none-match') === '"v1"' ? c.body(null, 304) : c.text('fresh', 200, { etag: '"v1"' })))
app.get('/stream', (c) =>
  streamText(c, async (s) => {
    for (let i = 0; i < 5; i++) {
      await s.write(`chunk ${i}\n`)
      await s.sleep(5)
    }
  }),
)
app.get('/sse', (c) =>
  streamSSE(c, async (s) => {
    for (let i = 0; i < 3; i++) await s.writeSSE({ data: String(i) })
  }),
)
app.get('/boom', () => {
  throw new Error('on purpose')
})
app.get('/ip', (c) => c.text(c.env.incoming?.socket.remoteAddress ?? c.env.requestIP?.(c.req.raw)?.address ?? '?'))
app.get('/slow', (c) =>
  streamText(c, async (s) => {
    s.onAbort(() => noteAbort())
    await s.write('first\n')
    await s.sleep(1000)
    await s.write('last\n')
  }),
)
app.get('/aborted', (c) => c.text(String(aborted())))
export default app
