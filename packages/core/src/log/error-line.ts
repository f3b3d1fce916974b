import type { LogLevel } from '../settings/types.js'
import type { LineFormat } from './log-plan.js'
import { timestamp } from './timestamp.js'

/** One error-log line, newline included: Gunicorn's `[time] [pid] [LEVEL] message`, or a JSON object. */
export function errorLine(format: LineFormat, level: LogLevel, message: string, date = new Date()): string {
  if (format === 'json') return `${JSON.stringify({ time: date.toISOString(), level, pid: process.pid, message })}\n`
  return `[${timestamp(date)}] [${process.pid}] [${level.toUpperCase()}] ${message}\n`
}
