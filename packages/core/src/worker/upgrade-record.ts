import type { ActiveUpgrade, RequestView, ResponseView } from './types.js'

/** One upgraded connection (a WebSocket) between `beginUpgrade` and `end`. */
export class UpgradeRecord implements ActiveUpgrade {
  readonly start = new Date()
  readonly startNs = process.hrtime.bigint()
  #ended = false
  #goneAway = false

  constructor(
    readonly view: RequestView,
    readonly goAway: () => void,
    private readonly ended: (record: UpgradeRecord, response: ResponseView) => void,
  ) {}

  /** Asks it to close (once): a graceful stop has drained the requests. */
  leave(): void {
    if (this.#goneAway || this.#ended) return
    this.#goneAway = true
    this.goAway()
  }

  end(response: ResponseView): void {
    if (this.#ended) return
    this.#ended = true
    this.ended(this, response)
  }
}
