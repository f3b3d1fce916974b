export type SettingKind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'choice'

/** What each kind parses to; a choice narrows to its own `choices`. */
interface KindValue {
  string: string
  int: number
  number: number
  bool: boolean
  list: string[]
  choice: string
}

/** The value type a spec describes: its kind's type (a choice's union), `| null` when nullable. */
export type SpecValue<T extends SettingKind, C extends readonly string[], N extends boolean> =
  | (T extends 'choice' ? C[number] : KindValue[T])
  | (N extends true ? null : never)

/** What every spec has besides its kind; `K` and `V` are the setting's key and value type. */
interface SpecFields<K extends string, V> {
  readonly key: K
  readonly section: string
  /** Command-line spellings, short first: ['-w', '--workers']. None: config-file only. */
  readonly flags: readonly string[]
  /** A flag that turns a nullable setting off (sets it to null): `--no-control-socket`. */
  readonly offFlag?: string
  /** The placeholder shown in `--help` for the flag's value. */
  readonly meta?: string
  /** Smallest accepted number, for int and number kinds. */
  readonly min?: number
  readonly default: (env: NodeJS.ProcessEnv) => V
  /** How the default reads in the docs, when the value alone would mislead. */
  readonly defaultDoc?: string
  /** Extra check on the parsed value; returns why it is wrong. (A method, so every spec fits `SettingSpec`.) */
  check?(value: V): string | undefined
  readonly description: string
}

/** How one plain setting is named, parsed, defaulted and documented — in one place. */
export interface SettingSpec<K extends string = string, V = unknown> extends SpecFields<K, V> {
  readonly kind: SettingKind
  readonly choices?: readonly string[]
  /** Whether the value may be null (unset). */
  readonly nullable?: boolean
}

/** The value type of a spec `setting()` returned. */
export type ValueOf<S> = S extends SettingSpec<string, infer V> ? V : never

/**
 * One catalog entry. The `const` type parameters keep the key, kind, choices and nullable as
 * literals, so the value type (and `default` and `check` against it) follows from the spec.
 */
export function setting<
  const K extends string,
  const T extends SettingKind,
  const C extends readonly string[] = [],
  const N extends boolean = false,
>(
  spec: SpecFields<K, SpecValue<T, C, N>> & { readonly kind: T; readonly choices?: C; readonly nullable?: N },
): SettingSpec<K, SpecValue<T, C, N>> {
  return spec
}
