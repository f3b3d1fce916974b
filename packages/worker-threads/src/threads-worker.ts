import { createServer, type Server } from 'node:http'
import { applyRequestRules, CONTRACT_VERSION, drainServers, guardConnections, listenBalanced, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'
import { poolOptions } from './options.js'
import { startPool } from './pool.js'
import { LightFirstQueue } from './light-first-queue.js'
import { ThreadLinks } from './thread-links.js'
import { threadsListener } from './threads-listener.js'

/**
 * Gunicorn's gthread for Node: node:http in the worker's main thread accepts, parses and writes;
 * the app runs in a piscina pool of `threads` threads, loaded once in each, one request per
 * thread at a time. `timeout` has the `thread` scope: the main loop stays free and heartbeats
 * flow, and a request that makes no progress for `timeout` seconds has its thread terminated and
 * replaced (504) while the process lives.
 */
const threadsWorker: WorkerClass = {
  contract: CONTRACT_VERSION,
  name: 'threads',
  sockets: 'inherit',
  timeout: 'thread',
  loadsApp: true,
  // HTTPS with --certfile, on the main thread: applyRequestRules puts each server behind node:tls.
  tls: true,
  async run(worker: WorkerRuntime): Promise<void> {
    const { settings } = worker
    const options = poolOptions(settings)
    const links = new ThreadLinks((files) => worker.reportLoadedFiles(files))
    const pool = await startPool(worker, options, links)
    worker.provideAppMetrics(() => links.collectMetrics())
    worker.log.debug(`Serving with ${options.threads} threads and a queue of ${options.queue}`)
    const queue = new LightFirstQueue(options.threads, options.queue)
    const listener = threadsListener({ worker, pool, links, queue }, options)
    const servers = worker.sockets.map(() => createEngine(worker, listener))
    // Slow clients (head, body) and shedding at `workerConnections`, as on every node:http class.
    const guard = guardConnections(worker, servers)
    await listenBalanced(servers, worker)
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode !== 'graceful') return
    await drainServers(servers, worker)
    guard.close()
    await links.stopApps(worker.log)
    await pool.destroy()
  },
}

function createEngine(worker: WorkerRuntime, listener: Parameters<typeof createServer>[0] & object): Server {
  const { settings } = worker
  const server = createServer(listener)
  server.keepAliveTimeout = Math.max(1, settings.keepalive * 1000)
  applyRequestRules(server, worker)
  return server
}

export default threadsWorker
