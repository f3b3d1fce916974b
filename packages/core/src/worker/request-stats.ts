/** Request-duration buckets, in seconds: prom-client's defaults. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const
/** The most raw durations one stats message carries for statsd; beyond it they are sampled. */
export const DURATION_SAMPLES = 500

// Methods outside this list count as OTHER, so a client can't grow the label set.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'])

/**
 * A worker's per-request tallies, in plain numbers and small objects: a few increments per
 * request, read once a second by the stats reporter. Durations are kept only when something
 * reads them (metrics or statsd), as only then is each request timed.
 */
export class RequestStats {
  requests = 0
  /** Ended requests by method, then status code. */
  readonly counts: Record<string, Record<string, number>> = {}
  readonly durations: { counts: number[]; sum: number } | undefined
  #samples: number[] | undefined
  #seen = 0

  constructor(options: { histogram: boolean; samples: boolean }) {
    this.durations = options.histogram ? { counts: DURATION_BUCKETS.map(() => 0).concat(0), sum: 0 } : undefined
    this.#samples = options.samples ? [] : undefined
  }

  ended(method: string, status: number, seconds: number | undefined): void {
    this.requests++
    const byStatus = (this.counts[METHODS.has(method) ? method : 'OTHER'] ??= {})
    byStatus[status] = (byStatus[status] ?? 0) + 1
    if (seconds === undefined) return
    const durations = this.durations
    if (durations) {
      let i = 0
      while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++
      // The last slot counts those above every bucket (+Inf only).
      durations.counts[i]!++
      durations.sum += seconds
    }
    const samples = this.#samples
    if (samples) {
      // Reservoir sampling: every request has the same chance to be among those sent.
      this.#seen++
      if (samples.length < DURATION_SAMPLES) samples.push(seconds * 1000)
      else {
        const j = Math.floor(Math.random() * this.#seen)
        if (j < DURATION_SAMPLES) samples[j] = seconds * 1000
      }
    }
  }

  /** The durations since the last call, for statsd, and the rate they were sampled at. */
  takeSamples(): { ms: number[]; sampleRate: number } | undefined {
    const samples = this.#samples
    if (!samples) return undefined
    const taken = { ms: samples.map((ms) => Math.round(ms * 1000) / 1000), sampleRate: this.#seen > samples.length ? samples.length / this.#seen : 1 }
    this.#samples = []
    this.#seen = 0
    return taken
  }
}
