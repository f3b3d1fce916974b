import type { MessagePort } from 'node:worker_threads'
import type { Logger } from '@gu/core'
import type { AppStop, FromThread, FromThreadBatch, ThreadFiles, ThreadMetrics } from './protocol.js'

/** How long a scrape waits for a thread's metrics (a thread busy with a long request is left out). */
const METRICS_WAIT_MS = 500
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
  /** Scrapes waiting for threads' metrics, by number. */
  readonly #scrapes = new Map<number, (metrics: unknown[]) => void>()
  #lastScrape = 0

  /** `onFiles`: `--reload`'s files a thread loaded, for the arbiter to watch. */
  constructor(readonly onFiles: (files: readonly string[]) => void) {}

  /** A thread's port, from its load report. */
  add(port: MessagePort): void {
    this.#ports.set(port, undefined)
    port.once('close', () => this.#ports.delete(port))
    port.on('message', (message: FromThreadBatch | AppStop | ThreadFiles | ThreadMetrics) => {
      if (!('gu' in message)) return this.#exchanges.get(message.id)?.onBatch(message.m, port)
      if (message.gu === 'stopped') this.#ports.get(port)?.(message)
      else if (message.gu === 'files') this.onFiles(message.files)
      else if (message.gu === 'metrics' && 'metrics' in message) this.#scrapes.get(message.n)?.(message.metrics)
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

  /** Every thread's app metrics, concatenated (the arbiter sums equal names and labels); threads that don't answer in time are left out. */
  collectMetrics(): Promise<unknown[]> {
    const n = ++this.#lastScrape
    const expected = this.#ports.size
    if (expected === 0) return Promise.resolve([])
    return new Promise((resolve) => {
      const all: unknown[] = []
      let answered = 0
      const done = () => {
        clearTimeout(timer)
        this.#scrapes.delete(n)
        resolve(all)
      }
      const timer = setTimeout(done, METRICS_WAIT_MS)
      this.#scrapes.set(n, (metrics) => {
        all.push(...metrics)
        if (++answered === expected) done()
      })
      for (const port of this.#ports.keys()) port.postMessage({ gu: 'metrics', n } satisfies ThreadMetrics)
    })
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
