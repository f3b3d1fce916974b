import { hostname } from 'node:os'
import type { LogLevel } from '../settings/types.js'

export const SYSLOG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const
export type SyslogFacility = (typeof SYSLOG_FACILITIES)[number]
export const SYSLOG_FORMATS = ['rfc3164', 'rfc5424'] as const
export type SyslogFormat = (typeof SYSLOG_FORMATS)[number]

/** RFC 5424's facility numbers (local0 is 16). */
const FACILITY_CODES: Record<SyslogFacility, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
}
/** Gunicorn's levels as syslog severities, as Python's SysLogHandler maps them. */
const SEVERITIES: Record<LogLevel, number> = { debug: 7, info: 6, warning: 4, error: 3, critical: 2 }
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const HOST = hostname().split('.')[0] || '-'

/** Syslog tags and app names are printable ASCII without spaces; `:` and `[` would end a 3164 tag early. */
export function syslogTag(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 48) || 'gu'
}

/**
 * One syslog message, without transport framing. RFC 3164 (BSD, what /dev/log, rsyslog and
 * journald take by default): `<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, local time. RFC 5424:
 * `<PRI>1 TIMESTAMP HOST APP-NAME PID - - MSG`, UTC with milliseconds, no structured data.
 */
export function syslogMessage(format: SyslogFormat, facility: SyslogFacility, level: LogLevel, tag: string, body: string, date = new Date()): string {
  const pri = `<${FACILITY_CODES[facility] * 8 + SEVERITIES[level]}>`
  if (format === 'rfc5424') return `${pri}1 ${date.toISOString()} ${HOST} ${tag} ${process.pid} - - ${body}`
  const day = String(date.getDate()).padStart(2, ' ')
  const time = [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
  return `${pri}${MONTHS[date.getMonth()]} ${day} ${time} ${HOST} ${tag}[${process.pid}]: ${body}`
}
