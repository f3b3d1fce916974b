import { createServer, type Server } from 'node:http'
import { CONTRACT_VERSION, drainServers, listenBalanced, nodeRequestListener, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'

/**
 * Event-loop concurrency on node:http: each worker process serves many connections at once,
 * keeps HTTP/1.1 connections alive for `keepalive` seconds and holds at most
 * `workerConnections` of them, taking new ones only while it holds no more than its share
 * (`listenBalanced`). On a graceful stop it stops accepting and drains.
 */
const asyncWorker: WorkerClass = {
  contract: CONTRACT_VERSION,
  name: 'async',
  sockets: 'inherit',
  async run(worker: WorkerRuntime): Promise<void> {
    const servers = worker.sockets.map(() => createEngine(worker))
    // Keep-alive connections spread evenly over the workers, not piled on the first to wake.
    await listenBalanced(servers, worker)
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode === 'graceful') await drainServers(servers, worker)
  },
}

function createEngine(worker: WorkerRuntime): Server {
  const { settings } = worker
  const server = createServer(nodeRequestListener(worker))
  server.keepAliveTimeout = Math.max(1, settings.keepalive * 1000)
  server.maxConnections = settings.workerConnections
  return server
}

export default asyncWorker
