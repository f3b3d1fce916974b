import { createServer, type Server } from 'node:http'
import { applyRequestRules, CONTRACT_VERSION, drainServers, guardConnections, listenBalanced, nodeRequestListener, serveUpgrades, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'

/**
 * Event-loop concurrency on node:http: each worker process serves many connections at once,
 * keeps HTTP/1.1 connections alive for `keepalive` seconds and holds at most
 * `workerConnections` of them, shedding slow or idle ones to let a new client in (gu's
 * connection guard, which also times heads and bodies), WebSockets included, and takes new
 * connections only while it holds no more than its share (`listenBalanced`). On a graceful stop
 * it stops accepting and drains; open WebSockets are closed with 1001 once no request is in flight.
 */
const asyncWorker: WorkerClass = {
  contract: CONTRACT_VERSION,
  name: 'async',
  sockets: 'inherit',
  websockets: true,
  // HTTPS with --certfile: applyRequestRules puts each server behind node:tls.
  tls: true,
  async run(worker: WorkerRuntime): Promise<void> {
    const servers = worker.sockets.map(() => createEngine(worker))
    const guard = guardConnections(worker, servers)
    // Keep-alive connections spread evenly over the workers, not piled on the first to wake.
    await listenBalanced(servers, worker)
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode === 'graceful') await drainServers(servers, worker)
    guard.close()
  },
}

function createEngine(worker: WorkerRuntime): Server {
  const { settings } = worker
  const server = createServer(nodeRequestListener(worker))
  server.keepAliveTimeout = Math.max(1, settings.keepalive * 1000)
  applyRequestRules(server, worker)
  serveUpgrades(server, worker)
  return server
}

export default asyncWorker
