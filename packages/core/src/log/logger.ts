import type { LogLevel } from '../settings/types.js'
import { LogSink } from './log-sink.js'

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 }

/** The error log: Gunicorn's line shape, `[time] [pid] [LEVEL] message`. */
export class Logger {
  #sink: LogSink
  #target: string
  #level: LogLevel
  #min: number

  constructor(target: string, level: LogLevel = 'info') {
    this.#target = target
    this.#sink = new LogSink(target, process.stderr)
    this.#level = level
    this.#min = LEVELS[level]
  }

  get level(): LogLevel {
    return this.#level
  }

  /**
   * Applies reloaded settings in place, so everything holding this logger follows: a new target
   * gets a new sink (the old one is closed), an unchanged one is reopened.
   */
  reconfigure(target: string, level: LogLevel): void {
    this.#level = level
    this.#min = LEVELS[level]
    if (target === this.#target) return this.reopen()
    const old = this.#sink
    this.#target = target
    this.#sink = new LogSink(target, process.stderr)
    void old.flush()
  }

  debug(message: string): void {
    this.#log('debug', message)
  }
  info(message: string): void {
    this.#log('info', message)
  }
  warning(message: string): void {
    this.#log('warning', message)
  }
  error(message: string, error?: unknown): void {
    this.#log('error', this.#withCause(message, error))
  }
  critical(message: string, error?: unknown): void {
    this.#log('critical', this.#withCause(message, error))
  }

  /** A stack trace only at `--log-level debug`; otherwise the error's one-line message. */
  #withCause(message: string, error: unknown): string {
    if (error === undefined) return message
    if (error instanceof Error) return `${message}: ${this.#level === 'debug' ? error.stack ?? error.message : error.message}`
    return `${message}: ${String(error)}`
  }

  #log(level: LogLevel, message: string): void {
    if (LEVELS[level] < this.#min) return
    this.#sink.write(`[${timestamp(new Date())}] [${process.pid}] [${level.toUpperCase()}] ${message}`)
  }

  reopen(): void {
    this.#sink.reopen()
  }

  flush(): Promise<void> {
    return this.#sink.flush()
  }
}

const pad = (n: number) => String(n).padStart(2, '0')

/** The local zone's offset at `date`, as `+0100` / `-0700`. */
export function zoneOffset(date: Date): string {
  const offset = -date.getTimezoneOffset()
  return `${offset >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`
}

/** `2026-11-24 10:00:00 +0000`, local time with offset, as Gunicorn writes it. */
export function timestamp(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zoneOffset(date)}`
  )
}
