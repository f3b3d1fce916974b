/**
 * What piscina needs of a task's AbortSignal (it listens for 'abort', then stops listening when
 * the task ends), and no more: a real AbortController per request costs the main thread an
 * EventTarget, its listener bookkeeping and an abort-reason object for every request, though
 * only a `--timeout` ever aborts one.
 */
export class TaskAbort {
  aborted = false
  #listener: (() => void) | undefined

  addEventListener(_name: 'abort', listener: () => void): void {
    this.#listener = listener
  }

  removeEventListener(_name: 'abort', listener: () => void): void {
    if (this.#listener === listener) this.#listener = undefined
  }

  /** Piscina terminates the task's thread if it runs, or drops it from its queue. */
  abort(): void {
    if (this.aborted) return
    this.aborted = true
    const listener = this.#listener
    this.#listener = undefined
    listener?.()
  }
}
