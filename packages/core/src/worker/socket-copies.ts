import { isSocketCopyMessage, type WorkerMessage } from './messages.js'
import type { ListenHandle } from './types.js'

/** Ask for more once fewer than this many copies of a socket are in stock or on their way. */
const LOW_WATER = 8
const BATCH = 32

/**
 * Fresh descriptors of the listening sockets, sent by the arbiter over IPC (each send passes a
 * new descriptor). A worker that must stop accepting while busy closes its descriptor — the only
 * way to stop libuv accepting — and listens on a new copy when it is idle again. Copies are
 * asked for in batches, ahead of need, so taking one rarely waits.
 */
export class SocketCopies {
  readonly #stock: ListenHandle[][]
  readonly #waiting: Array<Array<(handle: ListenHandle) => void>>
  #onTheWay = 0

  constructor(
    socketCount: number,
    private readonly send: (message: WorkerMessage) => void,
  ) {
    this.#stock = Array.from({ length: socketCount }, () => [])
    this.#waiting = Array.from({ length: socketCount }, () => [])
    process.on('message', (message: unknown, handle: unknown) => {
      if (isSocketCopyMessage(message) && handle) this.#arrived(message.index, handle as ListenHandle)
    })
  }

  take(index: number): Promise<ListenHandle> {
    const stock = this.#stock[index]
    if (!stock) return Promise.reject(new RangeError(`there is no listening socket ${index}`))
    const handle = stock.shift()
    this.#refill()
    if (handle) return Promise.resolve(handle)
    return new Promise((resolve) => this.#waiting[index]!.push(resolve))
  }

  #arrived(index: number, handle: ListenHandle): void {
    // Copies come one per socket; count a batch as arrived when the last socket's copy does.
    if (index === this.#stock.length - 1) this.#onTheWay = Math.max(0, this.#onTheWay - 1)
    const waiter = this.#waiting[index]?.shift()
    if (waiter) waiter(handle)
    else this.#stock[index]?.push(handle)
  }

  #refill(): void {
    const lowest = Math.min(...this.#stock.map((s) => s.length))
    if (lowest + this.#onTheWay >= LOW_WATER) return
    this.#onTheWay += BATCH
    this.send({ type: 'socket-copies', count: BATCH })
  }
}
