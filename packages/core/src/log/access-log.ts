import { type AccessEntry, type AccessFormatter, compileAccessFormat } from './access-format.js'
import { compileAccessJson } from './access-json.js'
import { Destinations } from './destinations.js'
import type { AccessLogPlan } from './log-plan.js'
import { SyslogSender } from './syslog-sender.js'

/** Writes one line a request to the access log, in the configured template and line format. */
export class AccessLog {
  readonly #destinations: Destinations
  readonly #format: AccessFormatter
  readonly #line: (entry: AccessEntry) => string
  readonly #json: boolean
  readonly #syslog: SyslogSender | undefined

  constructor(plan: AccessLogPlan) {
    const format = compileAccessFormat(plan.template)
    this.#format = format
    this.#destinations = new Destinations(plan.to, 1)
    this.#json = plan.format === 'json'
    this.#syslog = plan.syslog ? new SyslogSender(plan.syslog, 'access') : undefined
    if (plan.format === 'json') {
      const json = compileAccessJson(format.atoms)
      this.#line = (entry) => json(entry, format(entry))
    } else {
      this.#line = (entry) => `${format(entry)}\n`
    }
  }

  /** Whether entries need the body bytes written (`b`, `B`, and the JSON form's `bytes`). */
  get readsResponseBytes(): boolean {
    return this.#json || this.#format.readsResponseBytes
  }

  /** Whether entries need response headers (`{name}o`). */
  get readsResponseHeaders(): boolean {
    return this.#format.readsResponseHeaders
  }

  write(entry: AccessEntry): void {
    const line = this.#line(entry)
    this.#destinations.write(line)
    this.#syslog?.send('info', line.slice(0, -1))
  }

  reopen(): void {
    this.#destinations.reopen()
  }

  async flush(): Promise<void> {
    await Promise.all([this.#destinations.flush(), this.#syslog?.flush()])
  }
}
