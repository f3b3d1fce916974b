import type { LogLevel } from '../settings/types.js'
import { Destinations } from './destinations.js'
import { errorLine } from './error-line.js'
import { type LogCounts, noLogCounts } from './log-counts.js'
import type { ErrorLogPlan } from './log-plan.js'
import { SyslogSender } from './syslog-sender.js'

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 }

/** The error log: Gunicorn's line shape, `[time] [pid] [LEVEL] message`, or JSON lines. */
export class Logger {
  #plan: ErrorLogPlan
  #destinations: Destinations
  #syslog: SyslogSender | undefined
  #min: number
  readonly #counts = noLogCounts()

  constructor(plan: ErrorLogPlan) {
    this.#plan = plan
    this.#destinations = new Destinations(plan.to, 2)
    this.#syslog = plan.syslog ? new SyslogSender(plan.syslog, 'error') : undefined
    this.#min = LEVELS[plan.level]
  }

  get level(): LogLevel {
    return this.#plan.level
  }

  /** What this log was built from (the request watchdog writes the same lines to the same places). */
  get plan(): ErrorLogPlan {
    return this.#plan
  }

  /** Warning, error, critical and exception calls so far, totals (see `log-counts.ts`). */
  get counts(): Readonly<LogCounts> {
    return this.#counts
  }

  /**
   * Applies reloaded settings in place, so everything holding this logger follows: new
   * destinations are opened (the old ones closed), unchanged ones are reopened.
   */
  reconfigure(plan: ErrorLogPlan): void {
    const same = plan.to.length === this.#plan.to.length && plan.to.every((d, i) => d === this.#plan.to[i])
    if (JSON.stringify(plan.syslog) !== JSON.stringify(this.#plan.syslog)) {
      this.#syslog?.close()
      this.#syslog = plan.syslog ? new SyslogSender(plan.syslog, 'error') : undefined
    }
    this.#plan = plan
    this.#min = LEVELS[plan.level]
    if (same) return this.reopen()
    const old = this.#destinations
    this.#destinations = new Destinations(plan.to, 2)
    void old.close()
  }

  debug(message: string): void {
    this.#log('debug', message)
  }
  info(message: string): void {
    this.#log('info', message)
  }
  warning(message: string): void {
    this.#counts.warning++
    this.#log('warning', message)
  }
  error(message: string, error?: unknown): void {
    if (error === undefined) this.#counts.error++
    else this.#counts.exception++
    this.#log('error', this.#withCause(message, error))
  }
  critical(message: string, error?: unknown): void {
    this.#counts.critical++
    this.#log('critical', this.#withCause(message, error))
  }

  /** A stack trace only at `--log-level debug`; otherwise the error's one-line message. */
  #withCause(message: string, error: unknown): string {
    if (error === undefined) return message
    if (error instanceof Error) return `${message}: ${this.#plan.level === 'debug' ? error.stack ?? error.message : error.message}`
    return `${message}: ${String(error)}`
  }

  #log(level: LogLevel, message: string): void {
    if (LEVELS[level] >= this.#min) this.always(level, message)
  }

  /** A line whatever the level (`--capture-output`: the app's own output is never filtered out). */
  always(level: LogLevel, message: string): void {
    const line = errorLine(this.#plan.format, level, message)
    this.#destinations.write(line)
    // Syslog stamps its own time: the text line without Gunicorn's timestamp and pid, or the JSON object.
    this.#syslog?.send(level, this.#plan.format === 'json' ? line.slice(0, -1) : `[${level.toUpperCase()}] ${message}`)
  }

  reopen(): void {
    this.#destinations.reopen()
  }

  /** Resolves once every line logged so far is written. */
  async flush(): Promise<void> {
    await Promise.all([this.#destinations.flush(), this.#syslog?.flush()])
  }
}
