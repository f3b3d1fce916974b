import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { settingsMarkdown } from './settings-markdown.js'

const target = resolve(process.argv[2] ?? 'docs/settings.md')
writeFileSync(target, settingsMarkdown())
process.stdout.write(`wrote ${target}\n`)
