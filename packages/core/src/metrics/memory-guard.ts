import type { Arbiter } from '../arbiter/arbiter.js'
import type { Logger } from '../log/logger.js'
import { formatSize, parseSize } from '../settings/size.js'

/** Samples in a row above the limit before a worker is recycled: a brief spike is let be. */
const SAMPLES_ABOVE = 2

/**
 * `--max-worker-memory`: checks each worker's resident memory as its stats arrive (every
 * second) and asks the arbiter to recycle one that stays above the limit. The arbiter does it
 * as for max-requests: the replacement boots, then the worker stops gracefully.
 */
export class MemoryGuard {
  readonly #above = new Map<number, number>()
  readonly #recycled = new Set<number>()

  constructor(arbiter: Arbiter, log: Logger) {
    arbiter.events.on('worker-exit', ({ pid }) => {
      this.#above.delete(pid)
      this.#recycled.delete(pid)
    })
    arbiter.events.on('worker-stats', (pid, stats) => {
      const setting = arbiter.snapshot.settings.maxWorkerMemory
      const limit = setting ? parseSize(setting) : undefined
      if (!limit || typeof stats.rss !== 'number' || stats.rss <= limit) return void this.#above.delete(pid)
      const times = (this.#above.get(pid) ?? 0) + 1
      this.#above.set(pid, times)
      if (times < SAMPLES_ABOVE || this.#recycled.has(pid)) return
      const worker = arbiter.snapshot.workers.find((w) => w.pid === pid)
      if (!worker || worker.state !== 'serving') return
      this.#recycled.add(pid)
      log.warning(`Worker (pid:${pid}) uses ${formatSize(stats.rss)} of memory, above --max-worker-memory ${formatSize(limit)}: recycling it gracefully once its replacement has booted`)
      arbiter.request({ kind: 'recycle', pid, reason: 'memory' })
    })
  }
}
