// bench/uws.mjs --part front: bare uWebSockets.js behind a node:net front in the same process,
// which pipes every connection's bytes both ways. uWS 20.30 can't adopt a socket node accepted,
// so a front that peeks at each request before uWS parses it costs at least this much.
// usage: node bench/servers/uws-net-front.mjs PORT
import { createRequire } from 'node:module'
import net from 'node:net'

const require = createRequire(new URL('../../packages/worker-uws/package.json', import.meta.url))
const uWS = require('uWebSockets.js')
const port = Number(process.argv[2] ?? 18092)
const TEXT = 'Hello, World!'

const app = uWS
  .App()
  .get('/json', (res) => {
    res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'application/json').end(JSON.stringify({ message: 'Hello, World!' })))
  })
  .get('/*', (res) => {
    res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'text/plain').end(TEXT))
  })
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) {
    process.stderr.write('uws-net-front: uWS could not listen\n')
    process.exit(1)
  }
  const inner = uWS.us_socket_local_port(socket)
  const front = net.createServer((client) => {
    const upstream = net.connect(inner, '127.0.0.1')
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    client.pipe(upstream).pipe(client)
    const close = () => (client.destroy(), upstream.destroy())
    client.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
  })
  front.listen(port, '127.0.0.1', () => process.stderr.write(`Listening at: http://127.0.0.1:${port} (${process.pid})\n`))
})
process.on('SIGINT', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
