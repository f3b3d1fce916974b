import { METHODS } from 'node:http'
import { Worker } from 'node:worker_threads'
import { WATCHDOG_THREAD } from '../arbiter/paths.js'
import { WATCHDOG_LAYOUT, type WatchdogData, readRequestLine } from './watchdog-layout.js'

const METHOD_CODES = new Map(METHODS.map((method, i) => [method, i]))

/**
 * For workers whose `timeout` limits each request: a thread that watches the request in
 * progress from outside the event loop, so when a request overruns — even one that blocks the
 * loop, where no JavaScript on the main thread can run — the error log still says which one.
 * The main thread only writes to shared memory; the arbiter does the killing.
 */
export class RequestWatchdog {
  readonly #state: Int32Array
  readonly #start: Float64Array
  readonly #url: Uint8Array
  readonly #encoder = new TextEncoder()
  readonly #thread: Worker

  constructor(data: Omit<WatchdogData, 'shared' | 'methods'>) {
    const shared = new SharedArrayBuffer(WATCHDOG_LAYOUT.bytes)
    this.#state = new Int32Array(shared, 0, 4)
    this.#start = new Float64Array(shared, WATCHDOG_LAYOUT.startOffset, 1)
    this.#url = new Uint8Array(shared, WATCHDOG_LAYOUT.urlOffset, WATCHDOG_LAYOUT.urlBytes)
    this.#thread = new Worker(WATCHDOG_THREAD, { workerData: { ...data, shared, methods: METHODS } satisfies WatchdogData })
    this.#thread.unref()
  }

  /** A request began: its method, URL and start time become visible to the thread. */
  begin(method: string | undefined, url: string | undefined): void {
    const { written } = this.#encoder.encodeInto(url ?? '', this.#url)
    // The method as a number: no string is built per request.
    Atomics.store(this.#state, WATCHDOG_LAYOUT.method, METHOD_CODES.get(method ?? '') ?? -1)
    Atomics.store(this.#state, WATCHDOG_LAYOUT.length, written)
    this.#start[0] = Date.now()
    Atomics.add(this.#state, WATCHDOG_LAYOUT.seq, 1) // odd: busy
  }

  /** The request in progress is timed from now (its time so far was not the app's). */
  restart(): void {
    this.#start[0] = Date.now()
  }

  end(): void {
    if (Atomics.load(this.#state, WATCHDOG_LAYOUT.seq) % 2 === 1) Atomics.add(this.#state, WATCHDOG_LAYOUT.seq, 1)
  }

  /**
   * The request in progress, if its overrun has not been reported yet by the thread; claiming it
   * means the caller reports it (so a request is named once, by whichever side gets there first).
   */
  claimReport(): { line: string; elapsedMs: number } | undefined {
    const seq = Atomics.load(this.#state, WATCHDOG_LAYOUT.seq)
    if (seq % 2 === 0) return undefined
    const previous = Atomics.load(this.#state, WATCHDOG_LAYOUT.reported)
    if (previous === seq || Atomics.compareExchange(this.#state, WATCHDOG_LAYOUT.reported, previous, seq) !== previous) return undefined
    return { line: readRequestLine(this.#state, this.#url, METHODS), elapsedMs: Date.now() - this.#start[0]! }
  }
}
