import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const BEGIN = '<!-- contract-types:begin -->'
const END = '<!-- contract-types:end -->'

/** The contract's types module, read from the source tree (the docs quote it, never restate it). */
export function contractTypesSource(): string {
  return readFileSync(fileURLToPath(new URL('./types.ts', import.meta.url)), 'utf8')
}

/** `markdown` with the types module placed between its markers. */
export function embedContractTypes(markdown: string, types = contractTypesSource()): string {
  const begin = markdown.indexOf(BEGIN)
  const end = markdown.indexOf(END)
  if (begin < 0 || end < begin) throw new Error(`the markers ${BEGIN} … ${END} are missing`)
  return `${markdown.slice(0, begin + BEGIN.length)}\n\`\`\`ts\n${types.trimEnd()}\n\`\`\`\n${markdown.slice(end)}`
}
