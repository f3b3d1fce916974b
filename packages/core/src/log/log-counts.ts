/**
 * How many warning, error, critical and exception lines a process has logged since it started,
 * for statsd's `gunicorn.log.*` counters. As Gunicorn's statsd logger does, every call counts,
 * whatever `--log-level` lets through; an `error` with a cause counts as an `exception` (what
 * Gunicorn's `log.exception` is for), not as an `error` too.
 */
export interface LogCounts {
  warning: number
  error: number
  critical: number
  exception: number
}

export const COUNTED_LEVELS = ['warning', 'error', 'critical', 'exception'] as const satisfies readonly (keyof LogCounts)[]

export function noLogCounts(): LogCounts {
  return { warning: 0, error: 0, critical: 0, exception: 0 }
}
