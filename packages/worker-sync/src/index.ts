import { CONTRACT_VERSION, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'
import { loadNativeAccept, nativeAccept } from './acceptors/native-accept.js'
import { socketCopies } from './acceptors/socket-copies.js'
import { type AcceptorFactory, SyncEngine } from './sync-engine.js'

/** `GU_SYNC_ACCEPT=copies` forces the portable acceptor (for comparison and tests). */
function chooseAcceptor(): AcceptorFactory {
  const binding = process.env.GU_SYNC_ACCEPT === 'copies' ? undefined : loadNativeAccept()
  return binding ? nativeAccept(binding) : socketCopies
}

/**
 * Gunicorn's sync worker for Node: each worker process serves exactly one request at a time,
 * closes every connection after its response, takes no connection while busy, and treats
 * `timeout` as the limit for one request.
 */
const syncWorker: WorkerClass = {
  contract: CONTRACT_VERSION,
  name: 'sync',
  sockets: 'inherit',
  timeout: 'request',
  async run(worker: WorkerRuntime): Promise<void> {
    const engine = new SyncEngine(worker, chooseAcceptor())
    worker.log.debug(`sync worker accepting with ${engine.acceptorName}`)
    await engine.start()
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode === 'graceful') await engine.stop()
  },
}

export default syncWorker
