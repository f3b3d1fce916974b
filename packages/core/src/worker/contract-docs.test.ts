import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { contractTypesSource, embedContractTypes } from './contract-docs.js'

const docs = fileURLToPath(new URL('../../../../docs/worker-contract.md', import.meta.url))

describe('docs/worker-contract.md', () => {
  it('quotes the contract types as they are (run `pnpm docs:contract` after changing them)', () => {
    const text = readFileSync(docs, 'utf8')
    expect(text).toBe(embedContractTypes(text))
    expect(text).toContain(contractTypesSource().trimEnd())
  })

  it('refuses a page without the markers', () => {
    expect(() => embedContractTypes('# no markers')).toThrow(/markers/)
  })
})
