// Baseline (b): the shared handler on node:cluster, N workers (default scheduling policy).
// Baseline (c) adds `close`: every response carries `Connection: close` (one request per
// connection, as gu's sync worker and Gunicorn's sync worker do).
// usage: node bench/servers/cluster.mjs PORT WORKERS [close]
import cluster from 'node:cluster'
import { createServer } from 'node:http'
import { app } from './app.mjs'

const port = Number(process.argv[2] ?? 18082)
const workers = Number(process.argv[3] ?? 2)
const close = process.argv[4] === 'close'

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
  const stop = (signal) => {
    process.stderr.write(`primary ${process.pid}: stopping on ${signal}\n`)
    cluster.removeAllListeners('exit')
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGKILL')
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.on('exit', (code) => process.stderr.write(`primary ${process.pid}: exit ${code}\n`))
} else {
  const listener = close
    ? (req, res) => {
        res.setHeader('connection', 'close')
        app(req, res)
      }
    : app
  const server = createServer(listener)
  server.keepAliveTimeout = 2000
  server.listen(port, '127.0.0.1')
  process.on('SIGINT', () => {}) // the primary ends us
}
