/** What a request record carries so that `OpenRequests` can hold it. */
export interface Linked<T> {
  prev: T | undefined
  next: T | undefined
}

/**
 * The requests in flight, linked through the records themselves. A Set would hash each record
 * and grow and shrink its table as a burst of requests comes and goes, on every request of the
 * hot path; linking costs two fields.
 */
export class OpenRequests<T extends Linked<T>> {
  #head: T | undefined
  #size = 0

  get size(): number {
    return this.#size
  }

  add(item: T): void {
    const head = this.#head
    item.prev = undefined
    item.next = head
    if (head) head.prev = item
    this.#head = item
    this.#size++
  }

  /** Removes an item this list holds (each is added once and deleted once). */
  delete(item: T): void {
    const { prev, next } = item
    if (prev) prev.next = next
    else this.#head = next
    if (next) next.prev = prev
    item.prev = item.next = undefined
    this.#size--
  }

  *[Symbol.iterator](): IterableIterator<T> {
    // The next one is read first, so the current one may leave the list meanwhile.
    for (let item = this.#head; item; ) {
      const next = item.next
      yield item
      item = next
    }
  }
}
