import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { describeLoadError, importFile } from '../app/import-module.js'
import { UsageError } from '../settings/errors.js'
import type { LogLevel } from '../settings/types.js'
import { compileAccessFormat } from './access-format.js'
import { LINE_FORMATS, LOG_LEVELS, type Destination, type LineFormat } from './log-plan.js'
import { parseSyslogAddress } from './syslog-address.js'
import { SYSLOG_FACILITIES, SYSLOG_FORMATS, type SyslogFacility, type SyslogFormat } from './syslog-frame.js'

/** What a `--log-config` file sets; anything it leaves out comes from the other logging settings. */
export interface LogConfig {
  error?: { level?: LogLevel; format?: LineFormat; to?: Destination[] }
  access?: { format?: LineFormat; to?: Destination[]; template?: string }
  /** Where `"syslog"` destinations send, over the `--log-syslog-*` settings. */
  syslog?: { to?: string; facility?: SyslogFacility; prefix?: string; format?: SyslogFormat }
}

const JS_FILES = new Set(['.js', '.mjs', '.cjs'])
const ERROR_KEYS = ['level', 'format', 'to'] as const
const ACCESS_KEYS = ['format', 'to', 'template'] as const
const SYSLOG_KEYS = ['to', 'facility', 'prefix', 'format'] as const

/** Loads a `.json` file, or a `.js/.mjs/.cjs` whose default export is the same object, and checks every key. */
export async function loadLogConfig(file: string): Promise<LogConfig> {
  const fail = (why: string) => new UsageError(`--log-config ${file}: ${why}`)
  let raw: unknown
  if (JS_FILES.has(extname(file))) {
    try {
      const module = await importFile(file)
      raw = module.default ?? module
    } catch (error) {
      throw fail(describeLoadError(error, file))
    }
  } else {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw fail(`cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
    try {
      raw = JSON.parse(text)
    } catch (error) {
      throw fail(`not valid JSON: ${(error as Error).message}`)
    }
  }
  try {
    return parseLogConfig(raw)
  } catch (error) {
    throw fail((error as Error).message)
  }
}

/** Checks a log config object; throws naming the first key that is unknown or wrong. */
export function parseLogConfig(raw: unknown): LogConfig {
  const top = object(raw, 'the file')
  unknownKeys(top, ['error', 'access', 'syslog'], '')
  const config: LogConfig = {}
  if (top.error !== undefined) {
    const error = object(top.error, "'error'")
    unknownKeys(error, ERROR_KEYS, 'error.')
    config.error = {}
    if (error.level !== undefined) config.error.level = choice(error.level, LOG_LEVELS, 'error.level')
    if (error.format !== undefined) config.error.format = choice(error.format, LINE_FORMATS, 'error.format')
    if (error.to !== undefined) config.error.to = destinations(error.to, 'error.to')
  }
  if (top.access !== undefined) {
    const access = object(top.access, "'access'")
    unknownKeys(access, ACCESS_KEYS, 'access.')
    config.access = {}
    if (access.format !== undefined) config.access.format = choice(access.format, LINE_FORMATS, 'access.format')
    if (access.to !== undefined) config.access.to = destinations(access.to, 'access.to')
    if (access.template !== undefined) config.access.template = template(access.template)
  }
  if (top.syslog !== undefined) {
    const syslog = object(top.syslog, "'syslog'")
    unknownKeys(syslog, SYSLOG_KEYS, 'syslog.')
    config.syslog = {}
    if (syslog.to !== undefined) config.syslog.to = syslogAddress(syslog.to)
    if (syslog.facility !== undefined) config.syslog.facility = choice(syslog.facility, SYSLOG_FACILITIES, 'syslog.facility')
    if (syslog.format !== undefined) config.syslog.format = choice(syslog.format, SYSLOG_FORMATS, 'syslog.format')
    if (syslog.prefix !== undefined) {
      if (typeof syslog.prefix !== 'string' || syslog.prefix === '') throw new Error(`syslog.prefix must be a non-empty string, not ${JSON.stringify(syslog.prefix)}`)
      config.syslog.prefix = syslog.prefix
    }
  }
  return config
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be an object`)
  return value as Record<string, unknown>
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], prefix: string): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key))
  if (unknown !== undefined) throw new Error(`unknown key '${prefix}${unknown}'; known keys: ${known.map((k) => prefix + k).join(', ')}`)
}

function choice<T extends string>(value: unknown, choices: readonly T[], key: string): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T
  throw new Error(`${key} must be one of ${choices.join(' ')}, not ${JSON.stringify(value)}`)
}

function destinations(value: unknown, key: string): Destination[] {
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) throw new Error(`${key} must name at least one destination`)
  for (const item of list) {
    if (typeof item !== 'string' || item === '') throw new Error(`${key} must be "-", "stdout", "stderr", "syslog", a file path, or a list of those, not ${JSON.stringify(item)}`)
  }
  return list as Destination[]
}

function syslogAddress(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`syslog.to must be a string, not ${JSON.stringify(value)}`)
  try {
    parseSyslogAddress(value)
  } catch (error) {
    throw new Error(`syslog.to: ${(error as Error).message}`)
  }
  return value
}

function template(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`access.template must be a string, not ${JSON.stringify(value)}`)
  try {
    compileAccessFormat(value)
  } catch (error) {
    throw new Error(`access.template: ${(error as Error).message}`)
  }
  return value
}
