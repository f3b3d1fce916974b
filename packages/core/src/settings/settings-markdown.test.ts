import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from './catalog.js'
import { HOOKS } from './hooks.js'
import { NOT_PROVIDED } from './not-provided.js'
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

  it('lists as left out only Gunicorn settings gu really has no counterpart of', () => {
    const keys = new Set<string>(SETTINGS.map((spec) => spec.key))
    const camel = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())
    for (const { gunicorn } of NOT_PROVIDED) for (const name of gunicorn) expect(keys.has(camel(name))).toBe(false)
  })
})
