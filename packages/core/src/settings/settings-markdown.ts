import { SETTINGS } from './catalog.js'
import { HOOKS } from './hooks.js'
import { NOT_PROVIDED } from './not-provided.js'
import type { SettingSpec } from './spec.js'

/** docs/settings.md, generated from the catalog so every setting is documented in one place. */
export function settingsMarkdown(): string {
  const out = [
    '# Settings',
    '',
    '<!-- Generated from packages/core/src/settings/catalog.ts and hooks.ts by `pnpm docs:settings`. Edit those, not this file. -->',
    '',
    'Every setting has a command-line flag (kebab-case) and a config-file key (camelCase), as',
    "Gunicorn's settings do. Precedence, lowest first: defaults, the config file, `GU_CMD_ARGS`,",
    'the command line. `WEB_CONCURRENCY` and `PORT` set the defaults of `workers` and `bind`.',
    '',
    '```ts',
    '// gu.config.ts (also .mts, .js, .mjs, .cjs): TypeScript loads on Node 20 with no build step',
    "import { defineConfig } from '@gu/core'",
    '',
    'export default defineConfig({',
    "  bind: ['0.0.0.0:8000'],",
    '  workers: 4,',
    "  workerClass: 'async',",
    '  onStarting: (arbiter) => console.log(`starting ${arbiter.pid}`),',
    '})',
    '```',
    '',
  ]
  const sections = [...new Set(SETTINGS.map((s) => s.section))]
  for (const section of sections) {
    out.push(`## ${section}`, '')
    for (const spec of SETTINGS.filter((s) => s.section === section)) out.push(...settingEntry(spec))
  }
  out.push('## Server hooks', '', 'Functions in the config file, named as Gunicorn\'s server hooks in camelCase. Each may be async where it returns a promise; a hook that throws is logged and does not stop the server.', '')
  out.push('| hook | runs in | arguments | when |', '| --- | --- | --- | --- |')
  for (const hook of HOOKS) out.push(`| \`${hook.name}\` | ${hook.runsIn} | \`${hook.signature}\` | ${hook.description} |`)
  out.push('')
  out.push('## Gunicorn settings gu leaves out', '')
  for (const { gunicorn, why } of NOT_PROVIDED) out.push(`${gunicorn.map((name) => `\`${name}\``).join(', ')}: ${why}`, '')
  return out.join('\n')
}

function settingEntry(spec: SettingSpec): string[] {
  const flags = spec.flags.length ? [...spec.flags.map((f) => `\`${f}${spec.kind === 'bool' ? '' : ` ${spec.meta ?? 'VALUE'}`}\``), ...(spec.offFlag ? [`\`${spec.offFlag}\``] : [])].join(', ') : 'positional'
  const fallback = spec.defaultDoc ?? `\`${JSON.stringify(spec.default({}))}\``
  return [
    `### \`${spec.key}\``,
    '',
    `- **Command line:** ${flags}`,
    `- **Default:** ${fallback}`,
    ...(spec.choices ? [`- **One of:** ${spec.choices.map((c) => `\`${c}\``).join(', ')}`] : []),
    '',
    spec.description,
    '',
  ]
}
