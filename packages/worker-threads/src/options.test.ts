import { describe, expect, it } from 'vitest'
import { defaultThreads, poolOptions, QUEUE_PER_THREAD } from './options.js'

describe('poolOptions', () => {
  it('defaults to the cores shared among the workers, at least 2, and 32 queue slots per thread', () => {
    const { threads, queue } = poolOptions({ workers: 1, threads: null, threadQueue: null })
    expect(threads).toBe(defaultThreads(1))
    expect(threads).toBeGreaterThanOrEqual(2)
    expect(queue).toBe(threads * QUEUE_PER_THREAD)
    expect(defaultThreads(64)).toBe(2)
  })

  it('takes --threads and --thread-queue when given', () => {
    expect(poolOptions({ workers: 1, threads: 3, threadQueue: 0 })).toEqual({ threads: 3, queue: 0 })
    expect(poolOptions({ workers: 1, threads: 5, threadQueue: null })).toEqual({ threads: 5, queue: 5 * QUEUE_PER_THREAD })
  })
})
