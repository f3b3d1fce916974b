/** A request waiting for a thread. */
export interface Waiting {
  /** Method and path, without the query: requests of one route cost alike. */
  readonly route: string
  /** When it began to wait (performance.now()). */
  readonly since: number
  /**
   * Runs it in a thread; calls `free` once, when the thread is done with it (before the response
   * is written on: the thread's next request need not wait for that).
   */
  run(free: () => void): void
}

/** How much one new measurement moves a route's estimate. */
const LEARNING_RATE = 0.3
/** Routes remembered; past that the oldest is forgotten (a path per id must not grow without end). */
const MAX_ROUTES = 1024

/**
 * The bounded queue in front of the pool, lightest first: each route's thread time is learnt
 * (a moving average), and when a thread frees up it takes the waiting request whose estimate
 * minus its time waited is least. So a light request does not wait behind heavy ones that came
 * before it, and a heavy one waits at most its own estimate longer than first-come-first-served
 * would make it (by then its score is below any newcomer's). A route not seen yet counts as light.
 */
export class LightFirstQueue {
  readonly #threads: number
  readonly #limit: number
  readonly #waiting: Waiting[] = []
  readonly #costs = new Map<string, number>()
  #running = 0

  constructor(threads: number, limit: number) {
    this.#threads = threads
    this.#limit = limit
  }

  /** Every thread busy and the queue at its limit: a new request can't be taken. */
  get full(): boolean {
    return this.#running >= this.#threads && this.#waiting.length >= this.#limit
  }

  /** Runs `request` now if a thread is free, else queues it. Check `full` first. */
  offer(request: Waiting): void {
    if (this.#running < this.#threads) this.#start(request)
    else this.#waiting.push(request)
  }

  /** Takes a request out of the queue (it timed out, its client left); false if it is not waiting. */
  remove(request: Waiting): boolean {
    const index = this.#waiting.indexOf(request)
    if (index !== -1) this.#waiting.splice(index, 1)
    return index !== -1
  }

  /** A route's learnt thread time in ms (0 when not seen yet). */
  estimate(route: string): number {
    return this.#costs.get(route) ?? 0
  }

  #start(request: Waiting): void {
    this.#running++
    const began = performance.now()
    let freed = false
    request.run(() => {
      if (freed) return
      freed = true
      this.#running--
      this.#learn(request.route, performance.now() - began)
      const next = this.#lightest()
      if (next) this.#start(next)
    })
  }

  #lightest(): Waiting | undefined {
    const waiting = this.#waiting
    if (waiting.length === 0) return undefined
    const now = performance.now()
    let best = 0
    let bestScore = Infinity
    for (let i = 0; i < waiting.length; i++) {
      const score = this.estimate(waiting[i]!.route) - (now - waiting[i]!.since)
      // Strictly less: among equals the earliest, as in a FIFO.
      if (score < bestScore) {
        bestScore = score
        best = i
      }
    }
    return waiting.splice(best, 1)[0]
  }

  #learn(route: string, ms: number): void {
    const known = this.#costs.get(route)
    this.#costs.delete(route)
    this.#costs.set(route, known === undefined ? ms : known + LEARNING_RATE * (ms - known))
    if (this.#costs.size > MAX_ROUTES) this.#costs.delete(this.#costs.keys().next().value!)
  }
}
