// node:cluster with N workers (default round-robin scheduling) serving the spread benchmark's handler.
// usage: node bench/servers/spread-cluster.mjs PORT WORKERS
import cluster from 'node:cluster'
import { createServer } from 'node:http'
import { app } from './spread-app.mjs'

const port = Number(process.argv[2])
const workers = Number(process.argv[3] ?? 4)

if (cluster.isPrimary) {
  let listening = 0
  cluster.on('listening', () => {
    if (++listening === workers) process.stderr.write(`Listening at: http://127.0.0.1:${port} (${process.pid})\n`)
  })
  cluster.on('exit', () => process.exit(1))
  for (let i = 0; i < workers; i++) cluster.fork()
  const stop = () => {
    cluster.removeAllListeners('exit')
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGKILL')
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
} else {
  const server = createServer(app)
  server.keepAliveTimeout = 2000
  server.listen(port, '127.0.0.1')
  process.on('SIGINT', () => {}) // the primary ends us
}
