import type { PlainSettings } from './types.js'

export type SettingKind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'choice'

/** How one plain setting is named, parsed, defaulted and documented — in one place. */
export interface SettingSpec<K extends keyof PlainSettings = keyof PlainSettings> {
  readonly key: K
  readonly section: string
  /** Command-line spellings, short first: ['-w', '--workers']. None: config-file only. */
  readonly flags: readonly string[]
  /** The placeholder shown in `--help` for the flag's value. */
  readonly meta?: string
  readonly kind: SettingKind
  readonly choices?: readonly string[]
  /** Smallest accepted number, for int and number kinds. */
  readonly min?: number
  /** Whether the value may be null (unset). */
  readonly nullable?: boolean
  readonly default: (env: NodeJS.ProcessEnv) => PlainSettings[K]
  /** How the default reads in the docs, when the value alone would mislead. */
  readonly defaultDoc?: string
  /** Extra check on the parsed value; returns why it is wrong. */
  check?(value: PlainSettings[K]): string | undefined
  readonly description: string
}

export function setting<K extends keyof PlainSettings>(spec: SettingSpec<K>): SettingSpec<K> {
  return spec
}
