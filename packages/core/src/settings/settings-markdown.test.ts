import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from './catalog.js'
import { HOOKS } from './hooks.js'
import { settingsMarkdown } from './settings-markdown.js'

const docs = fileURLToPath(new URL('../../../../docs/settings.md', import.meta.url))

describe('docs/settings.md', () => {
  it('is generated from the catalog (run `pnpm docs:settings` after changing a setting)', () => {
    expect(readFileSync(docs, 'utf8')).toBe(settingsMarkdown())
  })

  it('documents every setting and every hook', () => {
    const text = settingsMarkdown()
    for (const spec of SETTINGS) expect(text).toContain(`### \`${spec.key}\``)
    for (const hook of HOOKS) expect(text).toContain(`| \`${hook.name}\` |`)
  })
})
