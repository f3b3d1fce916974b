import { createServer, type Server } from 'node:http'
import { OpenResponses, drainServers, listenInherited, shouldClose, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'

/**
 * Event-loop concurrency on node:http: each worker process serves many connections at once,
 * keeps HTTP/1.1 connections alive for `keepalive` seconds and holds at most
 * `workerConnections` of them. On a graceful stop it stops accepting and drains.
 */
const asyncWorker: WorkerClass = {
  name: 'async',
  sockets: 'inherit',
  async run(worker: WorkerRuntime): Promise<void> {
    const { settings } = worker
    const open = new OpenResponses()
    const servers = worker.sockets.map(() => createEngine(worker, open))
    await Promise.all(servers.map((server, i) => listenInherited(server, worker.sockets[i]!, settings.backlog)))
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode === 'graceful') await drainServers(servers, worker, open)
  },
}

function createEngine(worker: WorkerRuntime, open: OpenResponses): Server {
  const { settings, listener } = worker
  const server = createServer((req, res) => {
    if (shouldClose(worker)) res.shouldKeepAlive = false
    else open.add(res)
    listener(req, res)
  })
  server.keepAliveTimeout = Math.max(1, settings.keepalive * 1000)
  server.maxConnections = settings.workerConnections
  return server
}

export default asyncWorker
