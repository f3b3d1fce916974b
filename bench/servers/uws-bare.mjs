// Baseline for bench/uws.mjs: the same two answers on bare uWebSockets.js, one process, no gu.
// usage: node bench/servers/uws-bare.mjs PORT
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../packages/worker-uws/package.json', import.meta.url))
const uWS = require('uWebSockets.js')
const port = Number(process.argv[2] ?? 18091)
const TEXT = 'Hello, World!'

uWS
  .App()
  .get('/json', (res) => {
    res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'application/json').end(JSON.stringify({ message: 'Hello, World!' })))
  })
  .get('/*', (res) => {
    res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'text/plain').end(TEXT))
  })
  .listen('127.0.0.1', port, (socket) => {
    if (!socket) {
      process.stderr.write(`uws-bare: could not listen on ${port}\n`)
      process.exit(1)
    }
    process.stderr.write(`Listening at: http://127.0.0.1:${port} (${process.pid})\n`)
  })
process.on('SIGINT', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
