import { resolve } from 'node:path'
import type { PlainSettings } from '../settings/types.js'
import { LAUNCH_DIR } from '../settings/launch-dir.js'
import { type LogConfig, loadLogConfig } from './log-config-file.js'
import type { Destination, LogPlan } from './log-plan.js'
import { parseSyslogAddress } from './syslog-address.js'
import { syslogTag } from './syslog-frame.js'
import type { SyslogPlan } from './syslog-sender.js'

/** The destination that means "to syslog", in a log config's `to`. */
export const SYSLOG = 'syslog'

/**
 * Both logs from the settings, then `--log-config` on top: as with Gunicorn's logconfig, what
 * the file sets wins over `--log-level`, `--log-format`, `--error-logfile`, `--access-logfile`,
 * `--access-logformat` and the `--log-syslog*` settings; what it leaves out comes from them. An
 * `access` section turns the access log on (to `-` unless it says where). `--log-syslog` adds
 * syslog to each log whose destinations the file leaves to the flags. Relative file paths
 * resolve from `cwd` (the `--chdir`).
 */
export async function resolveLogPlan(settings: PlainSettings, cwd = process.cwd()): Promise<LogPlan> {
  // The file's own path resolves from where gu was started, as `-c` does.
  const file: LogConfig = settings.logConfig ? await loadLogConfig(resolve(LAUNCH_DIR, settings.logConfig)) : {}
  const syslogAccess = settings.syslog && !settings.disableRedirectAccessToSyslog
  const errorTo = file.error?.to ?? [settings.errorlog, ...(settings.syslog ? [SYSLOG] : [])]
  const accessOn = settings.accesslog !== null || file.access !== undefined || syslogAccess
  const accessTo = file.access?.to ?? (settings.accesslog === null && syslogAccess ? [SYSLOG] : [settings.accesslog ?? '-', ...(syslogAccess ? [SYSLOG] : [])])
  const syslog = syslogPlan(settings, file)
  const files = (to: readonly Destination[]) => to.filter((d) => d !== SYSLOG).map((d) => (isStandard(d) ? d : resolve(cwd, d)))
  return {
    error: {
      level: file.error?.level ?? settings.loglevel,
      format: file.error?.format ?? settings.logFormat,
      to: files(errorTo),
      syslog: errorTo.includes(SYSLOG) ? syslog : null,
    },
    access: accessOn
      ? {
          format: file.access?.format ?? settings.logFormat,
          to: files(accessTo),
          template: file.access?.template ?? settings.accessLogFormat,
          syslog: accessTo.includes(SYSLOG) ? syslog : null,
        }
      : null,
  }
}

function syslogPlan(settings: PlainSettings, file: LogConfig): SyslogPlan {
  // Gunicorn's default prefix is the process name, its ':' made a '.'.
  const prefix = file.syslog?.prefix ?? settings.syslogPrefix ?? settings.procName ?? (settings.app ?? 'gu').replace(/:/g, '.')
  return {
    address: parseSyslogAddress(file.syslog?.to ?? settings.syslogAddr),
    facility: file.syslog?.facility ?? settings.syslogFacility,
    format: file.syslog?.format ?? settings.syslogFormat,
    prefix: syslogTag(prefix),
  }
}

export function isStandard(destination: Destination): boolean {
  return destination === '-' || destination === 'stdout' || destination === 'stderr'
}
