// Baseline for bench/tls.mjs: the shared handler on a bare node:https server, one process.
// usage: node bench/servers/bare-https.mjs PORT CERTFILE KEYFILE
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import { app } from './app.mjs'

const [port, certfile, keyfile] = [Number(process.argv[2] ?? 18081), process.argv[3], process.argv[4]]
const server = createServer({ cert: readFileSync(certfile), key: readFileSync(keyfile), ALPNProtocols: ['http/1.1'] }, app)
server.keepAliveTimeout = 2000 // gu's default --keep-alive 2, so both sides speak the same headers
server.listen(port, '127.0.0.1', () => {
  process.stderr.write(`Booting worker with pid: ${process.pid} (bare node:https at https://127.0.0.1:${port})\n`)
})
process.on('SIGINT', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
