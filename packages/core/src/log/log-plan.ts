import type { LogLevel } from '../settings/types.js'
import type { SyslogPlan } from './syslog-sender.js'

/** How a log's lines are written: Gunicorn's text, or one JSON object a line. */
export type LineFormat = 'text' | 'json'

/**
 * Where a log's lines go: `-` (the log's own standard stream: stderr for the error log, stdout
 * for the access log), `stdout`, `stderr`, or a file path (absolute once resolved).
 */
export type Destination = string

export interface ErrorLogPlan {
  readonly level: LogLevel
  readonly format: LineFormat
  readonly to: readonly Destination[]
  /** Also to syslog (`--log-syslog`, or `"syslog"` among a log config's destinations). */
  readonly syslog: SyslogPlan | null
}

export interface AccessLogPlan {
  readonly format: LineFormat
  readonly to: readonly Destination[]
  /** The access line in Gunicorn's atoms (`--access-logformat`); in JSON lines it is the `message`. */
  readonly template: string
  readonly syslog: SyslogPlan | null
}

/**
 * Both logs, resolved once in the arbiter from the settings and `--log-config`, and sent to each
 * worker as it is (plain JSON), so every process writes the same lines to the same places.
 */
export interface LogPlan {
  readonly error: ErrorLogPlan
  /** Off (null) unless `--access-logfile` or the log config turns it on. */
  readonly access: AccessLogPlan | null
}

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const satisfies readonly LogLevel[]
export const LINE_FORMATS = ['text', 'json'] as const satisfies readonly LineFormat[]
