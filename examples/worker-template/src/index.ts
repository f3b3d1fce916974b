import { CONTRACT_VERSION, ConnectionGuard, drain, listenInherited, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'
import { createEngine } from './engine.js'

/**
 * HTTP/2 over cleartext with prior knowledge (h2c) and HTTP/1.1 on the same sockets, with
 * event-loop concurrency. A graceful stop sends every HTTP/2 session GOAWAY, lets open streams
 * and requests finish, and leaves idle HTTP/1.1 keep-alive connections to expire as `drain` does.
 */
const h2cWorker: WorkerClass = {
  contract: CONTRACT_VERSION,
  name: 'h2c',
  sockets: 'inherit',
  async run(worker: WorkerRuntime): Promise<void> {
    // One guard for the worker: `workerConnections` is its cap across every socket.
    const guard = new ConnectionGuard(worker)
    const engines = worker.sockets.map(() => createEngine(worker, guard))
    await Promise.all(engines.map((engine, i) => listenInherited(engine.server, worker.sockets[i]!, worker.settings.backlog)))
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode !== 'graceful') return
    await drain(worker, {
      stopAccepting: () => Promise.all(engines.map((engine) => engine.stopAccepting())).then(() => {}),
      closeIdle: () => engines.forEach((engine) => engine.closeIdle()),
    })
    guard.close()
  },
}

export default h2cWorker
