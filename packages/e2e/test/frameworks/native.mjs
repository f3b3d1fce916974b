// Serves one matrix app with its framework's own listen() on an ephemeral port, and prints it.
import { serve } from '@hono/node-server'

const name = process.argv[2]
const printPort = (port) => console.log(`listening ${port}`)
if (name === 'hono') {
  const { default: app } = await import('./hono-app.mjs')
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => printPort(info.port))
} else if (name === 'fastify') {
  const { default: app } = await import('./fastify-app.mjs')
  await app.listen({ port: 0, host: '127.0.0.1' })
  printPort(app.server.address().port)
} else {
  const { app } = name === 'express' ? await import('./express-app.mjs') : { app: (await import('./koa-app.mjs')).default }
  const server = app.listen(0, '127.0.0.1', () => printPort(server.address().port))
}
