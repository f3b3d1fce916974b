import type { MessagePort } from 'node:worker_threads'
import type { Logger } from '@gu/core'
import type { AppStop, FromThread, FromThreadBatch, ThreadFiles } from './protocol.js'
import { RequestBoard } from './request-board.js'

/** What a request's exchange in the main thread takes from the thread serving it. */
export interface LinkedExchange {
  /** `port` is the serving thread's: where this request's messages to the thread go. */
  onBatch(messages: FromThread[], port: MessagePort | undefined): void
}

/**
 * The main thread's side of the pool's channels: one long-lived MessagePort per thread (no
 * channel made and transferred per request), and the requests in flight by id, so each batch a
 * thread posts reaches its request's exchange.
 */
export class ThreadLinks {
  readonly board = new RequestBoard()
  readonly #exchanges = new Map<number, LinkedExchange>()
  /** Every live thread's port, and for those stopping their app, what to do with the answer. */
  readonly #ports = new Map<MessagePort, ((stopped: AppStop & { gu: 'stopped' }) => void) | undefined>()
  #lastId = 0

  /** `onFiles`: `--reload`'s files a thread loaded, for the arbiter to watch. */
  constructor(readonly onFiles: (files: readonly string[]) => void) {}

  /** A thread's port, from its load report. */
  add(port: MessagePort): void {
    this.#ports.set(port, undefined)
    port.once('close', () => this.#ports.delete(port))
    port.on('message', (message: FromThreadBatch | AppStop | ThreadFiles) => {
      if (!('gu' in message)) return this.#exchanges.get(message.id)?.onBatch(message.m, port)
      if (message.gu === 'stopped') this.#ports.get(port)?.(message)
      else if (message.gu === 'files') this.onFiles(message.files)
    })
    // The pool's threads keep the process alive, not their ports.
    port.unref()
  }

  /**
   * A graceful stop, once requests are done: every thread's instance of the app runs its
   * `shutdown`, then its SIGTERM handlers; resolves once each has (or its thread ended). The
   * worker's graceful-timeout timer bounds the wait, as for any class.
   */
  stopApps(log: Logger): Promise<void> {
    const each = [...this.#ports.keys()].map(
      (port) =>
        new Promise<void>((resolve) => {
          const done = () => {
            port.off('close', done)
            port.unref()
            resolve()
          }
          this.#ports.set(port, ({ errors }) => {
            for (const error of errors) log.error(error)
            done()
          })
          port.once('close', done)
          // Held until it answers: nothing else may keep the process alive meanwhile.
          port.ref()
          port.postMessage({ gu: 'stop' } satisfies AppStop)
        }),
    )
    return Promise.all(each).then(() => {})
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
