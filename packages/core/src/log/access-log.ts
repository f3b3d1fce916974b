import { type AccessEntry, compileAccessFormat } from './access-format.js'
import { LogSink } from './log-sink.js'

/** Writes one line a request to the access log, in the configured format. */
export class AccessLog {
  readonly #sink: LogSink
  readonly #format: (entry: AccessEntry) => string

  constructor(target: string, format: string) {
    this.#format = compileAccessFormat(format)
    this.#sink = new LogSink(target, process.stdout)
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
