/**
 * Which requests a thread has begun, and which the main thread gave up on before they began,
 * in memory shared by the main thread and every pool thread: a bodyless request's thread need
 * not post a message just to say it started (the main thread reads that here when `--timeout`
 * strikes: 504 if it ran, 503 if it only waited), and a request whose client left while it
 * waited is skipped by the thread that picks it up. Each request owns slot `id % SLOTS` and
 * writes its id there, so a slot reused by a later request never reads as an earlier one's.
 */
export const SLOTS = 1 << 14

export class RequestBoard {
  readonly #started: Int32Array
  readonly #cancelled: Int32Array

  constructor(readonly memory: SharedArrayBuffer = new SharedArrayBuffer(2 * SLOTS * Int32Array.BYTES_PER_ELEMENT)) {
    this.#started = new Int32Array(memory, 0, SLOTS)
    this.#cancelled = new Int32Array(memory, SLOTS * Int32Array.BYTES_PER_ELEMENT, SLOTS)
  }

  /** In the thread, as request `id` begins: false if the main thread cancelled it first. */
  begin(id: number): boolean {
    Atomics.store(this.#started, id % SLOTS, id)
    return Atomics.load(this.#cancelled, id % SLOTS) !== id
  }

  /** In the main thread: true once a thread began `id`. */
  started(id: number): boolean {
    return Atomics.load(this.#started, id % SLOTS) === id
  }

  /** In the main thread: `id` must not begin; false if a thread began it already. */
  cancel(id: number): boolean {
    Atomics.store(this.#cancelled, id % SLOTS, id)
    return !this.started(id)
  }
}
