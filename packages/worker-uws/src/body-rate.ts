// --min-body-rate over --body-timeout on uWS: a request body that arrives too slowly gets 408 and
// its connection closed, as the node:http classes' connection guard does. uWS shows a request only
// once its head is parsed, so this times bodies only (--header-timeout can't apply: README).
import type { Settings } from '@gu/core'
import type { Exchange } from './exchange.js'

interface Upload {
  readonly exchange: Exchange
  windowStart: number
  /** Body bytes received when the window started. */
  mark: number
}

export class BodyRateGuard {
  readonly #windowMs: number
  /** Bytes a window must bring, at least 1 (a rate of 0 cuts only a body that sends nothing). */
  readonly #needed: number
  readonly #uploads = new Set<Upload>()
  #timer: NodeJS.Timeout | undefined

  constructor(settings: Pick<Settings, 'bodyTimeout' | 'minBodyRate'>) {
    this.#windowMs = settings.bodyTimeout * 1000
    this.#needed = Math.max(1, settings.minBodyRate * settings.bodyTimeout)
  }

  /** Times `exchange`'s body from now until it is complete or the exchange is done. */
  track(exchange: Exchange): void {
    if (this.#windowMs <= 0) return
    this.#uploads.add({ exchange, windowStart: Date.now(), mark: exchange.bodyReceived })
    // A quarter of the window: a slow body is cut at most 25% after its window ends.
    this.#timer ??= setInterval(() => this.#sweep(), Math.max(50, Math.min(1000, this.#windowMs / 4))).unref()
  }

  close(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#uploads.clear()
  }

  #sweep(): void {
    const now = Date.now()
    for (const upload of this.#uploads) {
      const { exchange } = upload
      if (exchange.done || exchange.bodyComplete) {
        this.#uploads.delete(upload)
        continue
      }
      // The app isn't reading what arrived: it is the slow one, so the window starts again.
      if (exchange.bodyPaused) {
        upload.windowStart = now
        upload.mark = exchange.bodyReceived
        continue
      }
      if (now - upload.windowStart < this.#windowMs) continue
      if (exchange.bodyReceived - upload.mark < this.#needed) {
        this.#uploads.delete(upload)
        exchange.timeOutBody()
        continue
      }
      upload.windowStart = now
      upload.mark = exchange.bodyReceived
    }
    if (this.#uploads.size === 0) this.close()
  }
}
