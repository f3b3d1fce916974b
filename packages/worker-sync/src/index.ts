import { stopRequested, type WorkerClass, type WorkerRuntime } from '@gu/core'
import { OneAtATime } from './one-at-a-time.js'

/**
 * Gunicorn's sync worker for Node: each worker process serves exactly one request at a time,
 * closes every connection after its response, takes no connection while busy, and treats
 * `timeout` as the limit for one request.
 */
const syncWorker: WorkerClass = {
  name: 'sync',
  sockets: 'inherit',
  timeout: 'request',
  async run(worker: WorkerRuntime): Promise<void> {
    const engine = new OneAtATime(worker)
    await engine.listen()
    worker.ready()
    await stopRequested(worker)
    if (worker.stopMode === 'graceful') await engine.stop()
  },
}

export default syncWorker
