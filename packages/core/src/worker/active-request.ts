import type { Linked } from './open-requests.js'
import type { ActiveRequest, RequestView, ResponseView } from './types.js'

/** The runtime's side of the requests in flight, as a request record needs it. */
export interface RequestLedger {
  /** Every connection must end after its response: a stop is under way, or keep-alive is off. */
  readonly closingAll: boolean
  /** Requests begun at or past this ordinal close their connection (max-requests); Infinity without. */
  readonly lastOrdinal: number
  /** Whether anything reads a request's start time and duration (the access log). */
  readonly timed: boolean
  /** Whether the metrics read its duration (`--metrics-bind`, `--statsd-host`): a cheaper clock. */
  readonly metered: boolean
  ended(record: RequestRecord, response: ResponseView): void
}

/** One request between `beginRequest` and `end`: what the access log and the stop need of it. */
export class RequestRecord implements ActiveRequest, Linked<RequestRecord> {
  /** When it began, for the access log only (unread clocks cost on the hot path). */
  readonly start: Date | undefined
  readonly startNs: bigint | undefined
  /** `performance.now()` at the start, for the metrics' duration histogram. */
  readonly startMs: number | undefined
  #ended = false
  /** Its neighbours among the runtime's requests in flight (see OpenRequests). */
  prev: RequestRecord | undefined = undefined
  next: RequestRecord | undefined = undefined

  constructor(
    private readonly ledger: RequestLedger,
    readonly view: RequestView,
    /** 1 for the worker's first request. */
    readonly ordinal: number,
    readonly mustClose: ((request: RequestView) => void) | undefined,
    readonly admitted: Promise<void> | undefined,
  ) {
    if (ledger.timed) {
      this.start = new Date()
      this.startNs = process.hrtime.bigint()
    }
    if (ledger.metered) this.startMs = performance.now()
  }

  get closeConnection(): boolean {
    return this.ledger.closingAll || this.ordinal >= this.ledger.lastOrdinal
  }

  end(response: ResponseView): void {
    if (this.#ended) return
    this.#ended = true
    this.ledger.ended(this, response)
  }
}
