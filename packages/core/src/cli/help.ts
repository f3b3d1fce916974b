import { SETTINGS } from '../settings/catalog.js'

/** `gu --help`, built from the settings catalog so it can't drift from what the flags do. */
export function helpText(): string {
  const lines = [
    'usage: gu [OPTIONS] APP_MODULE',
    '       gu ctl [-s PATH] [--json] COMMAND   (talk to a running arbiter: gu ctl --help)',
    '',
    'APP_MODULE is module:export, module (its default export) or module:factory(args).',
    '',
  ]
  const sections = new Map<string, string[]>()
  for (const spec of SETTINGS) {
    if (spec.flags.length === 0) continue
    const flag = spec.flags.join(', ') + (spec.kind === 'bool' ? '' : ` ${spec.meta ?? 'VALUE'}`) + (spec.offFlag ? `, ${spec.offFlag}` : '')
    const entry = `  ${flag.padEnd(34)} ${firstSentence(spec.description)}`
    sections.set(spec.section, [...(sections.get(spec.section) ?? []), entry])
  }
  for (const [section, entries] of sections) lines.push(`${section}:`, ...entries, '')
  lines.push('Other:', `  ${'-v, --version'.padEnd(34)} Print the version and exit.`, `  ${'-h, --help'.padEnd(34)} Print this help and exit.`, '')
  lines.push('Every option can also be set in gu.config.ts by its camelCase name; see docs/settings.md.')
  return lines.join('\n')
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/)
  return end < 0 ? text : text.slice(0, end + 1)
}
