import { resolve } from 'node:path'
import type { PlainSettings } from '../settings/types.js'
import { LAUNCH_DIR } from '../settings/launch-dir.js'
import { loadLogConfig } from './log-config-file.js'
import type { Destination, LogPlan } from './log-plan.js'

/**
 * Both logs from the settings, then `--log-config` on top: as with Gunicorn's logconfig, what
 * the file sets wins over `--log-level`, `--log-format`, `--error-logfile`, `--access-logfile` and
 * `--access-logformat`; what it leaves out comes from them. An `access` section turns the access
 * log on (to `-` unless it says where). Relative file paths resolve from `cwd` (the `--chdir`).
 */
export async function resolveLogPlan(settings: PlainSettings, cwd = process.cwd()): Promise<LogPlan> {
  // The file's own path resolves from where gu was started, as `-c` does.
  const file = settings.logConfig ? await loadLogConfig(resolve(LAUNCH_DIR, settings.logConfig)) : {}
  const absolute = (to: readonly Destination[]) => to.map((d) => (isStandard(d) ? d : resolve(cwd, d)))
  const accessOn = settings.accesslog !== null || file.access !== undefined
  return {
    error: {
      level: file.error?.level ?? settings.loglevel,
      format: file.error?.format ?? settings.logFormat,
      to: absolute(file.error?.to ?? [settings.errorlog]),
    },
    access: accessOn
      ? {
          format: file.access?.format ?? settings.logFormat,
          to: absolute(file.access?.to ?? [settings.accesslog ?? '-']),
          template: file.access?.template ?? settings.accessLogFormat,
        }
      : null,
  }
}

export function isStandard(destination: Destination): boolean {
  return destination === '-' || destination === 'stdout' || destination === 'stderr'
}
