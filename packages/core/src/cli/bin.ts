#!/usr/bin/env node
import { main } from './main.js'

const code = await main(process.argv.slice(2))
// Exit once what was written to stdout has been flushed (a pipe may still hold --print-config).
process.stdout.write('', () => process.exit(code))
