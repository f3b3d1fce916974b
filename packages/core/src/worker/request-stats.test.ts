import { describe, expect, it } from 'vitest'
import { DURATION_BUCKETS, DURATION_SAMPLES, RequestStats } from './request-stats.js'

describe('RequestStats', () => {
  it('counts by method and status, unusual methods as OTHER', () => {
    const stats = new RequestStats({ histogram: false, samples: false })
    stats.ended('GET', 200, undefined)
    stats.ended('GET', 200, undefined)
    stats.ended('GET', 404, undefined)
    stats.ended('BREW', 418, undefined)
    expect(stats.requests).toBe(4)
    expect(stats.counts).toEqual({ GET: { 200: 2, 404: 1 }, OTHER: { 418: 1 } })
    expect(stats.durations).toBeUndefined()
    expect(stats.takeSamples()).toBeUndefined()
  })

  it('puts each duration in its bucket (le), the slowest past every bucket in the last slot', () => {
    const stats = new RequestStats({ histogram: true, samples: false })
    for (const seconds of [0.001, 0.005, 0.3, 99]) stats.ended('GET', 200, seconds)
    const counts = stats.durations!.counts
    expect(counts).toHaveLength(DURATION_BUCKETS.length + 1)
    expect(counts[DURATION_BUCKETS.indexOf(0.005)]).toBe(2)
    expect(counts[DURATION_BUCKETS.indexOf(0.5)]).toBe(1)
    expect(counts.at(-1)).toBe(1)
    expect(stats.durations!.sum).toBeCloseTo(99.306)
  })

  it('hands statsd every duration in ms, then a sample with its rate past the cap', () => {
    const stats = new RequestStats({ histogram: false, samples: true })
    stats.ended('GET', 200, 0.012)
    expect(stats.takeSamples()).toEqual({ ms: [12], sampleRate: 1 })
    expect(stats.takeSamples()).toEqual({ ms: [], sampleRate: 1 })
    for (let i = 0; i < DURATION_SAMPLES * 4; i++) stats.ended('GET', 200, 0.001)
    const taken = stats.takeSamples()!
    expect(taken.ms).toHaveLength(DURATION_SAMPLES)
    expect(taken.sampleRate).toBe(0.25)
  })
})
