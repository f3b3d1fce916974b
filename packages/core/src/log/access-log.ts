import { type AccessEntry, type AccessFormatter, compileAccessFormat } from './access-format.js'
import { LogSink } from './log-sink.js'

/** Writes one line a request to the access log, in the configured format. */
export class AccessLog {
  readonly #sink: LogSink
  readonly #format: AccessFormatter

  constructor(target: string, format: string) {
    this.#format = compileAccessFormat(format)
    this.#sink = new LogSink(target, process.stdout)
  }

  /** Whether entries need the body bytes written (`b`, `B`). */
  get readsResponseBytes(): boolean {
    return this.#format.readsResponseBytes
  }

  /** Whether entries need response headers (`{name}o`). */
  get readsResponseHeaders(): boolean {
    return this.#format.readsResponseHeaders
  }

  write(entry: AccessEntry): void {
    this.#sink.write(this.#format(entry))
  }

  reopen(): void {
    this.#sink.reopen()
  }

  flush(): Promise<void> {
    return this.#sink.flush()
  }
}
