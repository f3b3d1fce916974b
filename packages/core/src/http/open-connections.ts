/** What the list needs of what it holds: the place it was given (-1 when not held). */
export interface Slotted {
  slot: number
}

/**
 * The connections a guard holds: a Set's add, delete, has and iteration, in an array where each
 * connection knows its place, so a delete moves the last one into it. A Set here kept every
 * connection it had held since the last scavenge alive through it (≈ 1.4 KB of socket, stream
 * and request state each, measured with --trace-gc-nvp at one connection per request), so V8
 * had to copy them all and promote them; a removed array slot holds nothing.
 * Not to be changed while iterated (a delete moves an entry the iteration may not have reached).
 */
export class OpenConnections<T extends Slotted> implements Iterable<T> {
  readonly #items: T[] = []

  get size(): number {
    return this.#items.length
  }

  add(item: T): void {
    if (item.slot >= 0) return
    item.slot = this.#items.length
    this.#items.push(item)
  }

  has(item: T): boolean {
    return item.slot >= 0 && this.#items[item.slot] === item
  }

  delete(item: T): void {
    if (!this.has(item)) return
    const last = this.#items.pop()!
    if (last !== item) {
      this.#items[item.slot] = last
      last.slot = item.slot
    }
    item.slot = -1
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#items[Symbol.iterator]()
  }
}
