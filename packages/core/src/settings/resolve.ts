import { resolve as resolvePath } from 'node:path'
import { defaultSettings, eachSetting } from './catalog.js'
import { findConfigFile, loadConfigFile } from './config-file.js'
import { parseArgv, splitCommandLine, type ParsedArgs } from './parse-argv.js'
import { LAUNCH_DIR } from './launch-dir.js'
import { activatedBinds } from './socket-activation.js'
import type { Hooks, PlainSettings, Settings } from './types.js'

export interface ResolvedSettings {
  settings: Settings
  /** The config file that was loaded, if any. */
  configFile: string | undefined
  help: boolean
  version: boolean
}

/**
 * Settings by precedence, lowest first: defaults, config file, `GU_CMD_ARGS`, command line.
 * The config file to load is itself chosen by `-c` on the command line or in `GU_CMD_ARGS`.
 * Sockets passed by systemd socket activation replace `bind` whatever the sources say.
 */
export async function resolveSettings(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ResolvedSettings> {
  const cli = parseArgv(argv)
  const fromEnv: ParsedArgs = env.GU_CMD_ARGS ? parseArgv(splitCommandLine(env.GU_CMD_ARGS), 'GU_CMD_ARGS') : { values: {}, help: false, version: false }
  const explicit: Partial<PlainSettings> = { ...fromEnv.values, ...cli.values }
  const result = { help: cli.help || fromEnv.help, version: cli.version || fromEnv.version }
  const defaults = defaultSettings(env)
  if (result.help || result.version) return { settings: defaults, configFile: undefined, ...result }

  // The config file and a relative --chdir resolve from where gu was started (also on HUP, after chdir).
  const configFile = findConfigFile(explicit.config, LAUNCH_DIR)
  const loaded = configFile ? await loadConfigFile(configFile) : undefined
  const plain: PlainSettings = { ...defaults, ...loaded?.values, ...explicit }
  plain.bind = activatedBinds() ?? plain.bind
  plain.chdir = resolvePath(LAUNCH_DIR, plain.chdir)
  plain.config = configFile ?? null
  const hooks: Hooks = loaded?.hooks ?? {}
  return { settings: { ...plain, ...hooks }, configFile, ...result }
}

/** The JSON-safe part of settings: what workers receive and `--print-config` prints. */
export function plainSettings(settings: Settings): PlainSettings {
  return eachSetting((spec) => settings[spec.key])
}
