import { fileURLToPath } from 'node:url'
import type { WorkerRuntime } from '@gu/core'
import { Piscina } from 'piscina'
import type { PoolOptions } from './options.js'
import { isLoadReport, type ThreadData } from './protocol.js'
import type { ThreadLinks } from './thread-links.js'

const THREAD_FILE = fileURLToPath(new URL('./thread.js', import.meta.url))

/**
 * Starts `threads` threads, each loading the app, and resolves once every one has it (Gunicorn's
 * gthread builds its pool before it serves). A thread that fails to load rejects with that error,
 * its `code` (`GU_APP_LOAD`) kept, so the worker exits 4. Every thread that loads, now or as a
 * replacement later, hands its port to `links`.
 */
export async function startPool(worker: WorkerRuntime, options: PoolOptions, links: ThreadLinks): Promise<Piscina> {
  const { forwardedAllowIps, secureSchemeHeaders } = worker.settings
  const { reload, chdir } = worker.settings
  const workerData: ThreadData = { appSource: worker.appSource, board: links.board.memory, reload, chdir, proxyTrust: { forwardedAllowIps, secureSchemeHeaders } }
  const pool = new Piscina({
    filename: THREAD_FILE,
    minThreads: options.threads,
    maxThreads: options.threads,
    // One request per thread at a time, as in gthread; the bounded queue is ours (see threadsListener).
    concurrentTasksPerWorker: 1,
    // Idle threads keep their event loop turning (an app's timers, late 'close' events).
    atomics: 'async',
    idleTimeout: Number.MAX_SAFE_INTEGER,
    workerData,
  })
  const loaded = new Promise<void>((resolve, reject) => {
    const ready = new Set<number>()
    pool.on('message', (report: unknown) => {
      if (!isLoadReport(report)) return
      if (report.gu === 'failed') return reject(Object.assign(new Error(report.message), { code: report.code }))
      links.add(report.port)
      ready.add(report.threadId)
      if (ready.size >= options.threads) resolve()
    })
  })
  // A thread that dies between requests (an uncaught error in a timer, process.exit): logged, replaced.
  pool.on('error', (error) => worker.log.error('A thread of the pool died between requests; it is replaced', error))
  try {
    await loaded
  } catch (error) {
    await pool.destroy().catch(() => {})
    throw error
  }
  return pool
}
