// Baseline (b): the shared handler on node:cluster, N workers (default scheduling policy).
// usage: node bench/servers/cluster.mjs PORT WORKERS
import cluster from 'node:cluster'
import { createServer } from 'node:http'
import { app } from './app.mjs'

const port = Number(process.argv[2] ?? 18082)
const workers = Number(process.argv[3] ?? 2)

if (cluster.isPrimary) {
  let listening = 0
  cluster.on('listening', () => {
    if (++listening === workers) process.stderr.write(`Listening at: http://127.0.0.1:${port} (${process.pid})\n`)
  })
  cluster.on('exit', (w, code) => {
    process.stderr.write(`worker ${w.process.pid} exited (${code})\n`)
    process.exit(1)
  })
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
