import { availableParallelism } from 'node:os'
import type { Settings } from '@gu/core'

/** How many threads and how long a queue one worker process gets. */
export interface PoolOptions {
  readonly threads: number
  readonly queue: number
}

/** Queue slots per thread when `threadQueue` is not set. */
export const QUEUE_PER_THREAD = 32

/**
 * `--threads` and `--thread-queue`, or this class's defaults: the cores shared among the worker
 * processes, at least 2 per process (so one heavy request never holds a process's every thread),
 * and a queue of 32 per thread.
 */
export function poolOptions(settings: Pick<Settings, 'threads' | 'threadQueue' | 'workers'>): PoolOptions {
  const threads = settings.threads ?? defaultThreads(settings.workers)
  return { threads, queue: settings.threadQueue ?? threads * QUEUE_PER_THREAD }
}

export function defaultThreads(workers: number): number {
  return Math.max(2, Math.ceil(availableParallelism() / Math.max(1, workers)))
}
