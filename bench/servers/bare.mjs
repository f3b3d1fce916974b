// Baseline (a): the shared handler on a bare node:http server, one process.
// usage: node bench/servers/bare.mjs PORT
import { createServer } from 'node:http'
import { app } from './app.mjs'

const port = Number(process.argv[2] ?? 18081)
const server = createServer(app)
server.keepAliveTimeout = 2000 // gu's default --keep-alive 2, so both sides speak the same headers
server.listen(port, '127.0.0.1', () => {
  process.stderr.write(`Listening at: http://127.0.0.1:${port} (${process.pid})\n`)
})
process.on('SIGINT', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
