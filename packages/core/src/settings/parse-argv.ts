import { SETTINGS } from './catalog.js'
import { coerce } from './coerce.js'
import { UsageError } from './errors.js'
import type { SettingSpec } from './spec.js'
import { closest } from './suggest.js'
import type { PlainSettings } from './types.js'

export interface ParsedArgs {
  values: Partial<PlainSettings>
  help: boolean
  version: boolean
}

const BY_FLAG = new Map<string, SettingSpec>(SETTINGS.flatMap((s) => s.flags.map((f) => [f, s] as const)))
const BY_OFF_FLAG = new Map<string, SettingSpec>(SETTINGS.flatMap((s) => ('offFlag' in s && s.offFlag ? [[s.offFlag, s] as const] : [])))
const ACTION_FLAGS = ['-h', '--help', '-v', '--version']
const ALL_FLAGS = [...BY_FLAG.keys(), ...BY_OFF_FLAG.keys(), ...ACTION_FLAGS]

/** Parses `gu` arguments. `source` names where they came from, for error messages. */
export function parseArgv(argv: readonly string[], source = 'command line'): ParsedArgs {
  const parsed: ParsedArgs = { values: {}, help: false, version: false }
  const values = parsed.values as Record<string, unknown>
  const fail = (message: string) => new UsageError(`${message}${source === 'command line' ? '' : ` (in ${source})`}`)

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      for (const rest of argv.slice(i + 1)) setApp(rest)
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      setApp(arg)
      continue
    }
    if (arg === '-h' || arg === '--help') {
      parsed.help = true
      continue
    }
    if (arg === '-v' || arg === '--version') {
      parsed.version = true
      continue
    }
    const [flag, inline] = splitFlag(arg)
    const off = BY_OFF_FLAG.get(flag)
    if (off) {
      if (inline !== undefined) throw fail(`option ${flag} takes no value`)
      values[off.key] = null
      continue
    }
    const spec = BY_FLAG.get(flag)
    if (!spec) {
      const guess = closest(flag, ALL_FLAGS)
      throw fail(`unrecognized option '${flag}'${guess ? ` — did you mean '${guess}'?` : ''}; see 'gu --help'`)
    }
    let raw: string | boolean
    if (spec.kind === 'bool') {
      raw = inline ?? true
    } else if (inline !== undefined) {
      raw = inline
    } else {
      const next = argv[i + 1]
      if (next === undefined || looksLikeFlag(next)) throw fail(`option ${flag} needs a value (${spec.meta ?? 'VALUE'})`)
      raw = next
      i++
    }
    let value: unknown
    try {
      value = coerce(spec, raw)
    } catch (error) {
      throw fail(`${flag}: ${(error as Error).message}`)
    }
    values[spec.key] = spec.kind === 'list' ? [...((values[spec.key] as string[]) ?? []), ...(value as string[])] : value
  }
  // A repeated option is checked item by item above; some checks are about the whole list.
  for (const spec of SETTINGS) {
    if (spec.kind !== 'list' || values[spec.key] === undefined) continue
    const why = spec.check?.(values[spec.key] as never)
    if (why) throw fail(`${spec.flags.at(-1)}: ${why}`)
  }
  return parsed

  function setApp(arg: string) {
    if (values.app !== undefined) throw fail(`one APP_MODULE expected, got '${values.app}' and '${arg}'`)
    values.app = arg
  }
}

/** A word that is an option rather than the value of the option before it. */
function looksLikeFlag(word: string): boolean {
  return word.startsWith('--') || ALL_FLAGS.includes(splitFlag(word)[0])
}

/** `--flag=value` and `-w4` both carry their value inline. */
function splitFlag(arg: string): [string, string | undefined] {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=')
    return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)]
  }
  return arg.length > 2 ? [arg.slice(0, 2), arg.slice(2).replace(/^=/, '')] : [arg, undefined]
}

/**
 * Splits GU_CMD_ARGS like a shell would for plain words and quoted strings: quotes may sit
 * anywhere in a word (`--name="my app"`), and `\` escapes the next character outside single quotes.
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = []
  const pattern = /"((?:\\.|[^"\\])*)"|'([^']*)'|\\(.)|(\s+)|([^\s"'\\]+)/gs
  let word: string | undefined
  for (const match of text.matchAll(pattern)) {
    const [, double, single, escaped, space, plain] = match
    if (space !== undefined) {
      if (word !== undefined) words.push(word)
      word = undefined
      continue
    }
    word = (word ?? '') + (double?.replace(/\\(.)/gs, '$1') ?? single ?? escaped ?? plain!)
  }
  if (word !== undefined) words.push(word)
  return words
}
