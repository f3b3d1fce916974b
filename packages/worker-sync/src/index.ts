import { CONTRACT_VERSION, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'
import { loadNativeAccept, nativeAccept } from './acceptors/native-accept.js'
import { socketCopies } from './acceptors/socket-copies.js'
import { type AcceptorFactory, SyncEngine } from './sync-engine.js'

/**
 * `GU_SYNC_ACCEPT=copies` forces the portable acceptor (for comparison and tests). Without the
 * native addon (its build script didn't run, as under pnpm 10 until approved), the first worker
 * says so in one warning line: new connections are then served about half as fast.
 */
function chooseAcceptor(worker: WorkerRuntime): AcceptorFactory {
  if (process.env.GU_SYNC_ACCEPT === 'copies') return socketCopies
  const binding = loadNativeAccept()
  if (binding) return nativeAccept(binding)
  if (worker.age === 1) {
    worker.log.warning(
      "@gu/worker-sync: its native acceptor isn't built, so workers accept with socket copies (slower); build it with 'npm rebuild @gu/worker-sync', or under pnpm 'pnpm approve-builds' then 'pnpm rebuild @gu/worker-sync' (needs python3, make and a C compiler)",
    )
  }
  return socketCopies
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
    const engine = new SyncEngine(worker, chooseAcceptor(worker))
    worker.log.debug(`sync worker accepting with ${engine.acceptorName}`)
    await engine.start()
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode === 'graceful') await engine.stop()
  },
}

export default syncWorker
