import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describeLoadError, importFile } from '../app/import-module.js'
import { SETTINGS_BY_KEY } from './catalog.js'
import { coerce } from './coerce.js'
import { UsageError } from './errors.js'
import { HOOK_NAMES } from './hooks.js'
import { closest } from './suggest.js'
import type { Hooks, PlainSettings, UserConfig } from './types.js'

export const CONFIG_FILE_NAMES = ['gu.config.ts', 'gu.config.mts', 'gu.config.js', 'gu.config.mjs', 'gu.config.cjs']
const FILE_ONLY = new Set(['config', 'checkConfig', 'printConfig'])

export interface LoadedConfig {
  file: string
  values: Partial<PlainSettings>
  hooks: Hooks
}

/** The config file to use: the one named, or the first `gu.config.*` found in `dir`. */
export function findConfigFile(named: string | null | undefined, dir: string): string | undefined {
  if (named) {
    const file = resolve(dir, named)
    if (!existsSync(file)) throw new UsageError(`config file not found: ${file}`)
    return file
  }
  return CONFIG_FILE_NAMES.map((name) => resolve(dir, name)).find((file) => existsSync(file))
}

/** Loads a config file and checks every key and value in it. */
export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let config: unknown
  try {
    const module = await importFile(file)
    const exported = module.default ?? module
    config = typeof exported === 'function' ? await (exported as () => unknown)() : exported
  } catch (error) {
    throw new UsageError(`cannot load config file ${file}: ${describeLoadError(error, file)}`)
  }
  if (!config || typeof config !== 'object') {
    throw new UsageError(`config file ${file} must default-export an object (use defineConfig from @gu/core)`)
  }
  return { file, ...splitConfig(config as UserConfig, file) }
}

function splitConfig(config: UserConfig, file: string): Omit<LoadedConfig, 'file'> {
  const values: Record<string, unknown> = {}
  const hooks: Record<string, unknown> = {}
  const known = [...SETTINGS_BY_KEY.keys(), ...HOOK_NAMES].filter((k) => !FILE_ONLY.has(k))
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue
    if (HOOK_NAMES.has(key)) {
      if (typeof value !== 'function') throw new UsageError(`${file}: hook '${key}' must be a function`)
      hooks[key] = value
      continue
    }
    const spec = SETTINGS_BY_KEY.get(key)
    if (!spec || FILE_ONLY.has(key)) {
      const guess = closest(key, known)
      throw new UsageError(`${file}: unknown setting '${key}'${guess ? ` — did you mean '${guess}'?` : ''}`)
    }
    try {
      values[key] = coerce(spec, value)
    } catch (error) {
      throw new UsageError(`${file}: ${key}: ${(error as Error).message}`)
    }
  }
  return { values: values as Partial<PlainSettings>, hooks: hooks as Hooks }
}
