import { CONTRACT_VERSION, fallbackWarning, isLoaded, stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'
import { loadNativeAccept, nativeAccept, PACKAGE_ROOT } from './acceptors/native-accept.js'
import { socketCopies } from './acceptors/socket-copies.js'
import { type AcceptorFactory, SyncEngine } from './sync-engine.js'

/**
 * `GU_SYNC_ACCEPT=copies` forces the portable acceptor (for comparison and tests). Without the
 * native addon (no prebuilt binary for this platform, and no build from source: no compiler, or
 * a build script pnpm didn't approve), the first worker says so in one warning line: new
 * connections are then served about half as fast.
 */
function chooseAcceptor(worker: WorkerRuntime): { factory: AcceptorFactory; from: string } {
  if (process.env.GU_SYNC_ACCEPT === 'copies') return { factory: socketCopies, from: 'GU_SYNC_ACCEPT=copies' }
  const addon = loadNativeAccept()
  if (isLoaded(addon)) return { factory: nativeAccept(addon.binding), from: `${addon.source}, ${addon.path}` }
  if (worker.age === 1) {
    const what = 'native acceptor'
    const consequence = 'workers accept with socket copies (slower)'
    worker.log.warning(fallbackWarning({ packageName: '@gu/worker-sync', packageRoot: PACKAGE_ROOT, what, reason: addon.reason, consequence }))
  }
  return { factory: socketCopies, from: addon.reason }
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
  // HTTPS with --certfile: applyRequestRules hands each accepted connection to node:tls first.
  tls: true,
  async run(worker: WorkerRuntime): Promise<void> {
    const acceptor = chooseAcceptor(worker)
    const engine = new SyncEngine(worker, acceptor.factory)
    worker.log.debug(`sync worker accepting with ${engine.acceptorName} (${acceptor.from})`)
    await engine.start()
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode === 'graceful') await engine.stop()
  },
}

export default syncWorker
