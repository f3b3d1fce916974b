// `pnpm docs:contract`: refreshes the types quoted in docs/worker-contract.md.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { embedContractTypes } from './contract-docs.js'

const target = resolve(process.argv[2] ?? 'docs/worker-contract.md')
writeFileSync(target, embedContractTypes(readFileSync(target, 'utf8')))
process.stdout.write(`wrote ${target}\n`)
