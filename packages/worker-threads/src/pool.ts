import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { BroadcastChannel } from 'node:worker_threads'
import type { WorkerRuntime } from '@gu/core'
import { Piscina } from 'piscina'
import type { PoolOptions } from './options.js'
import type { LoadReport, ThreadData } from './protocol.js'

const THREAD_FILE = fileURLToPath(new URL('./thread.js', import.meta.url))

/**
 * Starts `threads` threads, each loading the app, and resolves once every one has it (Gunicorn's
 * gthread builds its pool before it serves). A thread that fails to load rejects with that error,
 * its `code` (`GU_APP_LOAD`) kept, so the worker exits 4.
 */
export async function startPool(worker: WorkerRuntime, options: PoolOptions): Promise<Piscina> {
  const name = `gu-threads:${process.pid}:${randomUUID()}`
  const channel = new BroadcastChannel(name)
  const loaded = new Promise<void>((resolve, reject) => {
    const ready = new Set<number>()
    channel.onmessage = (event) => {
      const report = (event as unknown as { data: LoadReport }).data
      if (!report.ok) return reject(Object.assign(new Error(report.message), { code: report.code }))
      ready.add(report.threadId)
      if (ready.size >= options.threads) resolve()
    }
  })
  const { forwardedAllowIps, secureSchemeHeaders } = worker.settings
  const workerData: ThreadData = { appSource: worker.appSource, channel: name, proxyTrust: { forwardedAllowIps, secureSchemeHeaders } }
  const pool = new Piscina({
    filename: THREAD_FILE,
    minThreads: options.threads,
    maxThreads: options.threads,
    // One request per thread at a time, as in gthread; the bounded queue is ours (see threadsListener).
    concurrentTasksPerWorker: 1,
    // Idle threads keep their event loop turning (an app's timers, late 'close' events).
    atomics: 'disabled',
    idleTimeout: Number.MAX_SAFE_INTEGER,
    workerData,
  })
  // A thread that dies between requests (an uncaught error in a timer, process.exit): logged, replaced.
  pool.on('error', (error) => worker.log.error('A thread of the pool died between requests; it is replaced', error))
  try {
    await loaded
  } catch (error) {
    await pool.destroy().catch(() => {})
    throw error
  } finally {
    channel.close()
  }
  return pool
}
