import type { MessagePort } from 'node:worker_threads'
import type { FromThread, FromThreadBatch } from './protocol.js'
import { RequestBoard } from './request-board.js'

/** What a request's exchange in the main thread takes from the thread serving it. */
export interface LinkedExchange {
  /** `port` is the serving thread's: where this request's messages to the thread go. */
  onBatch(messages: FromThread[], port: MessagePort): void
}

/**
 * The main thread's side of the pool's channels: one long-lived MessagePort per thread (no
 * channel made and transferred per request), and the requests in flight by id, so each batch a
 * thread posts reaches its request's exchange.
 */
export class ThreadLinks {
  readonly board = new RequestBoard()
  readonly #exchanges = new Map<number, LinkedExchange>()
  #lastId = 0

  /** A thread's port, from its load report. */
  add(port: MessagePort): void {
    port.on('message', (batch: FromThreadBatch) => this.#exchanges.get(batch.id)?.onBatch(batch.m, port))
    // The pool's threads keep the process alive, not their ports.
    port.unref()
  }

  /** A new request's id (never 0: the board's empty slots read 0). */
  open(exchange: LinkedExchange): number {
    this.#lastId = this.#lastId >= 0x7fffffff ? 1 : this.#lastId + 1
    this.#exchanges.set(this.#lastId, exchange)
    return this.#lastId
  }

  close(id: number): void {
    this.#exchanges.delete(id)
  }
}
